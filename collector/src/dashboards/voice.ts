import type { DashboardSpec } from './model.ts';
import { quantiles, rate, sel, type DashboardNames } from './queries.ts';

/** Text-to-speech, speech-to-text and voice turns (the Voice Agent guide's dashboard, generalised). */
export function voicePipeline({ m, rule, ruleQuantiles, stem }: DashboardNames): DashboardSpec {
  return {
    uid: 'agentmeter-voice',
    title: 'agentmeter / Voice pipeline',
    description:
      'Voice turns, text-to-speech and speech-to-text: latency, time to first audio, errors and rate limits by provider.',
    rows: [
      {
        title: 'Turns',
        panels: [
          {
            title: 'Turn latency',
            description: 'End of user speech to first agent audio.',
            unit: 's',
            queries: ruleQuantiles(m('turnLatency'), '{{job}}'),
          },
          {
            title: 'Dropped voice events',
            description: 'Events dropped per minute: late (after the turn closed) and duplicate_final.',
            unit: 'short',
            queries: [{ expr: `${rate(m('voiceEventsDropped'), 'reason')} * 60`, legend: '{{reason}}' }],
          },
          {
            title: 'Interruptions',
            description: 'Barge-ins per minute.',
            unit: 'short',
            queries: [{ expr: `${rate(m('voiceInterruptions'), 'job')} * 60`, legend: '{{job}}' }],
          },
        ],
      },
      {
        title: 'Text-to-speech',
        panels: [
          {
            title: 'Time to first audio',
            description: 'p50, p90, p95 and p99 (TimeToFirstAudioSlow fires at p95 > 2 s).',
            unit: 's',
            queries: [
              ...ruleQuantiles(m('ttsTimeToFirstAudio'), '{{provider}} {{model}}'),
              ...quantiles(m('ttsTimeToFirstAudio'), 'provider', '{{provider}}', [0.9]),
            ],
          },
          {
            title: 'TTS latency',
            description: 'To the last audio byte (SlowTTSProcessing fires at p95 > 5 s).',
            unit: 's',
            queries: ruleQuantiles(m('ttsLatency'), '{{provider}} {{model}}'),
          },
          {
            title: 'TTS calls by status',
            description: 'Calls per second and error ratio.',
            unit: 'short',
            queries: [
              { expr: rate(m('ttsRequests'), 'provider, status'), legend: '{{provider}} {{status}}' },
              { expr: sel(rule(`${stem('ttsRequests')}_errors`, 'ratio_rate5m')), legend: 'error ratio {{provider}}' },
            ],
          },
          {
            title: 'TTS rate limits',
            description: 'Rate-limited calls per minute (TTSRateLimitHigh > 5, TTSRateLimitCritical > 20).',
            unit: 'short',
            queries: [
              { expr: `${rate(m('ttsErrors'), 'provider', 'error_type="rate_limit"')} * 60`, legend: '{{provider}}' },
            ],
          },
          {
            title: 'TTS errors by type',
            description: 'Failed calls per minute by type (TTSErrorRateHigh > 10).',
            unit: 'short',
            queries: [
              { expr: `${rate(m('ttsErrors'), 'provider, error_type')} * 60`, legend: '{{provider}} {{error_type}}' },
            ],
          },
          {
            title: 'TTS volume',
            description: 'Characters sent and seconds of audio synthesized per second.',
            unit: 'short',
            queries: [
              { expr: rate(m('ttsCharacters'), 'provider'), legend: 'characters/s {{provider}}' },
              { expr: rate(m('ttsAudio'), 'provider'), legend: 'audio s/s {{provider}}' },
            ],
          },
        ],
      },
      {
        title: 'Speech-to-text',
        panels: [
          {
            title: 'STT latency',
            description: 'To the final transcript.',
            unit: 's',
            queries: ruleQuantiles(m('sttLatency'), '{{provider}} {{model}}'),
          },
          {
            title: 'STT calls and errors',
            description: 'Calls per second by status, and errors per minute by type.',
            unit: 'short',
            queries: [
              { expr: rate(m('sttRequests'), 'provider, status'), legend: '{{provider}} {{status}}' },
              {
                expr: `${rate(m('sttErrors'), 'provider, error_type')} * 60`,
                legend: 'errors/min {{provider}} {{error_type}}',
              },
            ],
          },
          {
            title: 'Audio transcribed',
            description: 'Seconds of audio transcribed per second.',
            unit: 'short',
            queries: [{ expr: rate(m('sttAudio'), 'provider'), legend: '{{provider}}' }],
          },
        ],
      },
    ],
  };
}
