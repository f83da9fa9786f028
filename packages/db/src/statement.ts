/** What a statement does, as far as its labels go: never its text or values. */
export interface StatementShape {
  /** Upper-case verb from a fixed set (`SELECT`, `INSERT`, ...), or `OTHER`. */
  readonly operation: string;
  /** The main table, when it can be read cheaply; unquoted names are lower-cased. */
  readonly table: string | undefined;
  /** Set when the statement ends a transaction. */
  readonly transaction: 'commit' | 'rollback' | undefined;
}

const OPERATIONS: ReadonlySet<string> = new Set([
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'VALUES', 'TABLE', 'BEGIN', 'COMMIT',
  'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'RENAME', 'GRANT',
  'REVOKE', 'SET', 'SHOW', 'EXPLAIN', 'ANALYZE', 'VACUUM', 'COPY', 'CALL', 'EXECUTE', 'PREPARE',
  'DEALLOCATE', 'LOCK', 'UNLOCK', 'LISTEN', 'NOTIFY', 'UNLISTEN', 'DO', 'DECLARE', 'FETCH', 'CLOSE',
  'MOVE', 'PRAGMA', 'ATTACH', 'DETACH', 'REINDEX', 'USE', 'DESCRIBE', 'REFRESH', 'CLUSTER', 'COMMENT',
  'DISCARD', 'RESET', 'LOAD', 'CHECKPOINT', 'OPTIMIZE', 'KILL', 'FLUSH', 'HANDLER', 'XA',
]);
const ALIASES: Readonly<Record<string, string>> = { START: 'BEGIN', END: 'COMMIT', ABORT: 'ROLLBACK', DESC: 'DESCRIBE' };
const MAIN_VERBS: ReadonlySet<string> = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'VALUES', 'TABLE']);
/** Words that may stand between a verb and its table (`INSERT IGNORE INTO`, `UPDATE ONLY`). */
const SKIPPED: ReadonlySet<string> = new Set([
  'IGNORE', 'LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'QUICK', 'ONLY', 'OR', 'ABORT', 'FAIL',
  'ROLLBACK', 'REPLACE', 'INTO', 'FROM', 'TABLE', 'IF', 'NOT', 'EXISTS', 'TEMP', 'TEMPORARY',
  'UNLOGGED', 'GLOBAL', 'LOCAL', 'VIRTUAL',
]);
const TABLE_NAME = /^[A-Za-z0-9_$.]{1,63}$/;
/** Only the head of a statement is read, so a huge statement costs no more than a small one. */
const SCAN_LIMIT = 4096;
const CACHE_LIMIT = 1000;
const CACHEABLE_LENGTH = 2048;

const OTHER: StatementShape = Object.freeze({ operation: 'OTHER', table: undefined, transaction: undefined });

/** Tokens at paren depth 0: words (upper-cased), quoted identifiers and single characters. */
interface Token {
  readonly text: string;
  readonly quoted: boolean;
  readonly raw: string;
}

class Scanner {
  private pos = 0;
  private depth = 0;
  private readonly sql: string;
  private readonly end: number;
  constructor(sql: string) {
    this.sql = sql;
    this.end = Math.min(sql.length, SCAN_LIMIT);
  }

  /** The next token at depth 0, skipping comments, literals and anything inside parentheses. */
  next(): Token | undefined {
    const { sql, end } = this;
    while (this.pos < end) {
      const c = sql.charCodeAt(this.pos);
      if (c <= 32 || c === 59 /* ; */) { this.pos++; continue; }
      if (c === 45 /* - */ && sql.charCodeAt(this.pos + 1) === 45) { this.skipTo('\n', 0); continue; }
      if (c === 47 /* / */ && sql.charCodeAt(this.pos + 1) === 42) { this.skipTo('*/', 2); continue; }
      if (c === 39 /* ' */) { this.skipTo("'", 1); continue; }
      if (c === 40 /* ( */) { this.pos++; if (++this.depth === 1) return { text: '(', quoted: false, raw: '(' }; continue; }
      if (c === 41 /* ) */) { this.depth = Math.max(0, this.depth - 1); this.pos++; continue; }
      if (c === 34 /* " */ || c === 96 /* ` */) {
        const start = this.pos + 1;
        this.skipTo(c === 34 ? '"' : '`', 1);
        if (this.depth === 0) { const raw = sql.slice(start, this.pos - 1); return { text: raw, quoted: true, raw }; }
        continue;
      }
      if (isWordStart(c)) {
        const start = this.pos;
        while (this.pos < end && isWordPart(sql.charCodeAt(this.pos))) this.pos++;
        if (this.depth === 0) { const raw = sql.slice(start, this.pos); return { text: raw.toUpperCase(), quoted: false, raw }; }
        continue;
      }
      this.pos++;
      if (this.depth === 0) return { text: String.fromCharCode(c), quoted: false, raw: String.fromCharCode(c) };
    }
    return undefined;
  }

  /** Reads the group just opened as if it were the top level, as in `(SELECT ...) UNION ...`. */
  enterGroup(): void {
    this.depth = 0;
  }

  private skipTo(closing: string, from: number): void {
    const found = this.sql.indexOf(closing, this.pos + from);
    this.pos = found === -1 || found >= this.end ? this.end : found + closing.length;
  }
}

function isWordStart(c: number): boolean {
  // Non-ASCII letters are read as part of a word, so `tëst` is one (unlabelled) name, not `t`.
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
}
function isWordPart(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
}

/** Reads `name`, `schema.name`, `"Quoted"` or `` `quoted` `` from the scanner. */
function readTable(scanner: Scanner, first: Token | undefined): string | undefined {
  let token = first;
  const parts: string[] = [];
  while (token !== undefined && (token.quoted || isWordStart(token.text.charCodeAt(0)))) {
    parts.push(token.quoted ? token.raw : token.raw.toLowerCase());
    const dot = scanner.next();
    if (dot?.text !== '.') break;
    token = scanner.next();
  }
  const name = parts.join('.');
  return TABLE_NAME.test(name) ? name : undefined;
}

function tableAfter(scanner: Scanner, keyword: string | undefined): string | undefined {
  let token = scanner.next();
  if (keyword !== undefined) {
    while (token !== undefined && token.text !== keyword) token = scanner.next();
    token = scanner.next();
  }
  while (token !== undefined && !token.quoted && SKIPPED.has(token.text)) token = scanner.next();
  return readTable(scanner, token);
}

function parse(sql: string): StatementShape {
  const scanner = new Scanner(sql);
  let token = scanner.next();
  while (token?.text === '(') {
    scanner.enterGroup();
    token = scanner.next();
  }
  if (token === undefined || token.quoted) return OTHER;
  let verb = ALIASES[token.text] ?? token.text;
  if (verb === 'WITH') {
    do token = scanner.next(); while (token !== undefined && (token.quoted || !MAIN_VERBS.has(token.text)));
    if (token === undefined) return OTHER;
    verb = token.text;
  }
  if (!OPERATIONS.has(verb)) return OTHER;
  let table: string | undefined;
  let transaction: StatementShape['transaction'];
  switch (verb) {
    case 'SELECT': case 'DELETE': table = tableAfter(scanner, 'FROM'); break;
    case 'INSERT': case 'REPLACE': case 'MERGE': table = tableAfter(scanner, 'INTO'); break;
    case 'UPDATE': case 'TRUNCATE': case 'COPY': case 'TABLE': table = tableAfter(scanner, undefined); break;
    case 'CREATE': case 'DROP': case 'ALTER': table = ddlTable(scanner); break;
    case 'COMMIT': transaction = 'commit'; break;
    case 'ROLLBACK': {
      const next = scanner.next();
      // ROLLBACK TO SAVEPOINT undoes part of a transaction, which goes on.
      transaction = next?.text === 'TO' || (next?.text === 'WORK' && scanner.next()?.text === 'TO') ? undefined : 'rollback';
      break;
    }
  }
  return { operation: verb, table, transaction };
}

function ddlTable(scanner: Scanner): string | undefined {
  let token = scanner.next();
  while (token !== undefined && !token.quoted && token.text !== 'TABLE' && SKIPPED.has(token.text)) token = scanner.next();
  return token?.text === 'TABLE' ? tableAfter(scanner, undefined) : undefined;
}

/**
 * Parses statements with a bounded cache: applications repeat a small set of statements, so
 * most calls are one Map lookup. Hostile or huge statements are read only up to SCAN_LIMIT.
 */
export class StatementParser {
  private readonly cache = new Map<string, StatementShape>();

  shape(statement: unknown): StatementShape {
    if (typeof statement !== 'string') return OTHER;
    const cached = this.cache.get(statement);
    if (cached !== undefined) return cached;
    const shape = parse(statement);
    if (statement.length <= CACHEABLE_LENGTH) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(statement, shape);
    }
    return shape;
  }

  get cacheSize(): number {
    return this.cache.size;
  }
}

/** One parser per process: statements are the same whichever client runs them. */
export const statementParser: StatementParser = new StatementParser();
