import { classifyError, classifyFailure, type ErrorType, type FailurePhase } from '@agentmeter/core';

export type { FailurePhase } from '@agentmeter/core';

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

/** The Stainless SDKs' (openai, @anthropic-ai/sdk) transport error classes, by class name. */
const SDK_CLASSES: Readonly<Record<string, ErrorType>> = {
  APIUserAbortError: 'cancelled',
  APIConnectionTimeoutError: 'timeout',
  APIConnectionError: 'connection',
};

/** The taxonomy type of the nearest SDK class in the error's prototype chain, if any. */
function sdkClassType(error: unknown): ErrorType | undefined {
  try {
    let proto: unknown = typeof error === 'object' && error !== null ? Object.getPrototypeOf(error) : null;
    for (let depth = 0; proto !== null && proto !== undefined && depth < 8; depth += 1) {
      const name: unknown = (proto as { constructor?: { name?: unknown } }).constructor?.name;
      if (typeof name === 'string' && name in SDK_CLASSES) return SDK_CLASSES[name];
      proto = Object.getPrototypeOf(proto);
    }
  } catch {
    // A hostile prototype chain is classified by core alone.
  }
  return undefined;
}

/** An error code a provider put in a stream's error event, if any. */
function inStreamCode(error: unknown): ErrorType | undefined {
  const body = read(error, 'error');
  for (const candidate of [
    read(error, 'type'),
    read(body, 'code'),
    read(body, 'type'),
    read(read(body, 'error'), 'type'),
  ]) {
    if (typeof candidate === 'string' && candidate in IN_STREAM_CODES) return IN_STREAM_CODES[candidate];
  }
  return undefined;
}

/**
 * Maps an LLM SDK failure to the shared taxonomy (core's classifyFailure decides; this maps only
 * the provider specifics): the Stainless SDK classes (APIConnectionTimeoutError is timeout,
 * APIUserAbortError cancelled, APIConnectionError connection), a 422 (a rejected request body for
 * OpenAI and Anthropic: bad_request), and the error code a provider put in a stream's error event.
 */
export function classifyLlmError(error: unknown, phase: FailurePhase): ErrorType {
  const known = sdkClassType(error) ?? (read(error, 'status') === 422 ? 'bad_request' : classifyError(error));
  return classifyFailure(error, phase, known, phase === 'body' ? inStreamCode(error) : undefined);
}
