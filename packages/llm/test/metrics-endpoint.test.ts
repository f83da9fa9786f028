import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import OpenAI from 'openai';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { instrumentAnthropic, instrumentGoogleGenAI, instrumentOpenAI } from '../src/index.ts';
import { type LoopbackServer, startLoopbackServer } from '@agentmeter/provider-sim';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
let exporter: PrometheusExporter;
let provider: MeterProvider;
let metrics: LoopbackServer;
beforeEach(async () => {
  h = await startHarness({ usage: { input: 20, output: 4 } });
  exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [h.meter.metricProducer!] });
  provider = new MeterProvider({ readers: [exporter] });
  metrics = await startLoopbackServer((req, res) => exporter.getMetricsRequestHandler(req, res));
});
afterEach(async () => {
  await metrics.close();
  await provider.shutdown();
  await h.close();
});

async function scrape(): Promise<string> {
  return (await fetch(`${metrics.url}/metrics`)).text();
}

/** The value of the sample `name{labels...}` in Prometheus text, whatever the label order. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  // OTel's own Prometheus exporter leaves out unit suffixes (`_seconds`) that the Collector adds.
  const names = [name, name.replace('_seconds_', '_')];
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        names.some((n) => candidate.startsWith(`${n}{`)) &&
        Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

it('one line per client puts latency, time to first token, tokens, cost and error types on /metrics', async () => {
  const options = { meter: h.meter, pricing: h.pricing, clock: h.clock, genAiMetrics: false };
  const openai = instrumentOpenAI(new OpenAI({ apiKey: 'sk-x', baseURL: `${h.sim.url}/v1`, maxRetries: 0 }), {
    ...options,
    provider: 'openai',
  });
  const anthropic = instrumentAnthropic(
    new Anthropic({ apiKey: 'sk-ant-x', baseURL: h.sim.url, maxRetries: 0 }),
    options,
  );
  const ai = instrumentGoogleGenAI(new GoogleGenAI({ apiKey: 'AIza-x', httpOptions: { baseUrl: h.sim.url } }), options);

  const stream = await openai.chat.completions.create({
    model: 'gpt-test',
    messages: [],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const _ of stream) {
    /* drain */
  }
  await anthropic.messages.stream({ model: 'claude-test', max_tokens: 10, messages: [] }).finalMessage();
  for await (const _ of await ai.models.generateContentStream({ model: 'gemini-test', contents: 'x' })) {
    /* drain */
  }
  await expect(
    openai.chat.completions.create({ model: 'gpt-test', messages: [] }, { headers: { 'x-sim-fault': '429' } }),
  ).rejects.toThrow();

  const text = await scrape();
  for (const [p, model, operation] of [
    ['openai', 'gpt-test', 'chat'],
    ['anthropic', 'claude-test', 'chat'],
    ['google', 'gemini-test', 'generate_content'],
  ] as const) {
    const labels = { provider: p, model };
    expect(sample(text, 'agentmeter_llm_requests_total', { ...labels, operation, status: 'success' })).toBe(1);
    expect(sample(text, 'agentmeter_llm_latency_seconds_count', { ...labels, operation })).toBe(p === 'openai' ? 2 : 1);
    expect(sample(text, 'agentmeter_llm_time_to_first_token_seconds_count', labels)).toBe(1);
    expect(sample(text, 'agentmeter_llm_tokens_total', { ...labels, token_type: 'input' })).toBe(20);
    expect(sample(text, 'agentmeter_llm_tokens_total', { ...labels, token_type: 'output' })).toBe(4);
    expect(sample(text, 'agentmeter_api_cost_usd_total', { ...labels, service: 'llm' })).toBeGreaterThan(0);
  }
  expect(
    sample(text, 'agentmeter_llm_errors_total', { provider: 'openai', model: 'gpt-test', error_type: 'rate_limit' }),
  ).toBe(1);
  expect(sample(text, 'agentmeter_errors_total', { error_type: 'rate_limit', component: 'llm' })).toBe(1);
  expect(text).not.toMatch(/sk-x|sk-ant-x|AIza-x/);
});
