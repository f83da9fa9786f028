import { describe, expect, it } from 'vitest';
import { dbErrorType } from '../src/errors.ts';

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
    for (const value of [undefined, null, 42, 'text', {}, new Error('x'), { code: 'ECONNREFUSED' }, { code: '99999' }, { code: 12345 }]) {
      expect(dbErrorType(value)).toBeUndefined();
    }
    const hostile = new Proxy({}, { get() { throw new Error('no'); } });
    expect(dbErrorType(hostile)).toBeUndefined();
  });
});
