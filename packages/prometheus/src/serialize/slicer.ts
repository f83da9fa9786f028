import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long one slice of rendering may hold the event loop before it yields (milliseconds). */
export const SLICE_MS = 4;

/**
 * Lets long work (rendering 100,000 series) give the event loop back every few milliseconds,
 * so the service's own requests and timers run in between. `due()` is cheap enough to call
 * every few dozen series; `pause()` waits one turn of the loop.
 */
export class TimeSlicer {
  readonly #budgetMs: number;
  #sliceStart = performance.now();

  constructor(budgetMs: number = SLICE_MS) {
    this.#budgetMs = budgetMs;
  }

  due(): boolean {
    return performance.now() - this.#sliceStart >= this.#budgetMs;
  }

  async pause(): Promise<void> {
    await nextTurn();
    this.#sliceStart = performance.now();
  }
}
