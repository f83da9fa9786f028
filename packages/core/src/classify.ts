import type { ErrorType } from './errors.ts';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_SOCKET_CLOSED',
  'ENETDOWN',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  '23',
]);

function read(object: unknown, key: string): unknown {
  try {
    return (typeof object === 'object' || typeof object === 'function') && object !== null
      ? (object as Record<string, unknown>)[key]
      : undefined;
  } catch {
    return undefined;
  }
}

function statusOf(error: unknown): number | undefined {
  for (const candidate of [
    read(error, 'status'),
    read(error, 'statusCode'),
    read(read(error, 'response'), 'status'),
    read(error, 'code'),
  ]) {
    if (typeof candidate === 'number' && candidate >= 100 && candidate < 600) return candidate;
  }
  return undefined;
}

function classNames(error: unknown): string {
  let names = '';
  try {
    let proto: unknown = Object.getPrototypeOf(error);
    for (let depth = 0; proto !== null && proto !== undefined && depth < 8; depth++) {
      const name = read(read(proto, 'constructor'), 'name');
      if (typeof name === 'string') names += ` ${name}`;
      proto = Object.getPrototypeOf(proto);
    }
  } catch {
    // A hostile prototype chain just yields no names.
  }
  const own = read(error, 'name');
  return typeof own === 'string' ? `${own}${names}` : names;
}

/** Maps an HTTP status to the taxonomy. */
export function classifyStatus(status: number): ErrorType {
  if (status === 429) return 'rate_limit';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'bad_request';
  return 'other';
}

/**
 * Maps any thrown value to the shared taxonomy, from its HTTP status, error code and class names
 * (provider SDK errors such as RateLimitError or APIConnectionTimeoutError included). Never throws,
 * and never looks at the message, which may carry prompts or keys.
 */
export function classifyError(error: unknown): ErrorType {
  if (error === null || error === undefined) return 'other';
  const names = classNames(error);
  const code = read(error, 'code') ?? read(read(error, 'cause'), 'code');
  if (/Timeout|TimedOut/i.test(names) || (typeof code === 'string' && TIMEOUT_CODES.has(code))) return 'timeout';
  // node:http wraps a signal's reason: AbortSignal.timeout() fires an AbortError caused by a TimeoutError.
  if (/Abort/i.test(names) && /Timeout/i.test(classNames(read(error, 'cause')))) return 'timeout';
  if (/Abort|Cancel/i.test(names) || code === 'ABORT_ERR') return 'cancelled';
  const status = statusOf(error);
  if (status !== undefined) return classifyStatus(status);
  if (/RateLimit/i.test(names)) return 'rate_limit';
  if (/Authentication|PermissionDenied|Unauthori[sz]ed/i.test(names)) return 'auth';
  if (/Connection|FetchError|NetworkError/i.test(names) || (typeof code === 'string' && CONNECTION_CODES.has(code)))
    return 'connection';
  const causeCode = read(read(read(error, 'cause'), 'cause'), 'code');
  if (typeof causeCode === 'string' && CONNECTION_CODES.has(causeCode)) return 'connection';
  if (/Stream/i.test(names)) return 'stream_error';
  if (/Validation|ZodError/i.test(names)) return 'validation_error';
  if (/BadRequest|UnprocessableEntity|NotFound/i.test(names)) return 'bad_request';
  if (/InternalServer|ServiceUnavailable/i.test(names)) return 'server_error';
  return 'other';
}

/** Where a call failed: before any response arrived, or while its body or stream was flowing. */
export type FailurePhase = 'request' | 'body';

/**
 * The one place that decides a failure's type for every wrapper (LLM, speech, database, HTTP).
 * Before a response, classifyError decides (`connection` for a refused or reset connection,
 * `timeout`, `cancelled`, the HTTP status). Once a body or stream was flowing, a dropped
 * connection or unreadable data is `stream_error`, unless the provider said why inside the
 * stream (`inStream`, e.g. a rate-limit event), or the caller aborted, or a timeout fired.
 * `known` is a type a wrapper read from provider specifics (an SDK class, a close code); it
 * replaces classifyError's answer but still follows the phase rule.
 */
export function classifyFailure(
  error: unknown,
  phase: FailurePhase,
  known?: ErrorType,
  inStream?: ErrorType,
): ErrorType {
  const type = known ?? classifyError(error);
  if (phase === 'request' || type === 'cancelled' || type === 'timeout') return type;
  if (type === 'other' || type === 'connection') return inStream ?? 'stream_error';
  return type;
}
