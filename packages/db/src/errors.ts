import { classifyFailure, type ErrorType, type FailurePhase } from '@agentmeter/core';

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
/** MySQL and MariaDB error numbers for a privilege the user lacks (their SQLSTATE 42000 is shared with syntax errors). */
const MYSQL_ACCESS_DENIED: ReadonlySet<unknown> = new Set([1044, 1142, 1143, 1227, 1370]);
/**
 * Driver failures that carry no SQLSTATE: a client-side timeout, or an established connection
 * lost while a query was in flight (the database analog of a body cut mid-stream). Matched on the
 * driver's code or its fixed message (pg and ioredis give no code), never a message's content.
 */
const DRIVER_FAILURES: Readonly<Record<string, readonly [ErrorType, FailurePhase]>> = {
  PROTOCOL_SEQUENCE_TIMEOUT: ['timeout', 'request'], // mysql2 query({ timeout })
  PROTOCOL_CONNECTION_LOST: ['connection', 'body'], // mysql2: the server closed the connection mid-query
  'Query read timeout': ['timeout', 'request'], // pg query_timeout
  'Connection terminated unexpectedly': ['connection', 'body'], // pg: the connection dropped mid-query
  'Command timed out': ['timeout', 'request'], // ioredis commandTimeout
  'Connection is closed.': ['connection', 'body'], // ioredis: the connection closed with the command pending
};
const REDIS_PREFIXES: Readonly<Record<string, ErrorType>> = {
  ERR: 'bad_request',
  WRONGTYPE: 'bad_request',
  NOSCRIPT: 'bad_request',
  NOAUTH: 'auth',
  WRONGPASS: 'auth',
  NOPERM: 'auth',
  LOADING: 'server_error',
  READONLY: 'server_error',
  BUSY: 'server_error',
  OOM: 'server_error',
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
  if (
    typeof value === 'string' &&
    STATUS_CODE.test(value) &&
    (SQLSTATE.test(value) || /^\d+$/.test(value) || value.startsWith('SQLITE_'))
  )
    return value;
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
    if (sqlState === '57014' || sqlState === '70100') return 'cancelled'; // a cancelled or killed query
    if (sqlState === '42501' || MYSQL_ACCESS_DENIED.has(read(error, 'errno'))) return 'auth'; // insufficient privilege
    if (sqlState === '57P03') return 'connection';
    const type = SQLSTATE_CLASSES[sqlState.slice(0, 2)];
    if (type !== undefined) return type;
  }
  const code = read(error, 'code');
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    if (
      code === 'SQLITE_ERROR' ||
      code.startsWith('SQLITE_CONSTRAINT') ||
      code === 'SQLITE_MISMATCH' ||
      code === 'SQLITE_RANGE'
    )
      return 'bad_request';
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

function driverFailure(error: unknown): readonly [ErrorType, FailurePhase] | undefined {
  const code = read(error, 'code');
  if (typeof code === 'string' && Object.hasOwn(DRIVER_FAILURES, code)) return DRIVER_FAILURES[code];
  const message = read(error, 'message');
  return typeof message === 'string' && message.length < 40 && Object.hasOwn(DRIVER_FAILURES, message)
    ? DRIVER_FAILURES[message]
    : undefined;
}

/**
 * The `error_type` of a failed query, decided by core's classifyFailure (the one phase rule every
 * wrapper follows). The database's own code (dbErrorType) or a driver failure is the known type;
 * an established connection lost with the query in flight is the body phase, so `stream_error`,
 * where a connection that never came up is `connection`. `sent` is false when the wrapper knows
 * the query never went out (ioredis queued it offline): then a closed connection is `connection`.
 */
export function classifyDbError(error: unknown, sent = true): ErrorType {
  const driver = driverFailure(error);
  const phase = driver !== undefined && driver[1] === 'body' && sent ? 'body' : 'request';
  return classifyFailure(error, phase, dbErrorType(error) ?? driver?.[0]);
}
