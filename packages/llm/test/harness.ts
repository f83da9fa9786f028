import OpenAI from 'openai';
import {
  createAgentMeter,
  createPricingTable,
  type AgentMeter,
  type PriceEntry,
  type PricingTable,
} from '@agentmeter/core';
import {
  createTestReader,
  type HistogramSnapshot,
  type MetricsSnapshot,
  type TestReader,
} from '@agentmeter/core/testing';
import { instrumentOpenAI } from '../src/index.ts';
import { type LlmSimulatorOptions, type LlmSimulatorServer, startLlmSimulator } from '@agentmeter/provider-sim';

/** Test prices in round numbers: USD per million tokens. */
export const TEST_PRICES: readonly PriceEntry[] = [
  {
    provider: 'openai',
    model: 'gpt-test',
    effective: '2024-01-01',
    unit: 'token',
    input: 1,
    cached_input: 0.5,
    output: 2,
  },
  { provider: 'groq', model: 'llama-test', effective: '2024-01-01', unit: 'token', input: 3, output: 4 },
  { provider: 'openai', model: 'embed-test', effective: '2024-01-01', unit: 'token', input: 0.1, output: 0 },
  {
    provider: 'anthropic',
    model: 'claude-test',
    effective: '2024-01-01',
    unit: 'token',
    input: 3,
    cached_input: 0.3,
    output: 15,
  },
  {
    provider: 'google',
    model: 'gemini-test',
    effective: '2024-01-01',
    unit: 'token',
    input: 0.3,
    cached_input: 0.075,
    output: 2.5,
  },
];

/** Each token price row's cost, computed the way the table does (one division, same order). */
export function expectedCost(row: PriceEntry, input: number, cached: number, output: number): number {
  const inputPrice = row.input ?? 0;
  return (input * inputPrice + cached * (row.cached_input ?? inputPrice) + output * (row.output ?? 0)) / 1_000_000;
}

/**
 * The step clock counts reads (start, first token, end), so the tests' clients turn the GenAI
 * metrics off (`genAiMetrics: false`): their chunk timing reads it once per later chunk. The
 * GenAI tests keep them on and count those reads.
 */
export const STEP_MS = 100;

export interface Harness {
  readonly meter: AgentMeter;
  readonly sim: LlmSimulatorServer;
  readonly pricing: PricingTable;
  readonly warnings: string[];
  /** Advances 100 ms at every read: a call's reads are start, first token, end. */
  readonly clock: () => number;
  collect(): Promise<Metrics>;
  close(): Promise<void>;
}

/** Reads agentmeter's metrics by short name (`llm.requests`) under the default namespace. */
export interface Metrics {
  readonly raw: MetricsSnapshot;
  value(name: string, attributes?: Record<string, string>): number | undefined;
  /** The sum over every series that has `attributes` (e.g. a call's cost over its token types). */
  total(name: string, attributes?: Record<string, string>): number | undefined;
  histogram(name: string, attributes?: Record<string, string>): HistogramSnapshot | undefined;
}

export async function startHarness(simOptions: LlmSimulatorOptions = {}): Promise<Harness> {
  const meter = createAgentMeter();
  const reader: TestReader = createTestReader(meter);
  const sim = await startLlmSimulator(simOptions);
  const warnings: string[] = [];
  const pricing = createPricingTable(TEST_PRICES, { file: false, onWarning: (message) => warnings.push(message) });
  let now = 0;
  return {
    meter,
    sim,
    pricing,
    warnings,
    clock: () => (now += STEP_MS),
    async collect() {
      const raw = await reader.collect();
      return {
        raw,
        value: (name, attributes) => raw.value(`agentmeter.${name}`, attributes),
        total: (name, attributes) => raw.total(`agentmeter.${name}`, attributes),
        histogram: (name, attributes) => raw.histogram(`agentmeter.${name}`, attributes),
      };
    },
    async close() {
      await sim.close();
      await reader.shutdown();
    },
  };
}

/** A real openai client pointed at the harness's simulator, instrumented with its meter, prices and clock. */
export function instrumentedOpenAI(h: Harness, options: ConstructorParameters<typeof OpenAI>[0] = {}): OpenAI {
  const openai = new OpenAI({ apiKey: 'sk-test-secret', baseURL: `${h.sim.url}/v1`, maxRetries: 0, ...options });
  return instrumentOpenAI(openai, {
    meter: h.meter,
    pricing: h.pricing,
    clock: h.clock,
    genAiMetrics: false,
    provider: 'openai',
  });
}

const throwing = (): never => {
  throw new Error('broken meter');
};

/** A meter whose every instrument and helper throws, as a broken exporter or SDK would. */
export function brokenMeter(): AgentMeter {
  const instrument = new Proxy({}, { get: () => throwing });
  return new Proxy(
    {},
    { get: (_, key) => (key === 'instruments' ? new Proxy({}, { get: () => instrument }) : throwing) },
  ) as AgentMeter;
}
