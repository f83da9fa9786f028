import type { LlmSimulatorOptions } from './simulator.ts';

/**
 * Options for a demo that looks like production: lognormal first-byte and inter-chunk delays per
 * provider, and a few percent of 429s, 5xx, dropped and malformed streams. Seeded, so a run repeats.
 */
export function realisticLlmOptions(seed = 1): LlmSimulatorOptions {
  return {
    seed,
    reply: 'Sure. Here is a short answer, streamed in word-sized chunks the way providers send them.',
    usage: { input: 420, cached_input: 128 },
    latencyByProvider: {
      openai: { firstByte: { median: 450, p95: 1400, max: 10_000 }, betweenFrames: { median: 18, p95: 60, max: 1000 } },
      anthropic: {
        firstByte: { median: 600, p95: 1800, max: 10_000 },
        betweenFrames: { median: 22, p95: 70, max: 1000 },
      },
      google: { firstByte: { median: 380, p95: 1200, max: 10_000 }, betweenFrames: { median: 30, p95: 90, max: 1000 } },
    },
    faults: [
      { fault: '429', rate: 0.02, retryAfter: 1 },
      { fault: '503', rate: 0.005, retryAfter: 2 },
      { fault: '500', rate: 0.005 },
      { fault: 'abort:4', rate: 0.004 },
      { fault: 'malformed:3', rate: 0.002 },
    ],
  };
}
