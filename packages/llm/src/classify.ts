import { classifyError, type ErrorType } from '@agentmeter/core';

/** Where a call failed: before a response arrived, or while reading its body or stream. */
export type FailurePhase = 'request' | 'body';

/** Error codes that providers send inside a stream (OpenAI `error.code`, Anthropic `error.type`). */
const IN_STREAM_CODES: Readonly<Record<string, ErrorType>> = {
  rate_limit_exceeded: 'rate_limit',
  rate_limit_error: 'rate_limit',
  insufficient_quota: 'rate_limit',
  server_error: 'server_error',
  api_error: 'server_error',
  overloaded_error: 'server_error',
  timeout_error: 'timeout',
  invalid_request_error: 'bad_request',
  authentication_error: 'auth',
  permission_error: 'auth',
};

function read(object: unknown, key: string): unknown {
  try {
    return typeof object === 'object' && object !== null ? (object as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

/** An error code a provider put in a stream's error event, if any. */
function inStreamCode(error: unknown): ErrorType | undefined {
  const body = read(error, 'error');
  for (const candidate of [read(error, 'type'), read(body, 'code'), read(body, 'type'), read(read(body, 'error'), 'type')]) {
    if (typeof candidate === 'string' && candidate in IN_STREAM_CODES) return IN_STREAM_CODES[candidate];
  }
  return undefined;
}

/**
 * Maps an LLM SDK failure to the shared taxonomy. Before a response, the SDK classes and HTTP
 * status decide (core's classifyError: APIConnectionTimeoutError is timeout, APIUserAbortError
 * cancelled, APIConnectionError connection, 429 rate_limit, ...). Once a body or stream was
 * flowing, a dropped connection or unreadable data is `stream_error`, unless the provider said
 * why in an error event (rate_limit, server_error, ...) or the caller aborted.
 */
export function classifyLlmError(error: unknown, phase: FailurePhase): ErrorType {
  const type = classifyError(error);
  if (phase === 'request' || type === 'cancelled' || type === 'timeout') return type;
  if (type === 'other' || type === 'connection') return inStreamCode(error) ?? 'stream_error';
  return type;
}
