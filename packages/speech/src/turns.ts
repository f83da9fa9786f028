import { AgentMeterConfigError, type AgentMeter } from '@agentmeter/core';
import { isAgentMeter, Warner } from '@agentmeter/core/internal';
import { runInTurn, type TurnMarks } from './turn-context.ts';
import { performance } from 'node:perf_hooks';

export interface VoiceTurnsOptions {
  meter: AgentMeter;
  /** Monotonic clock in milliseconds (default `performance.now`); give the meter's clock in tests. */
  clock?: () => number;
  /** Turn latencies above this are dropped as absurd, with a warning (default 120 seconds). */
  maxLatencySeconds?: number;
}

/**
 * One exchange of a voice conversation: the user speaks, the agent answers. Every method is
 * safe to call in any order: events after the turn closed count as dropped (`late`), a second
 * final transcript counts as dropped (`duplicate_final`), and other out-of-order events are
 * ignored with a rate-limited warning. Nothing here throws.
 */
export interface VoiceTurn extends TurnMarks {
  /** Sequence number of the turn in its tracker; for logs, never a label. */
  readonly id: number;
  readonly closed: boolean;
  /** The end of user speech (VAD or end of utterance); starts the turn-latency clock. `at` is a clock time in ms. */
  userSpeechEnded(at?: number): void;
  /** A final transcript arrived; returns false when it was dropped (a duplicate, or late). */
  finalTranscript(): boolean;
  /** The first agent audio went out: records turn latency once. Instrumented TTS calls inside `run` mark it. */
  agentAudioStarted(at?: number): void;
  /** The agent finished its reply: closes the turn. */
  agentReplyEnded(): void;
  /** The user spoke over the agent (barge-in): counts an interruption and closes the turn. */
  interrupted(): void;
  /** Closes the turn without a reply (nothing to say, or the caller gave up). */
  end(): void;
  /** Runs fn with this turn active, so instrumented TTS calls inside mark its first agent audio. */
  run<T>(fn: () => T): T;
}

export interface VoiceTurns {
  /** Starts a turn (closing the previous one if it is still open). */
  start(): VoiceTurn;
  /** Starts a turn and marks the end of user speech: the usual first call of a turn. */
  userSpeechEnded(at?: number): VoiceTurn;
  /** The latest turn, while it is open. */
  current(): VoiceTurn | undefined;
}

type Phase = 'listening' | 'waiting' | 'speaking' | 'closed';

/**
 * Voice-turn metrics for one conversation (one per call or session): turn latency from the end
 * of user speech to the first agent audio, interruptions, and dropped late or duplicate events.
 */
export function createVoiceTurns(options: VoiceTurnsOptions): VoiceTurns {
  const meter = (options as Partial<VoiceTurnsOptions> | undefined)?.meter;
  if (!isAgentMeter(meter)) {
    throw new AgentMeterConfigError(
      'createVoiceTurns: options.meter must be an AgentMeter from createAgentMeter() or start().',
    );
  }
  const clock = options.clock ?? (() => performance.now());
  if (typeof clock !== 'function')
    throw new AgentMeterConfigError('createVoiceTurns: options.clock must be a function returning milliseconds.');
  const maxLatency = options.maxLatencySeconds ?? 120;
  if (typeof maxLatency !== 'number' || !(maxLatency > 0) || !Number.isFinite(maxLatency)) {
    throw new AgentMeterConfigError(
      'createVoiceTurns: options.maxLatencySeconds must be a positive finite number of seconds.',
    );
  }
  const { turnLatency, voiceEventsDropped, voiceInterruptions } = meter.instruments;
  const late = voiceEventsDropped.bind({ reason: 'late' });
  const duplicateFinal = voiceEventsDropped.bind({ reason: 'duplicate_final' });
  const interruption = voiceInterruptions.bind();
  const warner = new Warner();
  const now = (at: unknown): number | undefined => {
    if (at === undefined) return safeClock(clock);
    if (typeof at === 'number' && Number.isFinite(at)) return at;
    warner.warn('turn-time', 'a voice-turn event had a time that is not a finite number; the event was ignored');
    return undefined;
  };
  let sequence = 0;
  let latest: Turn | undefined;

  class Turn implements VoiceTurn {
    readonly id = ++sequence;
    #phase: Phase = 'listening';
    #speechEndedAt = 0;
    #finals = 0;

    get closed(): boolean {
      return this.#phase === 'closed';
    }

    userSpeechEnded(at?: number): void {
      if (this.#lateOr('userSpeechEnded')) return;
      if (this.#phase !== 'listening')
        return warner.warn('turn-order-speech', 'userSpeechEnded was called twice for a turn; ignored');
      const time = now(at);
      if (time === undefined) return;
      this.#speechEndedAt = time;
      this.#phase = 'waiting';
    }

    finalTranscript(): boolean {
      if (this.#phase === 'closed') {
        late.add(1);
        return false;
      }
      if (++this.#finals > 1) {
        duplicateFinal.add(1);
        return false;
      }
      return true;
    }

    agentAudioStarted(at?: number): void {
      if (this.#lateOr('agentAudioStarted')) return;
      // Later chunks and later TTS calls of the same reply are expected: only the first counts.
      if (this.#phase === 'speaking') return;
      if (this.#phase === 'listening')
        return warner.warn('turn-order-audio', 'agent audio started before userSpeechEnded; no turn latency recorded');
      const time = now(at);
      if (time === undefined) return;
      const seconds = (time - this.#speechEndedAt) / 1000;
      if (!(seconds >= 0) || seconds > maxLatency) {
        warner.warn('turn-latency', `a turn latency was negative or above ${maxLatency} s; dropped`);
      } else {
        turnLatency.record(seconds);
      }
      this.#phase = 'speaking';
    }

    agentReplyEnded(): void {
      if (this.#lateOr('agentReplyEnded')) return;
      if (this.#phase !== 'speaking')
        warner.warn('turn-order-reply', 'agentReplyEnded before any agent audio; the turn closed without a latency');
      this.#phase = 'closed';
    }

    interrupted(): void {
      if (this.#lateOr('interrupted')) return;
      if (this.#phase !== 'speaking') {
        return warner.warn('turn-order-interrupt', 'interrupted before agent audio started; not counted as a barge-in');
      }
      interruption.add(1);
      this.#phase = 'closed';
    }

    end(): void {
      this.#phase = 'closed';
    }

    run<T>(fn: () => T): T {
      return runInTurn(this, fn);
    }

    /** An event on a closed turn is late: counted, and the caller stops. */
    #lateOr(_event: string): boolean {
      if (this.#phase !== 'closed') return false;
      late.add(1);
      return true;
    }
  }

  const start = (): VoiceTurn => {
    latest?.end();
    latest = new Turn();
    return latest;
  };
  return {
    start,
    userSpeechEnded(at) {
      const turn = start();
      turn.userSpeechEnded(at);
      return turn;
    },
    current() {
      return latest !== undefined && !latest.closed ? latest : undefined;
    },
  };
}

function safeClock(clock: () => number): number | undefined {
  try {
    const value = clock();
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
