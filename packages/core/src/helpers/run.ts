/**
 * Runs fn and calls finish once it has settled. A returned promise (or any thenable, such as an
 * SDK's APIPromise) is handed back unchanged, so its type and extra methods survive; finish runs
 * before the caller's own handlers. fn's error is rethrown untouched.
 */
export function runTracked<T>(fn: () => T, record: (error?: unknown) => void): T {
  // A thenable may call its callbacks more than once; the call is recorded once.
  let recorded = false;
  const finish = (error?: unknown): void => {
    if (recorded) return;
    recorded = true;
    record(error);
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    safely(finish, error);
    throw error;
  }
  let then: unknown;
  try {
    then =
      typeof result === 'object' || typeof result === 'function'
        ? (result as { then?: unknown } | null)?.then
        : undefined;
  } catch {
    then = undefined;
  }
  if (typeof then === 'function') {
    try {
      (then as (ok: (value: unknown) => void, fail: (error: unknown) => void) => unknown).call(
        result,
        () => safely(finish, undefined),
        (error: unknown) => safely(finish, error ?? new Error('rejected without a reason')),
      );
    } catch {
      safely(finish, undefined);
    }
    return result;
  }
  safely(finish, undefined);
  return result;
}

function safely(finish: (error?: unknown) => void, error: unknown): void {
  try {
    finish(error);
  } catch {
    // Recording must never reach the host service.
  }
}
