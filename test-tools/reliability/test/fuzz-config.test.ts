import { AgentMeterConfigError, createAgentMeter } from '@agentmeter/core';
import {
  instrumentBetterSqlite3,
  instrumentIoredis,
  instrumentMysql2,
  instrumentPg,
  instrumentPGlite,
} from '@agentmeter/db';
import { PrometheusExporter } from '@agentmeter/prometheus';
import {
  createVoiceTurns,
  instrumentCartesia,
  instrumentDeepgram,
  instrumentElevenLabs,
  instrumentOpenAIAudio,
} from '@agentmeter/speech';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveStart } from '../../../packages/node/src/config.ts';
import { parseExposition } from '../../../packages/prometheus/test/support/parse.ts';
import { reportFigure } from '../src/figures.ts';
import { FUZZ_SEED, hostileString, hostileValue, isOwnThrow } from '../src/hostile.ts';

const RUNS = Number(process.env['AGENTMETER_FUZZ_RUNS'] ?? 8_000);
const meter = createAgentMeter();
meter.trackRequest({}, () => undefined);
let calls = 0;
afterAll(() => reportFigure('calls fuzzed: creation-time options and the metrics endpoint', calls));

/** A bad option must fail at creation with a message naming the package, or pass the caller's own throw through. */
function expectClearFailure(create: () => unknown, prefix: RegExp): void {
  calls++;
  try {
    create();
  } catch (error) {
    const clear = (error instanceof AgentMeterConfigError || error instanceof TypeError) && prefix.test(error.message);
    expect(clear || isOwnThrow(error), String(error)).toBe(true);
  }
}

const options = (keys: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 1, arbitrary: hostileValue },
    {
      weight: 4,
      arbitrary: fc.record(
        Object.fromEntries(
          keys.map((key) => [key, key === 'meter' ? fc.oneof(fc.constant(meter), hostileValue) : hostileValue]),
        ),
        { requiredKeys: [] },
      ),
    },
  );

describe('creation-time options under fuzzed input', () => {
  it('speech and db wrappers reject bad options with AgentMeterConfigError, naming the wrapper', () => {
    const wrappers: [string, (client: never, options: never) => unknown][] = [
      ['instrumentElevenLabs', instrumentElevenLabs],
      ['instrumentCartesia', instrumentCartesia],
      ['instrumentDeepgram', instrumentDeepgram],
      ['instrumentOpenAIAudio', instrumentOpenAIAudio],
      ['instrumentPg', instrumentPg],
      ['instrumentMysql2', instrumentMysql2],
      ['instrumentIoredis', instrumentIoredis],
      ['instrumentPGlite', instrumentPGlite],
      ['instrumentBetterSqlite3', instrumentBetterSqlite3],
    ];
    const keys = [
      'meter',
      'provider',
      'prices',
      'clock',
      'dbSystem',
      'pool',
      'tables',
      'maxTables',
      'semconv',
      'cache',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...wrappers), hostileValue, options(keys), ([name, wrap], client, given) => {
        expectClearFailure(() => wrap(client as never, given as never), new RegExp(name));
      }),
      { numRuns: Math.ceil(RUNS / 4), seed: 41 + FUZZ_SEED },
    );
    fc.assert(
      fc.property(options(['meter', 'maxGapSeconds', 'clock', 'attributes']), (given) => {
        expectClearFailure(() => createVoiceTurns(given as never), /createVoiceTurns|voice/i);
      }),
      { numRuns: Math.ceil(RUNS / 8), seed: 42 + FUZZ_SEED },
    );
  });

  it('@agentmeter/node start() options are validated before anything starts', () => {
    const keys = [
      'serviceName',
      'namespace',
      'seriesLimit',
      'prometheus',
      'otlp',
      'http',
      'runtime',
      'hostMetrics',
      'diagLogger',
      'meter',
      'resourceAttributes',
      'attributes',
    ];
    fc.assert(
      fc.property(options(keys), (given) => {
        expectClearFailure(() => resolveStart(given as never, {}), /start|agentmeter|must|option/i);
      }),
      { numRuns: Math.ceil(RUNS / 4), seed: 43 + FUZZ_SEED },
    );
  });

  it('PrometheusExporter rejects bad options with an AgentMeterConfigError naming the package', () => {
    const keys = [
      'host',
      'port',
      'endpoint',
      'jsonEndpoint',
      'healthEndpoint',
      'token',
      'metricProducers',
      'meter',
      'namespace',
      'gzip',
      'targetInfo',
      'env',
      'shareWindowMs',
      'maxConcurrentScrapes',
      'health',
    ];
    fc.assert(
      fc.property(options(keys), (given) => {
        expectClearFailure(() => new PrometheusExporter(given as never), /@agentmeter\/prometheus/);
      }),
      { numRuns: Math.ceil(RUNS / 4), seed: 44 + FUZZ_SEED },
    );
  });
});

describe('the metrics endpoint under fuzzed requests', () => {
  it('answers every method, path and header with a well-formed response, never a rejection', async () => {
    const exporter = new PrometheusExporter({ meter, token: 'endpoint-token-123' });
    const header = fc.oneof(
      fc.constantFrom(
        undefined,
        'Bearer endpoint-token-123',
        'text/plain',
        'application/openmetrics-text; version=1.0.0',
        'application/openmetrics-text;q=0.5,text/plain;q=NaN',
        'gzip',
        '*/*',
      ),
      hostileString,
    );
    const request = fc.record({
      method: fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'), hostileString),
      path: fc.oneof(fc.constantFrom('/metrics', '/api/metrics', '/api/health', '/'), hostileString),
      accept: header,
      encoding: header,
      authorization: header,
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, accept, encoding, authorization }) => {
        calls++;
        const headers: Record<string, unknown> = { accept, 'accept-encoding': encoding, authorization };
        const response = await exporter.handle({ method, path, header: (name) => headers[name] as string | undefined });
        if (response === undefined) return;
        expect([200, 401, 404, 405, 406, 503]).toContain(response.status);
        if (
          response.status === 200 &&
          path === '/metrics' &&
          method === 'GET' &&
          response.headers['content-encoding'] === undefined
        ) {
          const format = String(response.headers['content-type']).startsWith('application/openmetrics-text')
            ? 'openmetrics'
            : 'text';
          parseExposition(response.body, format);
        }
      }),
      { numRuns: Math.ceil(RUNS / 10), seed: 45 + FUZZ_SEED },
    );
  });
});
