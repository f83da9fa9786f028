import { diag } from '@opentelemetry/api';

interface FirstWrap {
  readonly wrapper: string;
  readonly options: Readonly<Record<string, unknown>>;
  warned: boolean;
}

/** What the first wrap of each client was given, by client (held weakly) and wrapper. */
const FIRST = new WeakMap<object, Map<string, FirstWrap>>();

function sameOptions(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (!Object.is(a[key], b[key])) return false;
  return true;
}

function snapshot(options: unknown): Readonly<Record<string, unknown>> {
  try {
    return typeof options === 'object' && options !== null ? { ...(options as Record<string, unknown>) } : {};
  } catch {
    return {};
  }
}

/**
 * Claims `client` for `wrapper`: true the first time, false when that wrapper already instruments
 * it (different wrappers may share a client: instrumentOpenAI and instrumentOpenAIAudio). Wrapping twice must change nothing a scrape sees, so the caller then returns
 * the client untouched; when the options differ from the first wrap's (compared key by key,
 * by identity) one warning per client says that the first wrap's options stay.
 */
export function claimClient(client: object, wrapper: string, options: unknown): boolean {
  let wraps = FIRST.get(client);
  if (wraps === undefined) {
    wraps = new Map();
    FIRST.set(client, wraps);
  }
  const first = wraps.get(wrapper);
  const given = snapshot(options);
  if (first === undefined) {
    wraps.set(wrapper, { wrapper, options: given, warned: false });
    return true;
  }
  if (!first.warned && !sameOptions(first.options, given)) {
    first.warned = true;
    try {
      diag.warn(
        `agentmeter: ${wrapper}: this client is already instrumented; the first wrap's options stay and the new ones are ignored`,
      );
    } catch {
      // A logger that throws must not reach the host service.
    }
  }
  return false;
}

/**
 * For wrappers that return a new object rather than patching the one given (instrumentLlmFunction,
 * the AI SDK model and tool wrappers): true when `value` is one `wrapper` already made, so the
 * caller returns it as it is instead of wrapping it again, with the same one warning as
 * claimClient when the options differ. The wrapper registers what it makes with
 * `claimClient(made, wrapper, options)`.
 */
export function rewrapped(value: unknown, wrapper: string, options: unknown): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  if (FIRST.get(value)?.has(wrapper) !== true) return false;
  claimClient(value, wrapper, options);
  return true;
}
