import autocannon from 'autocannon';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition } from './support/parse.ts';
import { setup, withSpan, type Setup } from './support/fixtures.ts';

const TOKEN = 'load-token';
const REQUESTS = 2000;

let current: Setup | undefined;
afterEach(async () => {
  await current?.provider.shutdown();
  current = undefined;
});

describe('load', () => {
  it('serves 200 concurrent scrapers during heavy recording with zero errors, every response parsing or a 503 with Retry-After', async () => {
    current = setup({ token: TOKEN }, { attributes: { requests: ['route'] } });
    const { meter } = current;
    const url = await current.exporter.start();
    let recording = true;
    let recorded = 0;
    const record = (): void => {
      for (let i = 0; i < 200; i++) {
        const n = recorded + i;
        meter.instruments.requests.add(1, { route: `/r/${n % 100}`, status: n % 10 === 0 ? 'error' : 'ok' });
        meter.instruments.llmLatency.record((n % 1000) / 100, { provider: 'openai', model: `m${n % 40}` });
        if (n % 50 === 0)
          withSpan('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', () =>
            meter.instruments.llmTokens.add(3, { provider: 'openai', model: 'm1', token_type: 'input' }),
          );
      }
      recorded += 200;
      if (recording) setImmediate(record);
    };
    record();

    const failures: string[] = [];
    let parsed = 0;
    let refused = 0;
    const check =
      (format: 'text' | 'openmetrics') =>
      (status: number, body: string, _context: unknown, headers?: Record<string, unknown>): void => {
        try {
          // Beyond the concurrency cap (16 by default) a scrape is refused, always with Retry-After.
          if (status === 503 && headers?.['retry-after'] === '1') {
            refused++;
            return;
          }
          if (status !== 200) throw new Error(`status ${status}`);
          const { samples } = parseExposition(body, format);
          if (!samples.some((sample) => sample.name === 'agentmeter_requests_total'))
            throw new Error('no requests counter');
          parsed++;
        } catch (error) {
          if (failures.length < 5) failures.push(`${format}: ${String(error)}`);
        }
      };
    const headers = { authorization: `Bearer ${TOKEN}` };
    const result = await autocannon({
      url,
      connections: 200,
      amount: REQUESTS,
      timeout: 90,
      requests: [
        { method: 'GET', path: '/metrics', headers, onResponse: check('text') },
        {
          method: 'GET',
          path: '/metrics',
          headers: { ...headers, accept: 'application/openmetrics-text; version=1.0.0' },
          onResponse: check('openmetrics'),
        },
      ],
    });
    recording = false;

    expect(failures).toEqual([]);
    expect({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx }).toEqual({
      errors: 0,
      timeouts: 0,
      non2xx: refused,
    });
    expect(parsed + refused).toBe(REQUESTS);
    expect(parsed).toBeGreaterThan(0);
    expect(recorded).toBeGreaterThan(200);
  }, 180_000);
});
