import manifest from '../package.json' with { type: 'json' };

/** The instrumentation scope of @agentmeter/node's own instruments, versioned from its manifest. */
export const NODE_SCOPE: { readonly name: string; readonly version: string } = Object.freeze({
  name: manifest.name,
  version: manifest.version,
});
