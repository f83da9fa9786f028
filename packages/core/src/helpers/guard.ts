import { AgentMeterConfigError } from '../errors.ts';

function reason(error: unknown): string {
  try {
    return error instanceof Error ? error.message.slice(0, 200) : `a thrown ${typeof error}`;
  } catch {
    return 'an unreadable error';
  }
}

/**
 * A creation function (a wrapper, a tracker, a check) whose only failure is AgentMeterConfigError:
 * whatever else reading its client or options throws (a getter, a proxy, a missing property) is
 * reported as an AgentMeterConfigError naming the function, with the original as its cause.
 */
export function guardCreation<F extends (...args: never[]) => unknown>(name: string, create: F): F {
  return ((...args: Parameters<F>) => {
    try {
      return create(...args);
    } catch (error) {
      if (error instanceof AgentMeterConfigError) throw error;
      throw new AgentMeterConfigError(
        `${name}: its arguments could not be read or are not what it takes (${reason(error)}); pass the documented client and options`,
        { cause: error },
      );
    }
  }) as F;
}

/** A function that never throws into its caller: past a throw it returns `fallback`. */
export function neverThrows<F extends (...args: never[]) => unknown>(fn: F, fallback: ReturnType<F>): F {
  return ((...args: Parameters<F>) => {
    try {
      return fn(...args);
    } catch {
      return fallback;
    }
  }) as F;
}
