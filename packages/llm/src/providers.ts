/** Hosts of OpenAI-compatible APIs, matched on the host name's end, and the provider label they get. */
const OPENAI_COMPATIBLE_HOSTS: readonly (readonly [suffix: string, provider: string])[] = [
  ['api.openai.com', 'openai'],
  ['openai.azure.com', 'azure_openai'],
  ['api.groq.com', 'groq'],
  ['api.mistral.ai', 'mistral'],
  ['api.together.xyz', 'together'],
  ['api.together.ai', 'together'],
  ['api.deepseek.com', 'deepseek'],
  ['api.fireworks.ai', 'fireworks'],
  ['openrouter.ai', 'openrouter'],
  ['api.x.ai', 'xai'],
  ['api.perplexity.ai', 'perplexity'],
  ['api.cerebras.ai', 'cerebras'],
  ['generativelanguage.googleapis.com', 'google'],
  ['api.anthropic.com', 'anthropic'],
];

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', 'host.docker.internal']);

/**
 * The provider label for an OpenAI-compatible client, from its baseURL: a known host gives its
 * provider, a local address `local`, anything else `openai_compatible` (the host name is not
 * used as a label: it may be private). The `provider` option overrides this.
 */
export function providerFromBaseURL(baseURL: unknown): string {
  if (typeof baseURL !== 'string' || baseURL === '') return 'openai';
  let host: string;
  try {
    host = new URL(baseURL).hostname.toLowerCase();
  } catch {
    return 'openai_compatible';
  }
  for (const [suffix, provider] of OPENAI_COMPATIBLE_HOSTS) {
    if (host === suffix || host.endsWith(`.${suffix}`)) return provider;
  }
  if (LOCAL_HOSTS.has(host) || host.endsWith('.localhost') || host.endsWith('.local')) return 'local';
  return 'openai_compatible';
}
