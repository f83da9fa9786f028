import { setImmediate as nextTurn } from 'node:timers/promises';

/** Body bytes handed to sockets in one turn of the event loop, at most (one larger body goes alone). */
export const BYTES_PER_TURN: number = 1024 * 1024;
/** Answers released in one turn of the event loop, at most. */
export const ANSWERS_PER_TURN: number = 32;

/**
 * Spreads answers over turns of the event loop. When a shared collection completes, every
 * waiting scrape would otherwise write its body in the same turn (200 scrapers of a 1 MB body:
 * 200 MB copied before the service's next request is read); the pacer lets about a megabyte,
 * or 32 answers, through per turn, so the service's own requests run in between.
 */
export class Pacer {
  #bytes = 0;
  #answers = 0;
  #turn: Promise<void> | undefined;

  async admit(bytes: number): Promise<void> {
    while ((this.#bytes > 0 && this.#bytes + bytes > BYTES_PER_TURN) || this.#answers >= ANSWERS_PER_TURN)
      await this.#nextTurn();
    this.#bytes += bytes;
    this.#answers++;
  }

  #nextTurn(): Promise<void> {
    this.#turn ??= nextTurn().then(() => {
      this.#turn = undefined;
      this.#bytes = 0;
      this.#answers = 0;
    });
    return this.#turn;
  }
}
