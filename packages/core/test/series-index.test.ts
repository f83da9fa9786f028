import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const INDEX = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const TESTING = fileURLToPath(new URL('../src/testing.ts', import.meta.url));

/** Records a few series and prints each series' value, in a process started with `flags`. */
function recordIn(flags: string[]): unknown {
  const script = `
    const { createAgentMeter } = await import(${JSON.stringify(INDEX)});
    const { createTestReader } = await import(${JSON.stringify(TESTING)});
    const meter = createAgentMeter({ attributes: { requests: ['constructor'] } });
    const reader = createTestReader(meter);
    const { llmTokens, requests } = meter.instruments;
    for (const model of ['a', 'b', 'a', 'c', 'a']) llmTokens.add(2, { provider: 'openai', model, token_type: 'input' });
    llmTokens.add(1, { provider: 'openai', model: 'a' });
    requests.add(1, {});
    requests.add(1, { constructor: 'x' });
    requests.add(1, {});
    const data = await reader.collect();
    console.log(JSON.stringify({
      a: data.value('agentmeter.llm.tokens', { provider: 'openai', model: 'a', token_type: 'input' }),
      b: data.value('agentmeter.llm.tokens', { provider: 'openai', model: 'b', token_type: 'input' }),
      noType: data.value('agentmeter.llm.tokens', { provider: 'openai', model: 'a' }),
      series: data.points('agentmeter.llm.tokens').length,
      requests: data.points('agentmeter.requests').length,
    }));
    await reader.shutdown();`;
  const out = execFileSync(
    process.execPath,
    [...flags, '--conditions=@agentmeter/source', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe('the series index', () => {
  it('finds the same series when the runtime forbids generating code (--disallow-code-generation-from-strings)', () => {
    const expected = { a: 6, b: 2, noType: 1, series: 4, requests: 2 };
    expect(recordIn([])).toEqual(expected);
    expect(recordIn(['--disallow-code-generation-from-strings'])).toEqual(expected);
  });
});
