import { dialectOf, Kind, lex, type SqlDialect, type Token } from './sql-lexer.ts';
import { ALIASES, MODIFIERS, OPERATIONS, RESERVED } from './sql-keywords.ts';

export type { SqlDialect } from './sql-lexer.ts';

/** What a statement does, as far as its labels go: never its text or values. */
export interface StatementShape {
  /** Upper-case verb from a fixed set (`SELECT`, `INSERT`, ...), or `OTHER`. */
  readonly operation: string;
  /** The main table, when the statement names one; unquoted names are lower-cased. */
  readonly table: string | undefined;
  /** Set when the statement ends a transaction. */
  readonly transaction: 'commit' | 'rollback' | undefined;
}

const TABLE_NAME = /^[A-Za-z0-9_$.]{1,63}$/;
/** Only the head of a statement is read, so a huge statement costs no more than a small one. */
const SCAN_LIMIT = 4096;
const CACHE_LIMIT = 1000;
const CACHEABLE_LENGTH = 2048;
/** CTEs that refer to CTEs are followed this deep. */
const MAX_CTE_DEPTH = 8;

const OTHER: StatementShape = Object.freeze({ operation: 'OTHER', table: undefined, transaction: undefined });

interface Cte {
  readonly name: string;
  readonly body: Token[];
}

/** One statement's top-level tokens, read left to right. */
class Reader {
  readonly tokens: Token[];
  readonly base: number;
  i = 0;
  constructor(tokens: Token[], base: number, start: number) {
    this.tokens = tokens;
    this.base = base;
    this.i = start;
  }

  get token(): Token | undefined {
    return this.tokens[this.i];
  }

  /** The token's upper-cased word, or undefined when it is not a bare word. */
  get word(): string | undefined {
    const token = this.tokens[this.i];
    return token?.kind === Kind.Word ? token.text : undefined;
  }

  is(symbol: string): boolean {
    const token = this.tokens[this.i];
    return token?.kind === Kind.Symbol && token.text === symbol;
  }

  /** Moves past a parenthesised group that starts here; returns its inner tokens. */
  group(): Token[] | undefined {
    if (!this.is('(')) return undefined;
    const depth = this.tokens[this.i]!.depth;
    const start = ++this.i;
    while (this.i < this.tokens.length && !(this.tokens[this.i]!.depth === depth && this.is(')'))) this.i++;
    const inner = this.tokens.slice(start, this.i);
    this.i++;
    return inner;
  }

  /** Moves past `word` when it is the next token. */
  accept(word: string): boolean {
    if (this.word !== word) return false;
    this.i++;
    return true;
  }

  skip(words: ReadonlySet<string>): void {
    while (this.word !== undefined && words.has(this.word)) this.i++;
  }

  /** Finds the next top-level `keyword` (an `IS [NOT] DISTINCT FROM` is an operator, not a clause). */
  seek(keyword: string): boolean {
    for (; this.i < this.tokens.length; this.i++) {
      const token = this.tokens[this.i]!;
      if (token.depth !== this.base || token.kind !== Kind.Word || token.text !== keyword) continue;
      if (
        keyword === 'FROM' &&
        this.tokens[this.i - 1]?.text === 'DISTINCT' &&
        this.i >= 2 &&
        ['IS', 'NOT'].includes(this.tokens[this.i - 2]!.text)
      )
        continue;
      this.i++;
      return true;
    }
    return false;
  }

  /** Reads `name`, `schema.name`, `db.schema.name`, quoted parts included; undefined for anything else. */
  name(): { name: string; bare: boolean } | undefined {
    const parts: string[] = [];
    let bare = true;
    for (;;) {
      const token = this.token;
      if (token?.kind === Kind.Word && !RESERVED.has(token.text)) parts.push(token.raw.toLowerCase());
      else if (token?.kind === Kind.Quoted && token.raw !== '') {
        parts.push(token.raw);
        bare = false;
      } else return undefined;
      this.i++;
      if (!this.is('.') || parts.length === 3) break;
      this.i++;
    }
    const name = parts.join('.');
    return TABLE_NAME.test(name) ? { name, bare: bare && parts.length === 1 } : undefined;
  }
}

function firstStatement(tokens: Token[]): Token[] {
  const end = tokens.findIndex((t) => t.depth === 0 && t.kind === Kind.Symbol && t.text === ';');
  return end === -1 ? tokens : tokens.slice(0, end);
}

function analyze(tokens: Token[], level: number, outer: readonly Cte[]): StatementShape {
  let start = 0;
  // `(SELECT ...) UNION (SELECT ...)`: the first group is read as the statement.
  while (tokens[start]?.kind === Kind.Symbol && tokens[start]!.text === '(') start++;
  const base = tokens[start]?.depth ?? 0;
  const reader = new Reader(tokens, base, start);
  let verb = reader.word;
  if (verb === undefined) return OTHER;
  verb = ALIASES[verb] ?? verb;
  const ctes: Cte[] = [...outer];
  if (verb === 'WITH') {
    reader.i++;
    reader.accept('RECURSIVE');
    for (;;) {
      const token = reader.token;
      if (token === undefined || (token.kind !== Kind.Word && token.kind !== Kind.Quoted)) return OTHER;
      const name = token.kind === Kind.Word ? token.raw.toLowerCase() : token.raw;
      reader.i++;
      reader.group(); // column names
      if (!reader.accept('AS')) return OTHER;
      reader.accept('NOT');
      reader.accept('MATERIALIZED');
      const body = reader.group();
      if (body === undefined) return OTHER;
      ctes.push({ name, body });
      if (!reader.is(',')) break;
      reader.i++;
    }
    verb = reader.word;
    if (verb === undefined || !['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'VALUES', 'TABLE'].includes(verb))
      return OTHER;
  }
  if (!OPERATIONS.has(verb)) return OTHER;
  reader.i++;
  const shape = (table: string | undefined, transaction?: 'commit' | 'rollback'): StatementShape => ({
    operation: verb,
    table,
    transaction,
  });
  switch (verb) {
    case 'SELECT':
      return shape(reader.seek('FROM') ? source(reader, level, ctes) : undefined);
    case 'TABLE':
      return shape(source(reader, level, ctes));
    case 'DELETE':
      reader.skip(MODIFIERS);
      if (reader.word === 'FROM') reader.i++;
      return shape(target(reader));
    case 'INSERT':
    case 'REPLACE':
    case 'MERGE':
    case 'UPDATE':
    case 'TRUNCATE':
      return shape(target(reader));
    case 'COPY':
      return shape(reader.is('(') ? undefined : target(reader));
    case 'CREATE':
    case 'DROP':
    case 'ALTER':
      while (reader.word !== undefined && reader.word !== 'TABLE' && MODIFIERS.has(reader.word)) reader.i++;
      return shape(reader.word === 'TABLE' ? target(reader) : undefined);
    case 'COMMIT':
      return shape(undefined, reader.word === 'PREPARED' ? undefined : 'commit');
    case 'ROLLBACK': {
      // ROLLBACK TO SAVEPOINT undoes part of a transaction, which goes on; PREPARED ends another one.
      if (reader.word === 'WORK' || reader.word === 'TRANSACTION') reader.i++;
      return shape(undefined, reader.word === 'TO' || reader.word === 'PREPARED' ? undefined : 'rollback');
    }
    default:
      return shape(undefined);
  }
}

/** The table a statement writes to, after its modifiers. */
function target(reader: Reader): string | undefined {
  reader.skip(MODIFIERS);
  return reader.name()?.name;
}

/** The table a query reads first: a CTE's name stands for the CTE's own main table. */
function source(reader: Reader, level: number, ctes: readonly Cte[]): string | undefined {
  reader.skip(MODIFIERS);
  const found = reader.name();
  // A name followed by `(` is a function (`FROM generate_series(1, 3)`), not a table.
  if (found === undefined || reader.is('(')) return undefined;
  for (let index = ctes.length - 1; index >= 0; index--) {
    const cte = ctes[index]!;
    if (cte.name !== found.name) continue;
    if (level >= MAX_CTE_DEPTH) return undefined;
    return analyze(cte.body, level + 1, ctes.slice(0, index)).table;
  }
  return found.name;
}

function parse(sql: string, dialect: SqlDialect): StatementShape {
  const lexed = lex(sql, dialect, SCAN_LIMIT);
  // Text inside /*! ... */ runs on MySQL: the statement cannot be read from what is outside.
  if (lexed.executableComment) return OTHER;
  const shape = analyze(firstStatement(lexed.tokens), 0, []);
  if (!lexed.backslashInString) return shape;
  // A backslash in a plain string means one thing with standard_conforming_strings on (the
  // default) and another with it off: a label is kept only where both readings agree.
  const other = analyze(firstStatement(lex(sql, dialect, SCAN_LIMIT, true).tokens), 0, []);
  if (other.operation === shape.operation && other.table === shape.table && other.transaction === shape.transaction)
    return shape;
  return other.operation === shape.operation
    ? { operation: shape.operation, table: undefined, transaction: undefined }
    : OTHER;
}

/**
 * Parses statements with a bounded cache: applications repeat a small set of statements, so
 * most calls are one Map lookup. Hostile or huge statements are read only up to SCAN_LIMIT.
 */
export class StatementParser {
  private readonly cache = new Map<string, StatementShape>();
  /** The lexical rules statements are read by. */
  readonly dialect: SqlDialect;

  /** `dialect` is a lexical dialect (`postgresql`, `mysql`, `sqlite`, `ansi`) or any `db.system.name`. */
  constructor(dialect: string = 'ansi') {
    this.dialect = typeof dialect === 'string' ? dialectOf(dialect) : 'ansi';
  }

  shape(statement: unknown): StatementShape {
    if (typeof statement !== 'string') return OTHER;
    const cached = this.cache.get(statement);
    if (cached !== undefined) return cached;
    const shape = Object.freeze(parse(statement, this.dialect));
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

const parsers = new Map<SqlDialect, StatementParser>();

/** One parser per dialect and process: statements are the same whichever client runs them. */
export function statementParser(dbSystem: string): StatementParser {
  const dialect = dialectOf(dbSystem);
  let parser = parsers.get(dialect);
  if (parser === undefined) {
    parser = new StatementParser(dialect);
    parsers.set(dialect, parser);
  }
  return parser;
}

/** The `db.query.summary` of a shape: `SELECT users`, or the operation alone. */
export function querySummary(shape: StatementShape, table: string | undefined): string {
  return table === undefined ? shape.operation : `${shape.operation} ${table}`;
}
