import type { MetricsSnapshot } from '@agentmeter/core/testing';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { MEGABYTE, PROMPTS, SECRETS } from './hostile.ts';

/** What is wrong with the exported data: NaN values, broken histograms, too many series. Empty when sound. */
export function dataProblems(snapshot: MetricsSnapshot, seriesLimit: number): string[] {
  const problems: string[] = [];
  for (const metric of snapshot.metrics) {
    const name = metric.descriptor.name;
    if (leaksSecret(name)) problems.push(`${name.slice(0, 40)}: a metric named after a secret`);
    // The overflow series comes on top of the limit.
    if (metric.dataPoints.length > seriesLimit + 1)
      problems.push(`${name}: ${metric.dataPoints.length} series, limit ${seriesLimit}`);
    for (const point of metric.dataPoints) {
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        const { count, sum, min, max, buckets } = point.value as {
          count: number;
          sum?: number;
          min?: number;
          max?: number;
          buckets: { counts: number[] };
        };
        const bucketTotal = buckets.counts.reduce((a, b) => a + b, 0);
        if ([sum, min, max].some((v) => Number.isNaN(v))) problems.push(`${name}: NaN in histogram`);
        if (!Number.isInteger(count) || count < 0 || bucketTotal !== count)
          problems.push(`${name}: count ${count} vs buckets ${bucketTotal}`);
        if (sum !== undefined && sum < 0) problems.push(`${name}: negative histogram sum ${sum}`);
      } else {
        const value = point.value as number;
        if (typeof value !== 'number' || Number.isNaN(value)) problems.push(`${name}: value ${String(value)}`);
        if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic && value < 0)
          problems.push(`${name}: counter at ${value}`);
      }
      for (const [key, label] of Object.entries(point.attributes)) {
        if (typeof label === 'string' && leaksSecret(label))
          problems.push(`${name}: label ${key} carries a secret or prompt`);
      }
    }
  }
  return problems;
}

/** True when text holds one of the suite's secrets or prompts (or a piece of them). */
export function leaksSecret(text: string): boolean {
  return [...SECRETS, ...PROMPTS].some(
    (secret) => text.includes(secret.slice(0, 24)) || text.includes(secret.slice(-24)),
  );
}

export interface CapturedDiag {
  readonly warnings: string[];
  readonly errors: string[];
  /** Messages that break the rules: a secret, a prompt or a megabyte of input echoed back. */
  problems(): string[];
  restore(): void;
}

function joinArgs(args: unknown[]): string {
  return args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ');
}

/** Captures OpenTelemetry diag output (where agentmeter's warnings go) for the test. */
export function captureDiag(): CapturedDiag {
  const warnings: string[] = [];
  const errors: string[] = [];
  diag.setLogger(
    {
      error: (...args: unknown[]) => errors.push(joinArgs(args)),
      warn: (...args: unknown[]) => warnings.push(joinArgs(args)),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return {
    warnings,
    errors,
    problems: () =>
      [...warnings, ...errors].filter(
        (message) => leaksSecret(message) || message.includes(MEGABYTE.slice(0, 64)) || message.length > 2_000,
      ),
    restore: () => diag.disable(),
  };
}
