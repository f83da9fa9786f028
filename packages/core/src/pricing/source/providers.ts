/**
 * agentmeter's `provider` label to the price source's provider id. A label not listed here gets no
 * price from the source (a local or unknown OpenAI-compatible server is never priced as OpenAI).
 * OpenRouter is left out: its 700 models would double the bundle, and its API reports each call's cost.
 */
export const SOURCE_PROVIDER_IDS: Readonly<Record<string, string>> = {
  openai: 'openai',
  azure_openai: 'azure',
  anthropic: 'anthropic',
  google: 'google',
  google_vertex: 'google',
  bedrock: 'aws',
  groq: 'groq',
  mistral: 'mistral',
  together: 'together',
  deepseek: 'deepseek',
  fireworks: 'fireworks',
  xai: 'x-ai',
  perplexity: 'perplexity',
  cerebras: 'cerebras',
  cohere: 'cohere',
};
