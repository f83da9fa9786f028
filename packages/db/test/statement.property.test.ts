import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatementParser } from '../src/index.ts';
import { statement, TAINT, type Dialect } from './sql-generator.ts';

/** The bar: at least 10^5 generated statements per dialect. */
const RUNS = 100_000;

describe.each<Dialect>(['postgresql', 'mysql', 'sqlite'])('%s statements', (dialect) => {
  it(`label ${RUNS} generated statements with their main table and nothing from a literal or comment`, () => {
    const parser = new StatementParser(dialect);
    fc.assert(
      fc.property(statement(dialect), ({ sql, operation, table }) => {
        const shape = parser.shape(sql);
        expect(shape.operation).toBe(operation);
        expect(shape.table).toBe(table);
        for (const word of TAINT) expect(shape.table ?? '').not.toContain(word);
      }),
      { numRuns: RUNS, seed: 20 },
    );
  });
});
