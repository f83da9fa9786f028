import type { ErrorType } from '@agentmeter/core';

/** SQLSTATE classes (the first two characters), shared by PostgreSQL and MySQL/MariaDB. */
const SQLSTATE_CLASSES: Readonly<Record<string, ErrorType>> = {
  '08': 'connection', // connection exception
  '22': 'bad_request', // data exception
  '23': 'bad_request', // integrity constraint violation
  '28': 'auth', // invalid authorization specification
  '3D': 'bad_request', // invalid catalog name
  '3F': 'bad_request', // invalid schema name
  '42': 'bad_request', // syntax error or access rule violation
  '53': 'server_error', // insufficient resources
  '54': 'bad_request', // program limit exceeded
  '57': 'server_error', // operator intervention (57014 is a cancel, below)
  '58': 'server_error', // system error
  XX: 'server_error', // internal error
};
const SQLSTATE = /^[0-9A-Z]{5}$/;
const REDIS_PREFIXES: Readonly<Record<string, ErrorType>> = {
  ERR: 'bad_request', WRONGTYPE: 'bad_request', NOSCRIPT: 'bad_request', NOAUTH: 'auth', WRONGPASS: 'auth',
  NOPERM: 'auth', LOADING: 'server_error', READONLY: 'server_error', BUSY: 'server_error', OOM: 'server_error',
};

function read(value: unknown, key: string): unknown {
  try {
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

const STATUS_CODE = /^[A-Za-z0-9_]{1,40}$/;

/**
 * `db.response.status_code`: the code the database itself gave for an error (a SQLSTATE from
 * PostgreSQL and PGlite, MySQL's or MariaDB's error number, an SQLite result code, a Redis
 * reply prefix). Undefined for errors the database did not report (a refused connection).
 */
export function dbStatusCode(error: unknown): string | undefined {
  const code = read(error, 'sqlState') !== undefined ? read(error, 'errno') : read(error, 'code');
  const value = typeof code === 'number' && Number.isInteger(code) ? String(code) : code;
  if (typeof value === 'string' && STATUS_CODE.test(value) && (SQLSTATE.test(value) || /^\d+$/.test(value) || value.startsWith('SQLITE_'))) return value;
  if (read(error, 'name') === 'ReplyError') {
    const message = read(error, 'message');
    const prefix = typeof message === 'string' ? message.split(' ', 1)[0]! : '';
    if (prefix in REDIS_PREFIXES) return prefix;
  }
  return undefined;
}

/**
 * The taxonomy type of a database error, from what the driver reports: a SQLSTATE (pg's `code`,
 * mysql2's `sqlState`), an SQLite result code, or a Redis reply prefix. Undefined when the
 * error says none of these; the meter's classifyError then decides (timeouts, ECONNREFUSED, ...).
 */
export function dbErrorType(error: unknown): ErrorType | undefined {
  const sqlState = read(error, 'sqlState') ?? read(error, 'code');
  if (typeof sqlState === 'string' && SQLSTATE.test(sqlState)) {
    if (sqlState === '57014') return 'cancelled';
    if (sqlState === '57P03') return 'connection';
    const type = SQLSTATE_CLASSES[sqlState.slice(0, 2)];
    if (type !== undefined) return type;
  }
  const code = read(error, 'code');
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    if (code === 'SQLITE_ERROR' || code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_RANGE') return 'bad_request';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'timeout';
    if (code.startsWith('SQLITE_AUTH') || code.startsWith('SQLITE_PERM')) return 'auth';
    return 'server_error';
  }
  if (read(error, 'name') === 'ReplyError') {
    const message = read(error, 'message');
    const prefix = typeof message === 'string' ? message.split(' ', 1)[0]! : '';
    return REDIS_PREFIXES[prefix] ?? 'other';
  }
  return undefined;
}
