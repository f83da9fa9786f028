import type { AgentMeter } from '@agentmeter/core';
import { toolLabel } from './labels.ts';

/** One tool execution in flight: `end()` records success, `end(error)` failure; later calls are ignored. */
export interface ToolRun {
  end(error?: unknown): void;
}

/** Starts timing a tool execution on `tool.runs` and `tool.duration`; never throws. */
export function startToolRun(meter: AgentMeter, clock: () => number, name: unknown): ToolRun {
  let started: number;
  let tool: string;
  try {
    started = clock();
    tool = toolLabel(name);
  } catch {
    return { end() {} };
  }
  let ended = false;
  return {
    end(error?: unknown) {
      if (ended) return;
      ended = true;
      try {
        const status = error === undefined ? 'success' : 'error';
        const i = meter.instruments;
        i.toolDuration.record((clock() - started) / 1000, { tool, status });
        i.toolRuns.add(1, { tool, status });
        // The shared taxonomy, under component `tool`.
        if (error !== undefined) meter.trackError(error, { component: 'tool' });
      } catch {
        // Recording never reaches the caller.
      }
    },
  };
}
