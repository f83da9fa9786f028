import type { Names } from '../metric-names.ts';
import { type AlertTest, alertTest } from './model.ts';

/** promtool unit tests for the TTS, time-to-first-audio and cost alerts (see seedAlertTests). */
export function voiceAndCostAlertTests({ ns }: Names): AlertTest[] {
  return [
    alertTest(
      'SlowTTSProcessing',
      [
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", status="success", le="3"}`,
          '0x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", status="success", le="5"}`,
          '0x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", status="success", le="10"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", status="success", le="+Inf"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", status="success", le="3"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", status="success", le="5"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", status="success", le="10"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", status="success", le="+Inf"}`,
          '0+60x20',
        ],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'voice', provider: 'cartesia', model: 'sonic-2', severity: 'warning' },
            summary: 'Slow text-to-speech on cartesia sonic-2',
            description: '95th percentile TTS latency is 9.75s.',
          },
        ],
      },
    ),
    alertTest(
      'TTSRateLimitHigh',
      [
        [
          `${ns}_tts_errors_total{job="voice", provider="cartesia", model="sonic-2", error_type="rate_limit"}`,
          '0+10x20',
        ],
        [
          `${ns}_tts_errors_total{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", error_type="rate_limit"}`,
          '0+2x20',
        ],
        [
          `${ns}_tts_errors_total{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", error_type="timeout"}`,
          '0+30x20',
        ],
      ],
      {
        silentAt: '2m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'voice', provider: 'cartesia', severity: 'warning' },
            summary: 'cartesia TTS is rate limiting',
            description: '10 TTS calls per minute were rate limited.',
          },
        ],
      },
    ),
    // Scraped every 15 s, so that [1m] holds four samples: Prometheus 3 ranges are left-open, and
    // one-minute samples would leave a single one in [1m], for which rate() gives nothing.
    alertTest(
      'TTSRateLimitCritical',
      [
        [
          `${ns}_tts_errors_total{job="voice", provider="cartesia", model="sonic-2", error_type="rate_limit"}`,
          '0+7.5x80',
        ],
        [
          `${ns}_tts_errors_total{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", error_type="rate_limit"}`,
          '0+2.5x80',
        ],
      ],
      {
        interval: '15s',
        silentAt: '1m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'voice', provider: 'cartesia', severity: 'critical' },
            summary: 'cartesia TTS is rate limiting heavily',
            description: '30 TTS calls per minute were rate limited.',
          },
        ],
      },
    ),
    alertTest(
      'TTSErrorRateHigh',
      [
        [`${ns}_tts_errors_total{job="voice", provider="cartesia", model="sonic-2", error_type="timeout"}`, '0+8x20'],
        [
          `${ns}_tts_errors_total{job="voice", provider="cartesia", model="sonic-2", error_type="server_error"}`,
          '0+8x20',
        ],
        [
          `${ns}_tts_errors_total{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", error_type="timeout"}`,
          '0+4x20',
        ],
      ],
      {
        silentAt: '3m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'voice', provider: 'cartesia', severity: 'warning' },
            summary: 'cartesia TTS errors are high',
            description: '16 TTS calls per minute failed.',
          },
        ],
      },
    ),
    alertTest(
      'TimeToFirstAudioSlow',
      [
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", le="1.5"}`,
          '0x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", le="2"}`,
          '0x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", le="3"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", le="+Inf"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", le="1.5"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", le="2"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", le="3"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", le="+Inf"}`,
          '0+60x20',
        ],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'voice', provider: 'cartesia', model: 'sonic-2', severity: 'warning' },
            summary: 'Slow first audio from cartesia sonic-2',
            description: '95th percentile time to first audio is 2.95s.',
          },
        ],
      },
    ),
  ];
}
