/** The shared error taxonomy: every provider's failures map onto these. */
export type ErrorType =
  | 'rate_limit'
  | 'timeout'
  | 'auth'
  | 'bad_request'
  | 'server_error'
  | 'connection'
  | 'cancelled'
  | 'stream_error'
  | 'validation_error'
  | 'other';

export const ERROR_TYPES: readonly ErrorType[] = [
  'rate_limit',
  'timeout',
  'auth',
  'bad_request',
  'server_error',
  'connection',
  'cancelled',
  'stream_error',
  'validation_error',
  'other',
];

/** Thrown at creation time for configuration mistakes; the message says what to change. */
export class AgentMeterConfigError extends Error {
  override readonly name = 'AgentMeterConfigError';
}
