import {
  type OpenAIRealtimeSim,
  type OpenAIRealtimeSimOptions,
  startOpenAIRealtimeSim,
} from '@agentmeter/provider-sim';
import { afterEach, beforeEach, expect } from 'vitest';
import { type Harness, type Metrics, startHarness } from './harness.ts';

/** A fresh harness and OpenAI Realtime simulator for each test of the file; read them in the test. */
export function useRealtimeSim(options: OpenAIRealtimeSimOptions = { audioDeltas: 4, deltaMs: 5 }): {
  readonly h: Harness;
  readonly sim: OpenAIRealtimeSim;
} {
  const state = {} as { h: Harness; sim: OpenAIRealtimeSim };
  beforeEach(async () => {
    state.h = await startHarness();
    state.sim = await startOpenAIRealtimeSim(options);
  });
  afterEach(async () => {
    await state.sim.close();
    await state.h.close();
  });
  return state;
}

export const REALTIME_LABELS = { provider: 'openai', model: 'gpt-realtime' } as const;

/**
 * What both realtime wrappers record for the same conversation with the simulator: one session,
 * two completed responses with the simulator's usage, one turn (the first response followed the end
 * of user speech) and one interruption (the second response, cancelled).
 */
export function expectSpokenTurnAndInterruption(m: Metrics): void {
  const labels = REALTIME_LABELS;
  expect(m.value('sessions')).toBe(1);
  expect(m.value('active_sessions')).toBe(0);
  expect(m.histogram('session.duration')?.count).toBe(1);
  expect(m.value('llm.requests', { ...labels, operation: 'realtime', status: 'success' })).toBe(2);
  expect(m.histogram('llm.time_to_first_token', labels)?.count).toBe(2);
  expect(m.histogram('turn.latency')).toMatchObject({ count: 1 });
  expect(m.value('voice.interruptions')).toBe(1);
  expect(m.value('llm.tokens', { ...labels, token_type: 'input' })).toBe(2 * 70);
  expect(m.value('llm.tokens', { ...labels, token_type: 'input_audio' })).toBe(2 * 50);
  expect(m.value('llm.tokens', { ...labels, token_type: 'output' })).toBe(2 * 50);
  expect(m.value('llm.tokens', { ...labels, token_type: 'output_audio' })).toBe(2 * 40);
}
