import { type AgentMeter, AgentMeterConfigError } from '@agentmeter/core';
import { claimClient, isAgentMeter, rewrapped } from '@agentmeter/core/internal';
import { startToolRun, type ToolRun } from '../tool-runs.ts';
import { performance } from 'node:perf_hooks';

export interface AiToolsInstrumentOptions {
  /** The meter to record into. */
  readonly meter: AgentMeter;
  /** Monotonic clock in milliseconds, for tests (default `performance.now`). */
  readonly clock?: () => number;
}

type Fn = (...args: unknown[]) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** A streaming tool's result (an async iterable of preliminary results): the run ends with its iteration. */
function observeIterable(value: unknown, run: ToolRun): boolean {
  const iterable = value as { [Symbol.asyncIterator]?: unknown } | null;
  const factory = iterable?.[Symbol.asyncIterator];
  if (typeof factory !== 'function') return false;
  (iterable as Record<symbol, unknown>)[Symbol.asyncIterator] = function iteratorObserved(this: unknown): unknown {
    const iterator = Reflect.apply(factory as Fn, this, []) as { next: Fn; return?: Fn };
    const next = iterator.next;
    iterator.next = function nextObserved(this: unknown, ...args: unknown[]): unknown {
      const step = Reflect.apply(next, this, args) as Promise<IteratorResult<unknown>>;
      return step.then(
        (result) => {
          if (result.done === true) run.end();
          return result;
        },
        (error: unknown) => {
          run.end(error);
          throw error;
        },
      );
    };
    return iterator;
  };
  return true;
}

function observed(execute: Fn, name: string, meter: AgentMeter, clock: () => number): Fn {
  return function executeObserved(this: unknown, ...args: unknown[]): unknown {
    const run = startToolRun(meter, clock, name);
    let result: unknown;
    try {
      result = Reflect.apply(execute, this, args);
    } catch (error) {
      run.end(error);
      throw error;
    }
    try {
      if (isThenable(result))
        result.then(
          () => run.end(),
          (error: unknown) => run.end(error),
        );
      else if (!observeIterable(result, run)) run.end();
    } catch {
      // A result that cannot be observed is returned as it is.
    }
    return result;
  };
}

/**
 * Returns the AI SDK tool set with each tool's `execute` timed on `tool.runs` and `tool.duration`
 * (by tool name and outcome). The tools are copied, not changed; their types are kept.
 * `generateText({ model, tools: instrumentAiTools({ weather }, { meter }) })`.
 */
export function instrumentAiTools<Tools extends Record<string, object>>(
  tools: Tools,
  options: AiToolsInstrumentOptions,
): Tools {
  const fn = 'instrumentAiTools';
  if (typeof tools !== 'object' || tools === null || Array.isArray(tools)) {
    throw new AgentMeterConfigError(
      `${fn}: expected the tool set object ({ name: tool({...}) }); got ${tools === null ? 'null' : Array.isArray(tools) ? 'an array' : typeof tools}`,
    );
  }
  const meter = options?.meter;
  if (!isAgentMeter(meter)) {
    throw new AgentMeterConfigError(`${fn}: options.meter must be an AgentMeter from createAgentMeter() or start()`);
  }
  const clock = options.clock ?? (() => performance.now());
  if (typeof clock !== 'function')
    throw new AgentMeterConfigError(`${fn}: options.clock must be a function returning milliseconds`);
  // A tool set this function returned is given back as it is: each run is counted once.
  if (rewrapped(tools, fn, options)) return tools;
  const copy: Record<string, object> = {};
  for (const [name, tool] of Object.entries(tools)) {
    const execute = (tool as { execute?: unknown } | null)?.execute;
    copy[name] =
      typeof execute === 'function' ? { ...tool, execute: observed(execute as Fn, name, meter, clock) } : tool;
  }
  claimClient(copy, fn, options);
  return copy as Tools;
}
