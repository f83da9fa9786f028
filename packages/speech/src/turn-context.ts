import { AsyncLocalStorage } from 'node:async_hooks';

/** What the wrappers call on the voice turn that is active where they run. */
export interface TurnMarks {
  agentAudioStarted(): void;
}

const storage = new AsyncLocalStorage<TurnMarks>();

/** The turn bound by `turn.run(fn)` around the current async context, if any. */
export function activeTurn(): TurnMarks | undefined {
  return storage.getStore();
}

/** Runs fn with `turn` active, so instrumented TTS calls inside mark its first agent audio. */
export function runInTurn<T>(turn: TurnMarks, fn: () => T): T {
  return storage.run(turn, fn);
}
