/**
 * A SQL lexer written to each dialect's documented lexical rules, so that nothing inside a
 * literal or a comment is ever read as a keyword or a name:
 * - PostgreSQL (and PGlite): `'...'` with `''`, `E'...'` with backslash escapes, `$$...$$` and
 *   `$tag$...$tag$` dollar quotes, `"..."` identifiers, `--` and nested `/* ... *\/` comments
 *   (PostgreSQL manual, "Lexical Structure").
 * - MySQL and MariaDB in their default SQL mode: `'...'` and `"..."` strings with backslash
 *   escapes and doubled quotes, `` `...` `` identifiers, `#`, `-- ` and `/* ... *\/` comments
 *   (MySQL manual, "String Literals", "Comments").
 * - SQLite: `'...'`, `"..."`, `` `...` `` and `[...]` quoting, `--` and `/* ... *\/` comments
 *   (SQLite's tokenize.c).
 * - Anything else: ANSI SQL (`'...'`, `"..."`, `--`, `/* ... *\/`).
 */

export type SqlDialect = 'postgresql' | 'mysql' | 'sqlite' | 'ansi';

/** Token kinds (a plain object: the sources run under Node's type stripping, which has no enums). */
export const Kind = {
  /** A keyword or an unquoted name: `text` is upper-cased, `raw` as written. */
  Word: 0,
  /** A quoted identifier: `raw` is the name inside the quotes. */
  Quoted: 1,
  /** A string, number, blob or parameter: its text is never kept. */
  Literal: 2,
  /** One punctuation or operator character. */
  Symbol: 3,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export interface Token {
  readonly kind: Kind;
  readonly text: string;
  readonly raw: string;
  /** Parenthesis depth at the token (a `(` has the depth outside it). */
  readonly depth: number;
}

export interface Lexed {
  readonly tokens: Token[];
  /**
   * PostgreSQL only: a plain `'...'` string held a backslash, which standard_conforming_strings
   * (on by default since 9.1) decides the meaning of.
   */
  readonly backslashInString: boolean;
  /** MySQL only: a `/*! ... *\/` comment, whose text the server runs as SQL. */
  readonly executableComment: boolean;
}

const EMPTY = '';
const NUMBER = /^(?:\d*\.?\d*(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|0[bB][01]+)$/;

function isWordStart(c: number): boolean {
  // Non-ASCII letters belong to names in every dialect, so `tëst` is one (unlabelled) name.
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isWordPart(c: number, dialect: SqlDialect): boolean {
  return isWordStart(c) || isDigit(c) || (c === 36 /* $ */ && dialect !== 'ansi');
}

class Lexer {
  readonly tokens: Token[] = [];
  backslashInString = false;
  executableComment = false;
  private pos = 0;
  private depth = 0;
  private readonly sql: string;
  private readonly end: number;
  private readonly dialect: SqlDialect;
  /** Whether plain `'...'` strings take backslash escapes (PostgreSQL with standard_conforming_strings off). */
  private readonly plainBackslash: boolean;

  constructor(sql: string, end: number, dialect: SqlDialect, plainBackslash: boolean) {
    this.sql = sql;
    this.end = end;
    this.dialect = dialect;
    this.plainBackslash = plainBackslash;
  }

  run(): void {
    const { sql, end, dialect } = this;
    while (this.pos < end) {
      const c = sql.charCodeAt(this.pos);
      const next = sql.charCodeAt(this.pos + 1);
      if (c <= 32) this.pos++;
      else if (c === 45 /* - */ && next === 45 && this.dashComment()) this.pos = this.lineEnd();
      else if (c === 35 /* # */ && dialect === 'mysql') this.pos = this.lineEnd();
      else if (c === 47 /* / */ && next === 42 /* * */) this.blockComment();
      else if (c === 39 /* ' */) this.quoted(39, this.dialect === 'mysql' || this.plainBackslash, Kind.Literal);
      else if (c === 34 /* " */) this.quoted(34, dialect === 'mysql', dialect === 'mysql' ? Kind.Literal : Kind.Quoted);
      else if (c === 96 /* ` */ && dialect !== 'postgresql' && dialect !== 'ansi') this.quoted(96, false, Kind.Quoted);
      else if (c === 91 /* [ */ && dialect === 'sqlite') this.bracketed();
      else if (c === 36 /* $ */ && dialect === 'postgresql' && this.dollarQuote()) continue;
      else if (isWordStart(c)) this.word();
      else if (isDigit(c) || (c === 46 /* . */ && isDigit(next))) this.number();
      else if (this.isParameter(c, next)) this.parameter();
      else this.symbol(c);
    }
  }

  private push(kind: Kind, text: string, raw: string, depth = this.depth): void {
    this.tokens.push({ kind, text, raw, depth });
  }

  /** MySQL and MariaDB need a space or control character after `--` (or the end). */
  private dashComment(): boolean {
    if (this.dialect !== 'mysql') return true;
    const after = this.sql.charCodeAt(this.pos + 2);
    return Number.isNaN(after) || after <= 32;
  }

  private lineEnd(): number {
    const found = this.sql.indexOf('\n', this.pos);
    return found === -1 || found >= this.end ? this.end : found + 1;
  }

  /** PostgreSQL nests block comments; the others end at the first `*\/`. */
  private blockComment(): void {
    const { sql, end } = this;
    if (this.dialect === 'mysql' && sql.charCodeAt(this.pos + 2) === 33 /* ! */) this.executableComment = true;
    let level = 0;
    let i = this.pos;
    while (i < end) {
      if (sql.charCodeAt(i) === 47 && sql.charCodeAt(i + 1) === 42) {
        level++;
        i += 2;
        if (this.dialect !== 'postgresql' && level > 1) level = 1;
      } else if (sql.charCodeAt(i) === 42 && sql.charCodeAt(i + 1) === 47) {
        i += 2;
        if (--level === 0) break;
      } else i++;
    }
    this.pos = Math.min(i, end);
  }

  /** A quoted run closed by `quote`, where a doubled quote (and, if `backslash`, `\x`) escapes. */
  private quoted(quote: number, backslash: boolean, kind: Kind): void {
    const { sql, end } = this;
    const start = this.pos + 1;
    let i = start;
    let escaped = false;
    while (i < end) {
      const c = sql.charCodeAt(i);
      if (c === 92 /* \ */ && backslash) {
        i += 2;
        escaped = true;
      } else if (c === quote) {
        if (sql.charCodeAt(i + 1) !== quote) break;
        i += 2;
        escaped = true;
      } else {
        if (c === 92 && quote === 39 && this.dialect === 'postgresql') this.backslashInString = true;
        i++;
      }
    }
    this.pos = Math.min(i + 1, end);
    if (kind === Kind.Quoted) {
      const inner = sql.slice(start, Math.min(i, end));
      // A name with an escaped quote inside is never a label; keep it out of table names.
      this.push(kind, escaped ? EMPTY : inner, escaped ? EMPTY : inner);
    } else this.push(Kind.Literal, EMPTY, EMPTY);
  }

  private bracketed(): void {
    const found = this.sql.indexOf(']', this.pos + 1);
    const close = found === -1 || found >= this.end ? this.end : found;
    const inner = this.sql.slice(this.pos + 1, close);
    this.pos = Math.min(close + 1, this.end);
    this.push(Kind.Quoted, inner, inner);
  }

  /** `$$...$$` or `$tag$...$tag$`; false for `$1` and a lone `$`, read otherwise. */
  private dollarQuote(): boolean {
    const { sql, end } = this;
    let i = this.pos + 1;
    if (isWordStart(sql.charCodeAt(i))) {
      while (i < end && (isWordStart(sql.charCodeAt(i)) || isDigit(sql.charCodeAt(i)))) i++;
    }
    if (sql.charCodeAt(i) !== 36) return false;
    const delimiter = sql.slice(this.pos, i + 1);
    const found = sql.indexOf(delimiter, i + 1);
    this.pos = found === -1 || found >= end ? end : found + delimiter.length;
    this.push(Kind.Literal, EMPTY, EMPTY);
    return true;
  }

  private word(): void {
    const { sql, end, dialect } = this;
    const start = this.pos;
    let i = start + 1;
    while (i < end && isWordPart(sql.charCodeAt(i), dialect)) i++;
    const raw = sql.slice(start, i);
    this.pos = i;
    const after = sql.charCodeAt(i);
    if (after === 39 && dialect === 'postgresql' && (raw === 'E' || raw === 'e')) {
      this.quoted(39, true, Kind.Literal);
      return;
    }
    if (after === 39 && /^[BbXxNn]$/.test(raw)) return; // a prefix: the string follows
    const quote = sql.charCodeAt(i + 1);
    if (after === 38 /* & */ && (raw === 'U' || raw === 'u') && (quote === 39 || quote === 34) && dialect !== 'mysql') {
      this.pos = i + 1; // U&'...' and U&"...": the quoted run follows
      return;
    }
    // MySQL charset introducers (`_utf8mb4'text'`) are a prefix too.
    if (after === 39 && dialect === 'mysql' && raw.charCodeAt(0) === 95) return;
    this.push(Kind.Word, raw.toUpperCase(), raw);
  }

  private number(): void {
    const { sql, end } = this;
    let i = this.pos + 1;
    while (i < end) {
      const c = sql.charCodeAt(i);
      if (isDigit(c) || c === 46 || c === 95 || isWordStart(c)) i++;
      else if ((c === 43 || c === 45) && (sql.charCodeAt(i - 1) | 32) === 101 /* e */) i++;
      else break;
    }
    const raw = sql.slice(this.pos, i);
    this.pos = i;
    // MySQL names may start with a digit (`1st_table`); a plain number is a literal.
    if (this.dialect === 'mysql' && !NUMBER.test(raw)) this.push(Kind.Word, raw.toUpperCase(), raw);
    else this.push(Kind.Literal, EMPTY, EMPTY);
  }

  /** `$1`, `?1`, `:name`, `@name`, `$name` (SQLite), and MySQL's `@var` and `@@var`. */
  private isParameter(c: number, next: number): boolean {
    if (this.dialect === 'mysql') return c === 64 && (isWordPart(next, 'mysql') || next === 64);
    return (c === 36 || c === 63 || c === 58 || c === 64) && isWordPart(next, 'mysql');
  }

  private parameter(): void {
    if (this.sql.charCodeAt(this.pos + 1) === 64) this.pos++;
    let i = this.pos + 1;
    while (i < this.end && isWordPart(this.sql.charCodeAt(i), 'mysql')) i++;
    this.pos = i;
    this.push(Kind.Literal, EMPTY, EMPTY);
  }

  private symbol(c: number): void {
    this.pos++;
    const text = String.fromCharCode(c);
    if (c === 40 /* ( */) {
      this.push(Kind.Symbol, text, text);
      this.depth++;
    } else if (c === 41 /* ) */) {
      this.depth = Math.max(0, this.depth - 1);
      this.push(Kind.Symbol, text, text);
    } else this.push(Kind.Symbol, text, text);
  }
}

/** Lexes the first `limit` characters of `sql` by `dialect`'s rules. */
export function lex(sql: string, dialect: SqlDialect, limit: number, plainBackslash = false): Lexed {
  const lexer = new Lexer(sql, Math.min(sql.length, limit), dialect, plainBackslash);
  lexer.run();
  return {
    tokens: lexer.tokens,
    backslashInString: lexer.backslashInString,
    executableComment: lexer.executableComment,
  };
}

const DIALECTS: Readonly<Record<string, SqlDialect>> = {
  postgresql: 'postgresql',
  pglite: 'postgresql',
  cockroachdb: 'postgresql',
  yugabytedb: 'postgresql',
  redshift: 'postgresql',
  timescaledb: 'postgresql',
  mysql: 'mysql',
  mariadb: 'mysql',
  tidb: 'mysql',
  singlestore: 'mysql',
  sqlite: 'sqlite',
  libsql: 'sqlite',
  d1: 'sqlite',
};

/** The lexical dialect of a `db.system.name`; unknown systems are read as ANSI SQL. */
export function dialectOf(dbSystem: string): SqlDialect {
  return DIALECTS[dbSystem] ?? 'ansi';
}
