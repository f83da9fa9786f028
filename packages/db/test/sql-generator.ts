import fc from 'fast-check';

/**
 * Generated SQL statements with their reference labels, for the lexer's property tests and for
 * the servers that check that each one is valid SQL. Literals, comments and quoted aliases are
 * full of words that a careless scanner reads as clauses (`FROM`, `INTO`), quote and comment
 * characters, and secret-shaped values; tables come from a fixed set that shares none of them.
 */
export type Dialect = 'postgresql' | 'mysql' | 'sqlite';

export interface Generated {
  readonly sql: string;
  readonly operation: string;
  /** The main table as labelled (unquoted names lower-cased), or undefined when none exists. */
  readonly table: string | undefined;
}

/** Words and values that must never reach a label. */
export const TAINT = [
  'from',
  'FROM',
  'into',
  'INTO',
  'jane_doe',
  'sk_live_51HxSECRETkey',
  'AKIAIOSFODNN7EXAMPLE',
  'hunter2',
  'evil_table',
  'update',
  'delete',
  'with',
  'select',
] as const;
const PIECES = [
  ...TAINT,
  ' ',
  ' ',
  "'",
  '"',
  '`',
  '\\',
  '$',
  '$$',
  '*/',
  '/*',
  '--',
  '#',
  '\n',
  ';',
  '(',
  ')',
  '[',
  ']',
  '.',
  '?',
  ':x',
  '@y',
  'é',
];

/** The tables every server has (created by the server test); `id` int and `name` text columns. */
export const TABLES = ['i20_items', 'i20_orders', 'i20_archive'] as const;

const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }).map((parts) => parts.join(''));
/** Removes every `banned` run, until none is left (removing one may join another). */
function strip(value: string, ...banned: string[]): string {
  let out = value;
  for (let before = ''; before !== out;) {
    before = out;
    for (const b of banned) out = out.split(b).join('');
  }
  return out;
}

/** A string literal written as the dialect allows, its text drawn from the tainted pieces. */
function literal(dialect: Dialect): fc.Arbitrary<string> {
  if (dialect === 'postgresql') {
    return fc.oneof(
      text.map((t) => `'${strip(t, '\\').replaceAll("'", "''")}'`),
      fc
        .tuple(fc.constantFrom('E', 'e'), text, fc.boolean())
        .map(([e, t, doubled]) => `${e}'${t.replaceAll('\\', '\\\\').replaceAll("'", doubled ? "''" : "\\'")}'`),
      text.map((t) => `$$${strip(t, '$')}$$`),
      text.map((t) => `$q_1$${t.replaceAll('$q_1$', '')}$q_1$`),
    );
  }
  if (dialect === 'mysql') {
    return fc.oneof(
      fc
        .tuple(text, fc.boolean())
        .map(([t, doubled]) => `'${t.replaceAll('\\', '\\\\').replaceAll("'", doubled ? "''" : "\\'")}'`),
      text.map((t) => `"${t.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`),
    );
  }
  return text.map((t) => `'${t.replaceAll("'", "''")}'`);
}

/** A comment in one of the dialect's forms (PostgreSQL's may nest). */
function comment(dialect: Dialect): fc.Arbitrary<string> {
  const line = text.map((t) => `-- ${strip(t, '\n')}\n`);
  const block = text.map((t) => `/* ${strip(t, '*/', '/*')} */`);
  if (dialect === 'postgresql') {
    return fc.oneof(
      line,
      block,
      fc.tuple(text, text).map(([a, b]) => `/* ${strip(a, '*/', '/*')} /* ${strip(b, '*/', '/*')} */ */`),
    );
  }
  if (dialect === 'mysql')
    return fc.oneof(
      line,
      block,
      text.map((t) => `# ${strip(t, '\n')}\n`),
    );
  return fc.oneof(line, block);
}

/** A quoted column alias: an identifier, but one that is never the table. */
function alias(dialect: Dialect): fc.Arbitrary<string> {
  const body = text.map((t) => strip(t, '\0').slice(0, 40)).filter((t) => t.trim() !== '');
  if (dialect === 'mysql') return body.map((t) => `\`${strip(t, ' ', '\n').replaceAll('`', '``') || 'a'}\``);
  return body.map((t) => `"${t.replaceAll('"', '""')}"`);
}

/** A table reference as written, and its label. */
function table(dialect: Dialect): fc.Arbitrary<[string, string]> {
  const schema = { postgresql: 'public', mysql: 'test', sqlite: 'main' }[dialect];
  const quote = dialect === 'mysql' ? (n: string) => `\`${n}\`` : (n: string) => `"${n}"`;
  // MySQL and MariaDB table names are case-sensitive on Linux: no upper-case form there.
  const forms =
    dialect === 'mysql'
      ? ['plain', 'quoted', 'schema', 'quotedSchema']
      : ['plain', 'upper', 'quoted', 'schema', 'quotedSchema'];
  return fc.tuple(fc.constantFrom(...TABLES), fc.constantFrom(...forms)).map(([name, form]) => {
    switch (form) {
      case 'upper':
        return [name.toUpperCase(), name];
      case 'quoted':
        return [quote(name), name];
      case 'schema':
        return [`${schema}.${name}`, `${schema}.${name}`];
      case 'quotedSchema':
        return [`${quote(schema)}.${quote(name)}`, `${schema}.${name}`];
      default:
        return [name, name];
    }
  });
}

/** Statements with a known main table, separated by whitespace or comments. */
export function statement(dialect: Dialect): fc.Arbitrary<Generated> {
  const gap = fc.oneof(
    { weight: 3, arbitrary: fc.constant(' ') },
    { weight: 1, arbitrary: comment(dialect).map((c) => ` ${c} `) },
  );
  const lit = literal(dialect);
  const value = fc.oneof(lit, fc.integer({ min: 0, max: 9 }).map(String));
  const column = fc.oneof(
    fc.constant('id'),
    fc.tuple(lit, alias(dialect)).map(([l, a]) => `${l} AS ${a}`),
    lit,
  );
  const columns = fc.array(column, { minLength: 1, maxLength: 3 }).map((c) => c.join(', '));
  // Without a FROM there is no column to name: literals only.
  const values = fc
    .array(
      fc.oneof(
        fc.tuple(lit, alias(dialect)).map(([l, a]) => `${l} AS ${a}`),
        lit,
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((c) => c.join(', '));
  const t = table(dialect);
  const shapes: fc.Arbitrary<[string[], string, string | undefined]>[] = [
    fc.tuple(columns, t, lit).map(([c, [n, l], v]) => [['SELECT', c, 'FROM', n, 'WHERE name =', v], 'SELECT', l]),
    fc.tuple(values).map(([c]) => [['SELECT', c], 'SELECT', undefined]),
    fc.tuple(t, value).map(([[n, l], v]) => [['INSERT INTO', n, '(id, name) VALUES (1,', v, ')'], 'INSERT', l]),
    fc
      .tuple(t, t, lit)
      .map(([[n, l], [m], v]) => [['INSERT INTO', n, '(id, name) SELECT id,', v, 'FROM', m, 'LIMIT 1'], 'INSERT', l]),
    fc.tuple(t, lit, lit).map(([[n, l], v, w]) => [['UPDATE', n, 'SET name =', v, 'WHERE name =', w], 'UPDATE', l]),
    fc.tuple(t, lit).map(([[n, l], v]) => [['DELETE FROM', n, 'WHERE name =', v], 'DELETE', l]),
    fc
      .tuple(t, lit, columns)
      .map(([[n, l], v, c]) => [
        ['WITH cte AS (SELECT id, name FROM', n, 'WHERE name =', v, ') SELECT', c, 'FROM cte'],
        'SELECT',
        l,
      ]),
    fc
      .tuple(t, t, lit)
      .map(([[n, l], [m], v]) => [
        ['SELECT id FROM', n, 'WHERE id IN (SELECT id FROM', m, 'WHERE name =', v, ')'],
        'SELECT',
        l,
      ]),
    fc
      .tuple(t, lit)
      .map(([[n], v]) => [
        ['SELECT s.id FROM (SELECT id, name FROM', n, 'WHERE name =', v, ') AS s'],
        'SELECT',
        undefined,
      ]),
  ];
  if (dialect === 'postgresql') {
    shapes.push(
      fc
        .tuple(t, lit)
        .map(([[n, l], v]) => [
          ['UPDATE', n, 'AS u SET name =', v, 'FROM i20_orders o WHERE o.id = u.id'],
          'UPDATE',
          l,
        ]),
      fc
        .tuple(t, lit)
        .map(([[n, l], v]) => [
          ['DELETE FROM', n, 'AS d USING i20_orders o WHERE o.id = d.id AND o.name =', v],
          'DELETE',
          l,
        ]),
    );
  }
  if (dialect === 'mysql') {
    // UPDATE ... FROM is PostgreSQL's; MySQL and MariaDB join instead.
    shapes.push(
      fc
        .tuple(t, lit)
        .map(([[n, l], v]) => [['UPDATE', n, 'AS u JOIN i20_orders o ON o.id = u.id SET u.name =', v], 'UPDATE', l]),
    );
  }
  return fc
    .tuple(fc.oneof(...shapes), gap, fc.array(gap, { minLength: 8, maxLength: 8 }), gap)
    .map(([[parts, operation, label], lead, gaps, tail]) => {
      let sql = lead.trimStart();
      parts.forEach((part, index) => {
        sql += (index === 0 ? '' : gaps[index % gaps.length]) + part;
      });
      return { sql: sql + tail.trimEnd(), operation, table: label };
    });
}
