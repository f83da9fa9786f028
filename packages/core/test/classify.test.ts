import { describe, expect, it } from 'vitest';
import { classifyError, classifyStatus } from '../src/index.ts';

class APIError extends Error {}
class APIConnectionError extends APIError {}
class APIConnectionTimeoutError extends APIConnectionError {}
class APIUserAbortError extends APIError {}
class RateLimitError extends APIError {}
class ZodError extends Error {}
class StreamParseError extends Error {}

describe('classifyError', () => {
  it.each([
    [Object.assign(new Error('x'), { status: 429 }), 'rate_limit'],
    [Object.assign(new Error('x'), { statusCode: 401 }), 'auth'],
    [Object.assign(new Error('x'), { status: 403 }), 'auth'],
    [Object.assign(new Error('x'), { status: 400 }), 'bad_request'],
    [Object.assign(new Error('x'), { status: 422 }), 'bad_request'],
    [Object.assign(new Error('x'), { status: 503 }), 'server_error'],
    [Object.assign(new Error('x'), { response: { status: 504 } }), 'timeout'],
    [Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'connection'],
    [
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('c'), { code: 'ECONNRESET' }) }),
      'connection',
    ],
    [Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), 'timeout'],
    [new APIConnectionTimeoutError('x'), 'timeout'],
    [new APIConnectionError('x'), 'connection'],
    [new APIUserAbortError('x'), 'cancelled'],
    [new DOMException('aborted', 'AbortError'), 'cancelled'],
    [new DOMException('timed out', 'TimeoutError'), 'timeout'],
    // node:http's AbortError for a request whose signal was AbortSignal.timeout().
    [
      Object.assign(new Error('aborted'), {
        name: 'AbortError',
        code: 'ABORT_ERR',
        cause: new DOMException('timed out', 'TimeoutError'),
      }),
      'timeout',
    ],
    [
      Object.assign(new Error('aborted'), {
        name: 'AbortError',
        code: 'ABORT_ERR',
        cause: new DOMException('aborted', 'AbortError'),
      }),
      'cancelled',
    ],
    [new RateLimitError('x'), 'rate_limit'],
    [new ZodError('x'), 'validation_error'],
    [new StreamParseError('x'), 'stream_error'],
    [new Error('rate limit exceeded (429) sk-secret'), 'other'],
    [null, 'other'],
    [undefined, 'other'],
    ['string', 'other'],
    [42, 'other'],
  ])('%s -> %s', (error, expected) => {
    expect(classifyError(error)).toBe(expected);
  });

  it('survives a hostile proxy', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('hostile');
        },
        getPrototypeOf: () => {
          throw new Error('hostile');
        },
      },
    );
    expect(classifyError(hostile)).toBe('other');
  });

  it('maps statuses', () => {
    expect([429, 408, 401, 403, 400, 404, 422, 500, 502, 200].map(classifyStatus)).toEqual([
      'rate_limit',
      'timeout',
      'auth',
      'auth',
      'bad_request',
      'bad_request',
      'bad_request',
      'server_error',
      'server_error',
      'other',
    ]);
  });
});
