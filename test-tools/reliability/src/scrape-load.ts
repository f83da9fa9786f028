import type { IncomingHttpHeaders } from 'node:http';
import type { AgentMeter } from '@agentmeter/core';
import autocannon from 'autocannon';
import { parseExposition } from '../../../packages/prometheus/test/support/parse.ts';

export interface ScrapeLoadResult {
  readonly responses: number;
  readonly parsed: number;
  /** 503 answers beyond the exporter's concurrency cap, each checked for Retry-After. */
  readonly refused: number;
  readonly failures: string[];
  readonly errors: number;
  readonly rps: number;
}

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';

/**
 * `amount` scrapes over `connections` concurrent connections, half text and half OpenMetrics;
 * every body is parsed back; a 503 beyond the concurrency cap must carry Retry-After. `expectStatus`
 * other than 200 checks a refusal (401) instead.
 */
export async function scrapeLoad(
  url: string,
  options: {
    connections: number;
    amount: number;
    authorization: readonly (string | undefined)[];
    expectStatus: number;
  },
): Promise<ScrapeLoadResult> {
  const failures: string[] = [];
  let parsed = 0;
  let responses = 0;
  let refused = 0;
  // The format asked for; the response's content type says which one was served.
  const check =
    (asked: 'text' | 'openmetrics') =>
    (status: number, body: string, _context: object, headers: IncomingHttpHeaders | undefined): void => {
      responses++;
      try {
        if (status === 503 && options.expectStatus === 200) {
          // Beyond the concurrency cap: a refusal is allowed, but only as 503 with Retry-After.
          if (headers?.['retry-after'] === undefined) throw new Error('503 without Retry-After');
          refused++;
          return;
        }
        if (status !== options.expectStatus) throw new Error(`status ${status}`);
        if (status === 200) {
          const served = String(headers?.['content-type'] ?? '').startsWith('application/openmetrics-text')
            ? 'openmetrics'
            : 'text';
          if (asked === 'text' && served !== 'text') throw new Error('OpenMetrics served to a text scraper');
          const { samples } = parseExposition(body, served);
          if (samples.length === 0) throw new Error('empty exposition');
          if (samples.some((sample) => Number.isNaN(sample.value))) throw new Error('NaN sample');
        }
        parsed++;
      } catch (error) {
        if (failures.length < 5) failures.push(`${asked}: ${String(error)}`);
      }
    };
  const target = new URL(url);
  const requests = options.authorization.flatMap((authorization) => {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    return [
      { method: 'GET' as const, path: target.pathname, headers, onResponse: check('text') },
      {
        method: 'GET' as const,
        path: target.pathname,
        headers: { ...headers, accept: OPENMETRICS },
        onResponse: check('openmetrics'),
      },
    ];
  });
  const started = performance.now();
  const result = await autocannon({
    url: target.origin,
    connections: options.connections,
    amount: options.amount,
    timeout: 60,
    requests,
  });
  return {
    responses,
    parsed,
    refused,
    failures,
    errors: result.errors + result.timeouts,
    rps: result.requests.total / ((performance.now() - started) / 1000),
  };
}

/** Records into many series on every turn of the event loop until stopped: the "heavy recording" a scrape meets. */
export function recordHeavily(meter: AgentMeter): { stop(): number } {
  let running = true;
  let recorded = 0;
  const turn = (): void => {
    for (let i = 0; i < 200; i++) {
      const n = recorded + i;
      meter.instruments.llmRequests.add(1, {
        provider: 'openai',
        model: `m${n % 50}`,
        operation: 'chat',
        status: 'success',
      });
      meter.instruments.llmLatency.record((n % 1000) / 100, {
        provider: 'openai',
        model: `m${n % 50}`,
        operation: 'chat',
      });
      meter.trackRequest({ route: `/r/${n % 20}` }, () => n);
    }
    recorded += 200;
    if (running) setImmediate(turn);
  };
  turn();
  return {
    stop: () => {
      running = false;
      return recorded;
    },
  };
}

function median(values: number[]): number {
  return values.toSorted((x, y) => x - y)[Math.floor(values.length / 2)]!;
}

/** Median nanoseconds per call of `a` and of `b`, measured in alternating rounds so drift hits both alike. */
export function compareNanos(a: () => unknown, b: () => unknown, rounds: number, perRound: number): [number, number] {
  const samples: [number[], number[]] = [[], []];
  const time = (fn: () => unknown): number => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) fn();
    return Number(process.hrtime.bigint() - started) / perRound;
  };
  for (let round = 0; round < rounds; round++) {
    samples[0].push(time(a));
    samples[1].push(time(b));
  }
  return [median(samples[0]), median(samples[1])];
}
