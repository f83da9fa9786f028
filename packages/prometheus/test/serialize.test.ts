import { AGENTMETER_SCOPE } from '@agentmeter/core';
import { afterEach, describe, expect, it } from 'vitest';
import coreManifest from '../../core/package.json' with { type: 'json' };
import { formatBound, formatValue } from '../src/serialize/escape.ts';
import { parseExposition, valueOf } from './support/parse.ts';
import { HOSTILE_VALUES, HUGE_VALUE, setup, wellFormed, withSpan, type Setup } from './support/fixtures.ts';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const CORE_SCOPE = `otel_scope_name="@agentmeter/core",otel_scope_version="${coreManifest.version}"`;

let current: Setup | undefined;
function make(...args: Parameters<typeof setup>): Setup {
  current = setup(...args);
  return current;
}
afterEach(async () => {
  await current?.provider.shutdown();
  current = undefined;
});

function record({ meter, provider }: Setup): void {
  meter.instruments.requests.add(3, { status: 'ok' });
  meter.instruments.requests.add(1, { status: 'error' });
  meter.instruments.activeSessions.add(2);
  meter.instruments.cacheHitRatio.set(0.75, { cache: 'redis' });
  for (const value of [0.05, 0.4, 0.4, 2.5, 100])
    meter.instruments.ttsLatency.record(value, { provider: 'elevenlabs', model: 'turbo' });
  provider.getMeter('app').createUpDownCounter('queue.depth', { description: 'Jobs waiting.', unit: '{job}' }).add(-4);
}

describe('text format 0.0.4', () => {
  it('writes families with HELP, TYPE, target_info, cumulative buckets, _sum and _count', async () => {
    const run = make();
    record(run);
    const text = await run.exporter.scrape('text');
    expect(text).toContain(
      '# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{service_name="test-service",service_version="1.0.0"} 1\n',
    );
    expect(text).toContain(
      '# HELP queue_depth Jobs waiting.\n# TYPE queue_depth gauge\nqueue_depth{otel_scope_name="app"} -4\n',
    );
    expect(text).toContain(
      [
        '# HELP agentmeter_requests_total Requests handled by the service, by outcome.',
        '# TYPE agentmeter_requests_total counter',
        `agentmeter_requests_total{${CORE_SCOPE},status="ok"} 3`,
        `agentmeter_requests_total{${CORE_SCOPE},status="error"} 1`,
      ].join('\n'),
    );
    expect(text).toContain(`# TYPE agentmeter_active_sessions gauge\nagentmeter_active_sessions{${CORE_SCOPE}} 2\n`);
    const parsed = parseExposition(text, 'text');
    const labels = { provider: 'elevenlabs', model: 'turbo' };
    expect(valueOf(parsed, 'agentmeter_tts_latency_seconds_bucket', { ...labels, le: '0.5' })).toBe(3);
    expect(valueOf(parsed, 'agentmeter_tts_latency_seconds_bucket', { ...labels, le: '+Inf' })).toBe(5);
    expect(valueOf(parsed, 'agentmeter_tts_latency_seconds_sum', labels)).toBe(103.35);
    expect(valueOf(parsed, 'agentmeter_tts_latency_seconds_count', labels)).toBe(5);
    expect(valueOf(parsed, 'agentmeter_cache_hit_ratio', { cache: 'redis' })).toBe(0.75);
    expect(text).not.toContain('# EOF');
    expect(text).not.toContain('trace_id');
  });

  it('names metrics as the Collector does: unit suffixes, _total, _ratio', async () => {
    const run = make();
    const sdkMeter = run.provider.getMeter('app');
    sdkMeter.createHistogram('http.server.request.duration', { unit: 's' }).record(0.1);
    sdkMeter.createCounter('payload.size', { unit: 'By' }).add(10);
    sdkMeter.createGauge('pool.usage', { unit: '1' }).record(0.5);
    const parsed = parseExposition(await run.exporter.scrape(), 'text');
    expect([...parsed.types.keys()]).toEqual([
      'target_info',
      'http_server_request_duration_seconds',
      'payload_size_bytes_total',
      'pool_usage_ratio',
    ]);
  });

  it('takes HELP from the catalog when an instrument has no description', async () => {
    const run = make();
    run.provider.getMeter('app').createCounter('agentmeter.llm.requests', { unit: '{request}' }).add(1);
    const parsed = parseExposition(await run.exporter.scrape(), 'text');
    expect(parsed.help.get('agentmeter_llm_requests_total')).toBe(
      'LLM API calls, by provider, model, operation and outcome.',
    );
  });

  it('merges one name from several scopes into one valid family, told apart by the scope labels', async () => {
    const run = make();
    run.provider.getMeter('a', '1.2.3').createCounter('shared').add(1, { from: 'x' });
    run.provider
      .getMeter('b', '', { schemaUrl: 'https://opentelemetry.io/schemas/1.37.0' })
      .createCounter('shared')
      .add(2, { from: 'x' });
    for (const format of ['text', 'openmetrics'] as const) {
      const text = await run.exporter.scrape(format);
      expect(text.match(/# TYPE shared(_total)? counter/g)).toHaveLength(1);
      const parsed = parseExposition(text, format);
      expect(parsed.samples.filter((sample) => sample.name === 'shared_total').map((sample) => sample.labels)).toEqual([
        { otel_scope_name: 'a', otel_scope_version: '1.2.3', from: 'x' },
        { otel_scope_name: 'b', otel_scope_schema_url: 'https://opentelemetry.io/schemas/1.37.0', from: 'x' },
      ]);
    }
  });

  it("names agentmeter's own scope from @agentmeter/core's package.json", async () => {
    const run = make();
    run.meter.instruments.requests.add(1, { status: 'ok' });
    const parsed = parseExposition(await run.exporter.scrape(), 'text');
    expect(AGENTMETER_SCOPE).toEqual({ name: coreManifest.name, version: coreManifest.version });
    expect(
      valueOf(parsed, 'agentmeter_requests_total', {
        otel_scope_name: '@agentmeter/core',
        otel_scope_version: coreManifest.version,
        status: 'ok',
      }),
    ).toBe(1);
  });

  it('lets the scope labels win over attributes of the same label name', async () => {
    const run = make();
    run.provider
      .getMeter('real')
      .createCounter('spoof')
      .add(1, { 'otel.scope.name': 'fake', otel_scope_version: '9', kept: 'yes' });
    const parsed = parseExposition(await run.exporter.scrape(), 'text');
    expect(parsed.samples.find((sample) => sample.name === 'spoof_total')?.labels).toEqual({
      otel_scope_name: 'real',
      kept: 'yes',
    });
  });

  it.each([
    ['the scopeLabels option', { scopeLabels: false }],
    ['AGENTMETER_PROMETHEUS_SCOPE_LABELS', { env: { AGENTMETER_PROMETHEUS_SCOPE_LABELS: 'false' } }],
  ])('leaves the scope labels out through %s', async (_, options) => {
    const run = make(options);
    record(run);
    const text = await run.exporter.scrape();
    expect(text).not.toContain('otel_scope_');
    expect(text).toContain('agentmeter_requests_total{status="ok"} 3\n');
  });

  it('leaves the OTel GenAI metrics off /metrics unless genAiMetrics (or its variable) asks for them', async () => {
    for (const [options, served] of [
      [{}, false],
      [{ genAiMetrics: true }, true],
      [{ env: { AGENTMETER_PROMETHEUS_GENAI_METRICS: 'true' } }, true],
    ] as const) {
      const run = setup(options);
      run.provider
        .getMeter('@agentmeter/llm')
        .createHistogram('gen_ai.client.operation.duration', { unit: 's' })
        .record(0.5, { 'gen_ai.operation.name': 'chat' });
      run.meter.instruments.llmLatency.record(0.5, { provider: 'openai', model: 'm', operation: 'chat' });
      const parsed = parseExposition(await run.exporter.scrape(), 'text');
      expect(parsed.types.has('gen_ai_client_operation_duration_seconds')).toBe(served);
      expect(parsed.types.has('agentmeter_llm_latency_seconds')).toBe(true);
      await run.provider.shutdown();
    }
  });

  it('rejects a scopeLabels setting that is not a boolean', () => {
    expect(() => setup({ scopeLabels: 'no' as never })).toThrow(/scopeLabels must be true or false/);
    expect(() => setup({ env: { AGENTMETER_PROMETHEUS_SCOPE_LABELS: 'nope' } })).toThrow(
      /AGENTMETER_PROMETHEUS_SCOPE_LABELS must be true or false/,
    );
  });

  it('escapes HELP text and joins attribute keys that sanitize to the same label', async () => {
    const run = make();
    const counter = run.provider
      .getMeter('app')
      .createCounter('odd', { description: 'back\\slash "quoted"\nsecond line' });
    counter.add(1, { 'a.b': 'dot', a_b: 'underscore', '1st': 'digit' });
    const text = await run.exporter.scrape();
    expect(text).toContain('# HELP odd_total back\\\\slash "quoted"\\nsecond line\n');
    expect(text).toContain('odd_total{otel_scope_name="app",a_b="dot;underscore",key_1st="digit"} 1\n');
    const openMetrics = await run.exporter.scrape('openmetrics');
    expect(openMetrics).toContain('# HELP odd back\\\\slash \\"quoted\\"\\nsecond line\n');
  });

  it('renames an `le` attribute so histogram buckets keep one le label', async () => {
    const run = make();
    run.provider
      .getMeter('app')
      .createHistogram('sized', { advice: { explicitBucketBoundaries: [1] } })
      .record(0.5, { le: 'mine' });
    const parsed = parseExposition(await run.exporter.scrape(), 'text');
    expect(valueOf(parsed, 'sized_bucket', { exported_le: 'mine', le: '1' })).toBe(1);
  });

  it('turns off target_info with targetInfo: false', async () => {
    const run = make({ targetInfo: false });
    record(run);
    expect(await run.exporter.scrape()).not.toContain('target_info');
  });
});

describe('OpenMetrics 1.0', () => {
  it('names counter families without _total, canonical le values, exemplars, # EOF', async () => {
    const run = make();
    record(run);
    withSpan(TRACE_ID, SPAN_ID, () => {
      run.meter.instruments.llmLatency.record(0.3, { provider: 'openai', model: 'gpt-4o' });
      run.meter.instruments.llmRequests.add(1, { provider: 'openai', model: 'gpt-4o', status: 'ok' });
    });
    const text = await run.exporter.scrape('openmetrics');
    expect(text).toContain('# HELP target Target metadata\n# TYPE target info\ntarget_info{');
    expect(text).toContain(
      `# TYPE agentmeter_requests counter\nagentmeter_requests_total{${CORE_SCOPE},status="ok"} 3\n`,
    );
    expect(text).toMatch(
      new RegExp(
        `agentmeter_llm_requests_total\\{${CORE_SCOPE.replaceAll('.', '\\.')},provider="openai",model="gpt-4o",status="ok"\\} 1 # \\{trace_id="${TRACE_ID}",span_id="${SPAN_ID}"\\} 1 \\d+\\.?\\d*\\n`,
      ),
    );
    expect(text).toContain(
      `agentmeter_tts_latency_seconds_bucket{${CORE_SCOPE},provider="elevenlabs",model="turbo",le="1.0"} 3\n`,
    );
    expect(text.endsWith('# EOF\n')).toBe(true);
    const parsed = parseExposition(text, 'openmetrics');
    const withExemplar = parsed.samples.filter((sample) => sample.exemplar !== undefined);
    expect(
      withExemplar.map((sample) => [sample.name, sample.labels['le'], sample.exemplar?.labels, sample.exemplar?.value]),
    ).toEqual([
      ['agentmeter_llm_requests_total', undefined, { trace_id: TRACE_ID, span_id: SPAN_ID }, 1],
      ['agentmeter_llm_latency_seconds_bucket', '0.5', { trace_id: TRACE_ID, span_id: SPAN_ID }, 0.3],
    ]);
  });

  it('leaves exemplars out of the text format', async () => {
    const run = make();
    withSpan(TRACE_ID, SPAN_ID, () =>
      run.meter.instruments.llmLatency.record(0.3, { provider: 'openai', model: 'gpt-4o' }),
    );
    const text = await run.exporter.scrape('text');
    expect(text).not.toContain(TRACE_ID);
    parseExposition(text, 'text');
  });
});

describe('hostile label values', () => {
  it.each(['text', 'openmetrics'] as const)(
    'stay valid %s and read back as written (lone surrogates as U+FFFD)',
    async (format) => {
      const run = make({}, { attributes: { requests: ['route'] } });
      const counter = run.provider.getMeter('app').createCounter('hostile');
      for (const [i, value] of HOSTILE_VALUES.entries()) counter.add(i + 1, { value });
      counter.add(1000, { value: HUGE_VALUE });
      for (const value of HOSTILE_VALUES) run.meter.instruments.requests.add(1, { route: value, status: 'ok' });
      run.meter.instruments.responseTime.record(0.2, { route: HUGE_VALUE });
      const body = Buffer.from(await run.exporter.scrape(format), 'utf8');
      const parsed = parseExposition(body, format);
      for (const [i, value] of HOSTILE_VALUES.entries())
        expect(valueOf(parsed, 'hostile_total', { value: wellFormed(value) })).toBe(i + 1);
      expect(valueOf(parsed, 'hostile_total', { value: HUGE_VALUE })).toBe(1000);
      expect(parsed.samples.filter((sample) => sample.name === 'fake_metric')).toEqual([]);
      // The core meter keeps values up to 128 characters and marks longer ones.
      expect(valueOf(parsed, 'agentmeter_response_time_seconds_count', { route: '_too_long' })).toBe(1);
    },
  );
});

describe('number formatting', () => {
  it('writes values Go can parse and canonical bounds', () => {
    expect([0, -0, 1, 0.1, 1e21, 1e-7, NaN, Infinity, -Infinity].map(formatValue)).toEqual([
      '0',
      '0',
      '1',
      '0.1',
      '1e+21',
      '1e-7',
      'NaN',
      '+Inf',
      '-Inf',
    ]);
    expect([1, 0.005, 2.5, 1e21, Infinity].map((bound) => formatBound(bound, true))).toEqual([
      '1.0',
      '0.005',
      '2.5',
      '1e+21',
      '+Inf',
    ]);
    expect([1, 0.005].map((bound) => formatBound(bound, false))).toEqual(['1', '0.005']);
  });
});
