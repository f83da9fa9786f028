import { describe, expect, it } from 'vitest';
import { runChild } from '../src/child.ts';
import { reportFigure } from '../src/figures.ts';
import type { SinkMode } from '../src/otlp-sink.ts';

interface OutageResult {
  phases: {
    mode: SinkMode;
    rps: number;
    cpuPerRequest: number;
    requests: number;
    errors: number;
    non2xx: number;
    heapAfter: number;
    attempts: number;
  }[];
  served: number;
  exported: number | null;
  exportedCount: number | null;
  messages: { level: string; text: string }[];
  attempts: Record<SinkMode, number>;
}

const MB = 1024 * 1024;

describe('OTLP exporter outages (refused, hung, 500) under load', () => {
  it('keeps serving, warns once per outage, stays bounded in memory, and exports exact totals after recovery', async () => {
    const result = await runChild<OutageResult>('./outage-child.ts', ['1000'], 240_000);
    const { phases } = result;
    // The first phase warms the JIT; the other healthy phases are the baseline.
    const healthy = phases.slice(1).filter((phase) => phase.mode === 'ok');
    const baseline = healthy.reduce((sum, phase) => sum + phase.rps, 0) / healthy.length;
    const cpuBaseline = healthy.reduce((sum, phase) => sum + phase.cpuPerRequest, 0) / healthy.length;
    for (const phase of phases.slice(1)) {
      if (phase.mode === 'ok') continue;
      const state = phase.mode === 'error' ? 'answering 500' : phase.mode === 'hang' ? 'hung' : 'refusing';
      reportFigure(`outage: throughput ratio while the collector is ${state}`, (phase.rps / baseline).toFixed(2));
      reportFigure(
        `outage: CPU per request ratio while the collector is ${state}`,
        (phase.cpuPerRequest / cpuBaseline).toFixed(2),
      );
    }
    reportFigure(
      'outage: ratios between the healthy phases themselves',
      healthy.map((phase) => (phase.rps / baseline).toFixed(2)).join(', '),
    );
    reportFigure('outage: baseline throughput', Math.round(baseline), 'req/s');
    const heaps = phases.slice(1).map((phase) => phase.heapAfter);
    reportFigure(
      'outage: heap after GC, min to max over the phases',
      `${(Math.min(...heaps) / MB).toFixed(1)} to ${(Math.max(...heaps) / MB).toFixed(1)}`,
      'MB',
    );

    // Every request served, none failed.
    for (const phase of phases)
      expect({ mode: phase.mode, errors: phase.errors, non2xx: phase.non2xx }).toEqual({
        mode: phase.mode,
        errors: 0,
        non2xx: 0,
      });
    expect(result.served).toBe(phases.reduce((sum, phase) => sum + phase.requests, 0));
    // The collector was really down and really tried: several pushes met each outage that can see them.
    expect(phases.find((phase) => phase.mode === 'hang')!.attempts).toBeGreaterThanOrEqual(2);
    expect(phases.find((phase) => phase.mode === 'error')!.attempts).toBeGreaterThanOrEqual(2);
    // One warning per outage, not one per failed export.
    const otlpWarnings = result.messages.filter((message) => message.level === 'warn');
    const readerErrors = result.messages.filter((message) => message.level === 'error');
    reportFigure('outage: warnings logged over three outages', otlpWarnings.length);
    reportFigure(
      'outage: reader timeout errors logged while hung',
      `${readerErrors.length} of ${phases.find((phase) => phase.mode === 'hang')!.attempts} hung pushes`,
    );
    // A loaded machine may let the reader's own deadline fire first now and then, but never for every push.
    expect(readerErrors.length).toBeLessThan(phases.find((phase) => phase.mode === 'hang')!.attempts);
    expect(otlpWarnings.map((message) => `${message.level}: ${message.text}`)).toEqual([
      expect.stringMatching(/^warn: .*ECONNREFUSED/),
      expect.stringMatching(/^warn: .*timed out/i),
      expect.stringMatching(/^warn: .*Internal Server Error/),
    ]);
    // Cumulative totals after recovery: every request served is in the last export, exactly.
    expect(result.exported).toBe(result.served);
    expect(result.exportedCount).toBe(result.served);
    // Bounded: an outage does not hold on to unsent data.
    expect(Math.max(...heaps) - Math.min(...heaps)).toBeLessThan(32 * MB);
  }, 300_000);
});
