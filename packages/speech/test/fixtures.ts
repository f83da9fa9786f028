import { createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { createTestReader, type MetricsSnapshot, type TestReader } from '@agentmeter/core/testing';

/** A manual clock in milliseconds: tests (and simulator hooks) advance it. */
export interface FakeClock {
  (): number;
  advance(ms: number): void;
}

export function fakeClock(start = 1000): FakeClock {
  let now = start;
  const clock = (() => now) as FakeClock;
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

export interface MeterFixture {
  readonly meter: AgentMeter;
  readonly clock: FakeClock;
  readonly reader: TestReader;
  collect(): Promise<MetricsSnapshot>;
}

export function meterFixture(): MeterFixture {
  const clock = fakeClock();
  const meter = createAgentMeter({ clock });
  const reader = createTestReader(meter);
  return { meter, clock, reader, collect: () => reader.collect() };
}

/** Values the bad-input tests feed to every entry point. */
export const HOSTILE_VALUES: readonly unknown[] = [
  undefined,
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  0,
  '',
  'x'.repeat(100_000),
  {},
  [],
  () => 1,
  Symbol('s'),
  10n,
];

/** Reads a stream to the end, returning the total bytes. */
export async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let total = 0;
  for await (const chunk of stream) total += chunk.byteLength;
  return total;
}
