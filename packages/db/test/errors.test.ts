import { describe, expect, it } from 'vitest';
import { classifyDbError, dbErrorType } from '../src/errors.ts';

describe('dbErrorType', () => {
  it.each([
    [{ code: '42601' }, 'bad_request'],
    [{ code: '23505' }, 'bad_request'],
    [{ code: '08006' }, 'connection'],
    [{ code: '57P03' }, 'connection'],
    [{ code: '57014' }, 'cancelled'],
    [{ code: '28P01' }, 'auth'],
    [{ code: '53300' }, 'server_error'],
    [{ code: 'ER_PARSE_ERROR', sqlState: '42000' }, 'bad_request'],
    [{ code: 'ER_ACCESS_DENIED_ERROR', sqlState: '28000' }, 'auth'],
    [{ code: 'ER_TABLEACCESS_DENIED_ERROR', errno: 1142, sqlState: '42000' }, 'auth'],
    [{ code: 'ER_QUERY_INTERRUPTED', errno: 1317, sqlState: '70100' }, 'cancelled'],
    [{ code: '42501' }, 'auth'],
    [{ code: 'SQLITE_CONSTRAINT_UNIQUE' }, 'bad_request'],
    [{ code: 'SQLITE_BUSY' }, 'timeout'],
    [{ code: 'SQLITE_IOERR' }, 'server_error'],
    [Object.assign(new Error('WRONGTYPE Operation against a key'), { name: 'ReplyError' }), 'bad_request'],
    [Object.assign(new Error('NOAUTH Authentication required.'), { name: 'ReplyError' }), 'auth'],
    [Object.assign(new Error('SOMETHING new'), { name: 'ReplyError' }), 'other'],
  ])('%j is %s', (error, type) => {
    expect(dbErrorType(error)).toBe(type);
  });

  it('leaves what it does not know to the meter', () => {
    for (const value of [
      undefined,
      null,
      42,
      'text',
      {},
      new Error('x'),
      { code: 'ECONNREFUSED' },
      { code: '99999' },
      { code: 12345 },
    ]) {
      expect(dbErrorType(value)).toBeUndefined();
    }
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
      },
    );
    expect(dbErrorType(hostile)).toBeUndefined();
  });
});

describe('classifyDbError', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), true, 'connection'],
    [new Error('Query read timeout'), true, 'timeout'],
    [new Error('Command timed out'), true, 'timeout'],
    [Object.assign(new Error('Query inactivity timeout'), { code: 'PROTOCOL_SEQUENCE_TIMEOUT' }), true, 'timeout'],
    [new Error('Connection terminated unexpectedly'), true, 'stream_error'],
    [Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' }), true, 'stream_error'],
    [new Error('Connection is closed.'), true, 'stream_error'],
    // ioredis queued the command offline and the connection never came up.
    [new Error('Connection is closed.'), false, 'connection'],
    [{ code: '57014' }, true, 'cancelled'],
    [{ code: '42P01' }, true, 'bad_request'],
    [new Error('Connection terminated unexpectedly, and more'), true, 'other'],
    [undefined, true, 'other'],
  ])('%s (sent: %s) is %s', (error, sent, type) => {
    expect(classifyDbError(error, sent)).toBe(type);
  });
});
