import { describe, expect, it } from 'vitest';
import {
  faultRates,
  logNormalMs,
  realisticSpeechOptions,
  secondsOfAudio,
  startElevenLabsSim,
  wavFile,
} from '../src/index.ts';
import { seededRandom } from '../src/random.ts';

describe('speech simulator behaviour', () => {
  it('replays the same random sequence for a seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws log-normal latencies around the median, and faults at the given rates', () => {
    const draw = logNormalMs(200, 600, seededRandom(1));
    const samples = Array.from({ length: 4001 }, draw).toSorted((x, y) => x - y);
    expect(samples[2000]).toBeGreaterThan(180);
    expect(samples[2000]).toBeLessThan(220);
    expect(samples[3800]).toBeGreaterThan(500);
    expect(samples[3800]).toBeLessThan(720);
    const faults = faultRates({ rate_limit: 0.1, server_error: 0.05 }, seededRandom(2));
    const kinds = Array.from({ length: 10_000 }, () => faults()?.kind ?? 'none');
    const count = (kind: string): number => kinds.filter((k) => k === kind).length;
    expect(count('rate_limit')).toBeGreaterThan(900);
    expect(count('rate_limit')).toBeLessThan(1100);
    expect(count('server_error')).toBeGreaterThan(400);
    expect(count('server_error')).toBeLessThan(600);
  });

  it('writes WAV files whose length reads back', () => {
    expect(secondsOfAudio(wavFile(2.5))).toBe(2.5);
    expect(secondsOfAudio(wavFile(1, 8000))).toBe(1);
    expect(secondsOfAudio(Buffer.alloc(32_000))).toBe(1);
  });

  it('serves queued faults in order, then the realistic distribution', async () => {
    const sim = await startElevenLabsSim({ ...realisticSpeechOptions(3, 1), chunkGapMs: 0, faultFor: () => undefined });
    try {
      sim.faults.push({ kind: 'rate_limit', retryAfterSeconds: 2 }, { kind: 'server_error' });
      const post = (): Promise<Response> =>
        fetch(`${sim.url}/v1/text-to-speech/v?output_format=pcm_16000`, {
          method: 'POST',
          body: JSON.stringify({ text: 'abcd' }),
        });
      const limited = await post();
      expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
      expect((await post()).status).toBe(500);
      const ok = await post();
      expect([ok.status, (await ok.arrayBuffer()).byteLength]).toEqual([200, 6400]);
      expect(sim.requests).toBe(3);
    } finally {
      await sim.close();
    }
  });
});
