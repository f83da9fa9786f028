/** What sibling packages share with @agentmeter/prometheus; not part of its public API. */
export {
  createEndpointServer,
  DEFAULT_ENDPOINT,
  DEFAULT_HOST,
  DEFAULT_PORT,
  MAX_TOKEN_LENGTH,
  resolveEndpoint,
  SERVER_TIMEOUTS,
} from './endpoint.ts';
export type { EndpointOptions, ResolvedEndpoint } from './endpoint.ts';
