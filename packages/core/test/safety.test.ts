import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { DataPointType, type Histogram } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentMeterConfigError, CATALOG_KEYS, createAgentMeter, type AgentMeter } from '../src/index.ts';
import { createTestReader } from '../src/testing.ts';
import { BAD_ATTRIBUTES, BAD_NUMBERS } from './fixtures.ts';

const warnings: string[] = [];
beforeAll(() => {
  const logger: DiagLogger = {
    error: () => {},
    info: () => {},
    debug: () => {},
    verbose: () => {},
    warn: (message: string) => warnings.push(message),
  };
  diag.setLogger(logger, DiagLogLevel.WARN);
});
afterAll(() => diag.disable());

function allExportedNumbers(
  metrics: Awaited<ReturnType<ReturnType<typeof createTestReader>['collect']>>['metrics'],
): number[] {
  return metrics.flatMap((metric) =>
    metric.dataPoints.flatMap((point) => {
      if (metric.dataPointType !== DataPointType.HISTOGRAM) return [point.value as number];
      const value = point.value as Histogram;
      return [value.sum ?? 0, value.count, ...value.buckets.counts];
    }),
  );
}

/** Calls every public recording entry point of the meter with the given number and attributes. */
function hammer(meter: AgentMeter, value: unknown, attributes: unknown): void {
  const n = value as number;
  const a = attributes as never;
  for (const key of CATALOG_KEYS) {
    const instrument = meter.instruments[key] as unknown as Record<string, (v: unknown, a?: unknown) => void>;
    for (const method of ['add', 'record', 'set'] as const) instrument[method]?.(value, attributes);
    const bound = meter.instruments[key].bind(a) as unknown as Record<string, (v: unknown) => void>;
    for (const method of ['add', 'record', 'set'] as const) bound[method]?.(value);
  }
  meter.trackRequest(a, () => n);
  meter.trackLlmCall(a, (call) => {
    call.firstToken();
    call.usage({ input: n, output: n, cached_input: n, reasoning: n });
    call.usage(a);
    call.cost(n);
  });
  meter.trackTtsCall(a, (call) => {
    call.characters(n);
    call.audioSeconds(n);
    call.cost(n);
  });
  meter.trackSttCall(a, (call) => call.audioSeconds(n));
  meter.trackDbQuery(a, () => n);
  meter.trackExternalApi(a, () => n);
  meter.trackContentGeneration(a, () => n);
  meter.trackError(value, a);
  meter.trackError(attributes, a);
  meter.startSession(a).end();
  meter.recordTokens(a, a);
  meter.recordCost(a, n);
  meter.recordCacheOperation(a);
  meter.recordConversationExchange(a, { quality: n });
  meter.recordEngagement(n, a);
  meter.recordHealthCheck(attributes as string, value as boolean, n);
  meter.increment(attributes as string, a, n);
  meter.increment('custom_counter', a, n);
  meter.gauge('custom_gauge', n, a);
  meter.observe('custom_histogram', n, a);
  meter.time('custom_time', a, () => n);
  meter.onCollect(value as never);
}

describe('recording never throws and never poisons a series', () => {
  it('survives every bad number with every bad attribute set, and exports no NaN', async () => {
    const meter = createAgentMeter({ seriesLimit: 50 });
    const reader = createTestReader(meter);
    meter.instruments.requests.add(1, { status: 'baseline' });
    meter.instruments.llmLatency.record(0.5, { provider: 'baseline', model: 'm', operation: 'chat' });
    for (const value of BAD_NUMBERS) {
      for (const attributes of BAD_ATTRIBUTES) expect(() => hammer(meter, value, attributes)).not.toThrow();
    }
    const data = await reader.collect();
    expect(allExportedNumbers(data.metrics).every(Number.isFinite)).toBe(true);
    expect(data.value('agentmeter.requests', { status: 'baseline' })).toBe(1);
    expect(
      data.histogram('agentmeter.llm.latency', { provider: 'baseline', model: 'm', operation: 'chat' }),
    ).toMatchObject({ count: 1, sum: 0.5 });
    expect(warnings.length).toBeGreaterThan(0);
    await reader.shutdown();
  });

  it('drops unknown attribute keys, shortens nothing into a label it should not', async () => {
    const meter = createAgentMeter();
    const reader = createTestReader(meter);
    meter.instruments.llmRequests.add(1, {
      provider: 'openai',
      model: 'gpt-4o',
      status: 'success',
      prompt: 'tell me a secret',
      api_key: 'sk-abc',
    } as never);
    meter.instruments.llmRequests.add(1, {
      provider: 'sk-proj-abcdefghijklmnop',
      model: 'x'.repeat(500),
      status: 'success',
    });
    meter.instruments.llmRequests.add(1, { provider: 'Bearer abc.def', model: 'gpt-4o', status: 'success' });
    const data = await reader.collect();
    expect(data.value('agentmeter.llm.requests', { provider: 'openai', model: 'gpt-4o', status: 'success' })).toBe(1);
    expect(
      data.value('agentmeter.llm.requests', { provider: '_redacted', model: '_too_long', status: 'success' }),
    ).toBe(1);
    expect(data.value('agentmeter.llm.requests', { provider: '_redacted', model: 'gpt-4o', status: 'success' })).toBe(
      1,
    );
    const labels = data.points('agentmeter.llm.requests').flatMap((point) => Object.values(point.attributes));
    expect(labels.join(' ')).not.toMatch(/secret|sk-|Bearer/);
    await reader.shutdown();
  });

  it('makes lone surrogates well-formed', async () => {
    const meter = createAgentMeter();
    const reader = createTestReader(meter);
    meter.instruments.errors.add(1, { error_type: 'other', component: 'a\ud800b' });
    const [point] = (await reader.collect()).points('agentmeter.errors');
    expect(String(point?.attributes['component']).isWellFormed()).toBe(true);
    await reader.shutdown();
  });
});

describe('series limit', () => {
  it('holds over the whole lifetime, cumulative output included, with the exact remainder in overflow', async () => {
    const meter = createAgentMeter({ seriesLimit: 100 });
    const reader = createTestReader(meter);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 250; i++)
        meter.instruments.errors.add(1, { error_type: 'other', component: `c${round}-${i}` });
      const points = (await reader.collect()).points('agentmeter.errors');
      expect(points.length).toBe(101);
      const overflow = points.find((point) => point.attributes['otel.metric.overflow'] === true);
      expect(overflow?.value).toBe(250 * (round + 1) - 100);
    }
    await reader.shutdown();
  });

  it('counts bound handles toward the limit', async () => {
    const meter = createAgentMeter({ seriesLimit: 2 });
    const handles = ['a', 'b', 'c', 'd'].map((component) =>
      meter.instruments.errors.bind({ error_type: 'other', component }),
    );
    expect(handles[2]).toBe(handles[3]);
    expect(handles[0]).not.toBe(handles[1]);
  });
});

describe('configuration mistakes fail at creation with a message that says what to change', () => {
  it.each([
    [{ namespace: 'bad-name' }, /namespace must start with a letter/],
    [{ namespace: '' }, /namespace/],
    [{ namespace: 42 }, /namespace/],
    [{ namespace: '9lives' }, /namespace/],
    [{ seriesLimit: 0 }, /seriesLimit must be a whole number from 1/],
    [{ seriesLimit: NaN }, /seriesLimit/],
    [{ seriesLimit: Infinity }, /seriesLimit/],
    [{ seriesLimit: 2.5 }, /seriesLimit/],
    [{ seriesLimit: '100' }, null],
    [{ maxAttributeLength: -1 }, /maxAttributeLength/],
    [{ attributes: { requestz: ['scene'] } }, /unknown family "requestz"; families are: requests/],
    [{ attributes: { requests: ['bad key'] } }, /invalid key "bad key"/],
    [{ attributes: { requests: ['le'] } }, /invalid key "le"/],
    [{ attributes: { requests: 'scene' } }, /must be an array/],
    [{ attributes: [] }, /attributes must be an object/],
    [{ meterProvider: {} }, /meterProvider must be an OpenTelemetry MeterProvider/],
    [{ exemplars: 'yes' }, /exemplars must be true or false/],
    [{ clock: 5 }, /clock must be a function/],
    ['options', /takes an options object/],
  ])('%j', (options, message) => {
    const create = (): unknown => createAgentMeter(options as never);
    if (message === null) expect(create).not.toThrow();
    else {
      expect(create).toThrow(AgentMeterConfigError);
      expect(create).toThrow(message);
    }
  });

  it('reads AGENTMETER_NAMESPACE and validates it', () => {
    process.env['AGENTMETER_NAMESPACE'] = 'from_env';
    try {
      expect(createAgentMeter().namespace).toBe('from_env');
      process.env['AGENTMETER_NAMESPACE'] = 'bad name';
      expect(() => createAgentMeter()).toThrow(/namespace/);
    } finally {
      delete process.env['AGENTMETER_NAMESPACE'];
    }
  });
});
