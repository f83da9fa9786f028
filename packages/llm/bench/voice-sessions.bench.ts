import { createAgentMeter, createPricingTable } from '@agentmeter/core';
import { initializeLogger, type metrics, voice } from '@livekit/agents';
import { RealtimeAgent, RealtimeSession } from '@openai/agents-realtime';
import { fmt, nsPerOp, table } from '../../../scripts/bench-kit.ts';
import { instrumentLiveKitSession } from '../src/livekit/index.ts';
import { instrumentRealtimeSession } from '../src/openai-agents-realtime/index.ts';

const pricing = createPricingTable(undefined, { file: false });
const AUDIO = Buffer.alloc(480).toString('base64');

/** One spoken response as the Realtime API sends it: end of speech, 10 audio and 10 transcript deltas, usage. */
const RESPONSE: readonly Record<string, unknown>[] = [
  { type: 'input_audio_buffer.speech_stopped', audio_end_ms: 1000, item_id: 'item_1' },
  { type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } },
  ...Array.from({ length: 10 }, () => [
    {
      type: 'response.output_audio.delta',
      response_id: 'resp_1',
      item_id: 'item_2',
      output_index: 0,
      content_index: 0,
      delta: AUDIO,
    },
    {
      type: 'response.output_audio_transcript.delta',
      response_id: 'resp_1',
      item_id: 'item_2',
      output_index: 0,
      content_index: 0,
      delta: 'word ',
    },
  ]).flat(),
  {
    type: 'response.done',
    response: {
      id: 'resp_1',
      status: 'completed',
      output: [],
      usage: {
        input_tokens: 70,
        output_tokens: 50,
        input_token_details: { audio_tokens: 50, cached_tokens: 0 },
        output_token_details: { audio_tokens: 40 },
      },
    },
  },
];

/** One pipeline reply as a LiveKit AgentSession reports it: STT usage, end of utterance, LLM and TTS. */
const NOW = Date.now();
const REPLY: readonly metrics.AgentMetrics[] = [
  {
    type: 'stt_metrics',
    label: 'stt',
    requestId: 'r',
    timestamp: NOW,
    durationMs: 0,
    audioDurationMs: 2000,
    streamed: true,
    metadata: { modelProvider: 'deepgram', modelName: 'nova-3' },
  },
  {
    type: 'eou_metrics',
    timestamp: NOW,
    endOfUtteranceDelayMs: 300,
    transcriptionDelayMs: 120,
    onUserTurnCompletedDelayMs: 2,
    lastSpeakingTimeMs: NOW,
    speechId: 'speech_1',
  },
  {
    type: 'llm_metrics',
    label: 'llm',
    requestId: 'r',
    timestamp: NOW,
    durationMs: 900,
    ttftMs: 250,
    cancelled: false,
    completionTokens: 30,
    promptTokens: 120,
    promptCachedTokens: 20,
    totalTokens: 150,
    tokensPerSecond: 33,
    speechId: 'speech_1',
    metadata: { modelProvider: 'openai', modelName: 'gpt-4o-mini' },
  },
  {
    type: 'tts_metrics',
    label: 'tts',
    requestId: 'r',
    timestamp: NOW,
    ttfbMs: 150,
    durationMs: 700,
    audioDurationMs: 2500,
    cancelled: false,
    charactersCount: 42,
    streamed: true,
    speechId: 'speech_1',
    metadata: { modelProvider: 'cartesia', modelName: 'sonic-2' },
  },
];

function realtimeSession(instrumented: boolean): RealtimeSession {
  const session = new RealtimeSession(new RealtimeAgent({ name: 'bench' }), { model: 'gpt-realtime' });
  if (instrumented) instrumentRealtimeSession(session, { meter: createAgentMeter(), pricing, genAiMetrics: false });
  return session;
}

function liveKitSession(instrumented: boolean): voice.AgentSession {
  const session = new voice.AgentSession({});
  if (instrumented) instrumentLiveKitSession(session, { meter: createAgentMeter(), pricing, genAiMetrics: false });
  return session;
}

/** Per-event cost of the voice-session integrations: the real sessions' own emitters, with and without them. */
export async function run(): Promise<string> {
  initializeLogger({ pretty: false, level: 'error' });
  const events: [string, number, number][] = [];
  const realtime = [realtimeSession(false), realtimeSession(true)] as const;
  const perResponse = realtime.map((session) =>
    nsPerOp(() => {
      for (const event of RESPONSE) session.emit('transport_event', event as never);
    }, 20_000),
  );
  events.push([
    `@openai/agents-realtime RealtimeSession, one spoken response (${RESPONSE.length} transport events)`,
    perResponse[0]!,
    perResponse[1]!,
  ]);
  const liveKit = [liveKitSession(false), liveKitSession(true)] as const;
  const perReply = liveKit.map((session) =>
    nsPerOp(() => {
      for (const m of REPLY)
        session.emit(voice.AgentSessionEventTypes.MetricsCollected, voice.createMetricsCollectedEvent({ metrics: m }));
    }, 20_000),
  );
  events.push([
    `LiveKit AgentSession, one reply's metrics_collected events (STT, EOU, LLM, TTS: ${REPLY.length})`,
    perReply[0]!,
    perReply[1]!,
  ]);
  return [
    '### Voice session integrations (@agentmeter/llm/openai-agents-realtime, @agentmeter/llm/livekit)',
    '',
    'The real `RealtimeSession` and `voice.AgentSession`, their own emitters fed the events a response',
    'or reply brings (no network): without and with the integration, ns per response or reply,',
    'the median of 7 rounds of 20,000:',
    '',
    table(
      ['session', 'plain ns', 'instrumented ns', 'overhead ns'],
      events.map(([name, plain, wrapped]) => [name, fmt(plain), fmt(wrapped), fmt(wrapped - plain)]),
    ),
    '',
  ].join('\n');
}
