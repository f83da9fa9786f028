import { describe, expect, it } from 'vitest';
import { createAgentMeter } from '../src/index.ts';
import {
  describeValue,
  isAgentMeter,
  isApiPromise,
  isWrapped,
  labelOption,
  observeApiPromise,
  observeIterator,
  originalOf,
  requireMeter,
  resolveSemconv,
  safeExecuteInTheMiddle,
  unwrap,
  wrap,
  wrapBound,
} from '../src/internal.ts';

const THEN_UNWRAP = '_thenUnwrap';

class Client {
  calls = 0;
  create(value: number): number {
    this.calls++;
    return value * 2;
  }
}

describe('wrap, unwrap, isWrapped', () => {
  it('patches the instance only, once, detectably, and puts the original back', () => {
    const client = new Client();
    const other = new Client();
    const seen: number[] = [];
    expect(
      wrap(
        client,
        'create',
        (original) =>
          function created(this: unknown, ...args: unknown[]) {
            seen.push(args[0] as number);
            return original.apply(this, args);
          },
      ),
    ).toBe(true);
    expect(client.create(2)).toBe(4);
    expect(client.calls).toBe(1);
    expect(seen).toEqual([2]);
    expect(isWrapped(client.create)).toBe(true);
    expect(client.create.name).toBe('create');
    expect(isWrapped(other.create)).toBe(false);
    expect(isWrapped(Client.prototype.create)).toBe(false);
    // A second wrap (by any wrapper) keeps the first in place.
    expect(wrap(client, 'create', () => () => 'second')).toBe(true);
    expect(client.create(3)).toBe(6);
    expect(seen).toEqual([2, 3]);
    expect(originalOf(client.create)).toBe(Client.prototype.create);
    expect(unwrap(client, 'create')).toBe(true);
    expect(client.create).toBe(Client.prototype.create);
    expect(unwrap(client, 'create')).toBe(false);
  });

  it('leaves the original in place when the method is missing, the owner frozen or the wrapper fails', () => {
    expect(wrap(undefined, 'create', (original) => original)).toBe(false);
    expect(wrap({ create: 1 }, 'create', (original) => original)).toBe(false);
    const frozen = Object.freeze({ create: () => 1 });
    expect(wrap(frozen, 'create', () => () => 2)).toBe(false);
    expect(frozen.create()).toBe(1);
    const client = new Client();
    expect(
      wrap(client, 'create', () => {
        throw new Error('wrapper bug');
      }),
    ).toBe(false);
    expect(client.create(1)).toBe(2);
    expect(isWrapped(client.create)).toBe(false);
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('getter');
        },
      },
    );
    expect(wrap(hostile, 'create', (original) => original)).toBe(false);
  });

  it('wrapBound hands the wrapper the original bound to its owner', () => {
    const client = new Client();
    wrapBound(client, 'create', (original) => (value) => original(value));
    expect(client.create(5)).toBe(10);
    expect(client.calls).toBe(1);
  });

  it('safeExecuteInTheMiddle rethrows the host error untouched and swallows its own', () => {
    const error = new Error('host');
    const finished: unknown[] = [];
    expect(() =>
      safeExecuteInTheMiddle(
        () => {
          throw error;
        },
        (failure) => finished.push(failure),
      ),
    ).toThrow(error);
    expect(
      safeExecuteInTheMiddle(
        () => 7,
        () => {
          throw new Error('recording bug');
        },
      ),
    ).toBe(7);
    expect(finished).toEqual([error]);
  });
});

function throwing(): never {
  throw new Error('observer bug');
}

async function* numbers(fail = false): AsyncGenerator<number> {
  yield 1;
  yield 2;
  if (fail) throw new Error('dropped');
}

function recorder(): { events: string[]; observer: Parameters<typeof observeIterator>[1] } {
  const events: string[] = [];
  return {
    events,
    observer: {
      item: (value) => events.push(`item ${String(value)}`),
      done: () => events.push('done'),
      error: (error) => events.push(`error ${(error as Error).message}`),
      returned: () => events.push('returned'),
    },
  };
}

describe('observeIterator', () => {
  it('patches in place and reports items and the end once', async () => {
    const { events, observer } = recorder();
    const iterator = numbers();
    expect(observeIterator(iterator, observer)).toBe(iterator);
    const values: number[] = [];
    for await (const value of iterator) values.push(value);
    await iterator.next();
    expect(values).toEqual([1, 2]);
    expect(events).toEqual(['item 1', 'item 2', 'done']);
  });

  it('reports a failure and passes it on, and an early return', async () => {
    const failing = recorder();
    const iterator = observeIterator(numbers(true), failing.observer);
    await expect(
      (async () => {
        for await (const value of iterator) void value;
      })(),
    ).rejects.toThrow('dropped');
    expect(failing.events).toEqual(['item 1', 'item 2', 'error dropped']);
    const stopped = recorder();
    for await (const value of observeIterator(numbers(), stopped.observer)) if (value === 1) break;
    expect(stopped.events).toEqual(['item 1', 'returned']);
  });

  it('never lets an observer throw into the consumer, and leaves non-iterators alone', async () => {
    const iterator = observeIterator(numbers(), {
      item: throwing,
      done: throwing,
      error: throwing,
      returned: throwing,
    });
    const values: number[] = [];
    for await (const value of iterator) values.push(value);
    expect(values).toEqual([1, 2]);
    const plain = { value: 1 };
    expect(observeIterator(plain, recorder().observer)).toBe(plain);
  });
});

describe('observeApiPromise', () => {
  it('observes nothing but a Stainless APIPromise', () => {
    expect(isApiPromise(Promise.resolve(1))).toBe(false);
    expect(observeApiPromise(Promise.resolve(1), { failed() {}, parsed() {}, parseFailed() {} }, undefined)).toBe(
      false,
    );
  });

  it('sees the response, the parsed body once (derived promises too) and a failure, on the same object', async () => {
    const events: unknown[] = [];
    const body = { ok: true };
    // The shape of a Stainless APIPromise: response and parse step apart, `_thenUnwrap` to derive.
    const promise = {
      responsePromise: Promise.resolve({ status: 200 }),
      parseResponse: async (): Promise<unknown> => body,
      [THEN_UNWRAP](transform: (data: unknown) => unknown) {
        return {
          responsePromise: this.responsePromise,
          parseResponse: async () => transform(await this.parseResponse()),
        };
      },
    };
    expect(
      observeApiPromise(
        promise,
        {
          headers: (context) => events.push(['headers', context]),
          failed: (error) => events.push(['failed', error]),
          parsed: (data, context) => events.push(['parsed', data, context]),
          parseFailed: (error) => events.push(['parseFailed', error]),
        },
        'call 1',
      ),
    ).toBe(true);
    const derived = promise[THEN_UNWRAP]((data) => ({ wrapped: data }));
    expect(await derived.parseResponse()).toEqual({ wrapped: body });
    expect(await promise.parseResponse()).toBe(body);
    expect(events).toEqual([
      ['headers', 'call 1'],
      ['parsed', body, 'call 1'],
    ]);
    const error = new Error('refused');
    const failing = { responsePromise: Promise.reject(error), parseResponse: () => Promise.reject(error) };
    const failures: unknown[] = [];
    observeApiPromise(
      failing,
      {
        failed: (e) => failures.push(['failed', e]),
        parsed() {},
        parseFailed: (e) => failures.push(['parseFailed', e]),
      },
      undefined,
    );
    await expect(failing.parseResponse()).rejects.toBe(error);
    await Promise.resolve();
    expect(failures).toEqual([
      ['failed', error],
      ['parseFailed', error],
    ]);
  });
});

describe('option checks', () => {
  it('detects a meter, checks label options and names bad values briefly', () => {
    const meter = createAgentMeter();
    expect(isAgentMeter(meter)).toBe(true);
    for (const bad of [undefined, null, {}, 'meter', 42, { instruments: null }]) expect(isAgentMeter(bad)).toBe(false);
    expect(() => requireMeter('instrumentX', undefined)).toThrow(
      /instrumentX: options must be an object with a "meter"/,
    );
    expect(() => requireMeter('instrumentX', { meter: {} as never })).toThrow(/options.meter must be an AgentMeter/);
    expect(labelOption('f', 'provider', undefined, 'openai')).toBe('openai');
    expect(labelOption('f', 'provider', 'my-provider.v2', 'openai')).toBe('my-provider.v2');
    for (const bad of ['', 'Open AI', 'x'.repeat(65), 42, Number.NaN, {}, 'a\nb']) {
      expect(() => labelOption('f', 'provider', bad, 'openai')).toThrow(/f: options.provider must be/);
    }
    expect(describeValue('x'.repeat(100))).toBe('a string of 100 characters');
    expect(describeValue(new Map())).toBe('a Map');
    expect(describeValue(-1)).toBe('-1');
  });

  it('resolves the semantic-convention switch', () => {
    const provider = { getMeter: () => ({}) } as never;
    expect(resolveSemconv('f', undefined, false)).toBeUndefined();
    expect(resolveSemconv('f', undefined, true)).toBe('global');
    expect(resolveSemconv('f', true, false)).toBe('global');
    expect(resolveSemconv('f', 'global', false)).toBe('global');
    expect(resolveSemconv('f', false, true)).toBeUndefined();
    expect(resolveSemconv('f', provider, false)).toBe(provider);
    for (const bad of [42, {}, 'yes', null])
      expect(() => resolveSemconv('f', bad, false)).toThrow(
        /options.semconv must be an OpenTelemetry MeterProvider or 'global'/,
      );
  });
});
