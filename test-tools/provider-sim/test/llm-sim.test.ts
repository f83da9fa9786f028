import { afterEach, describe, expect, it } from 'vitest';
import {
  createLlmSimulator,
  type LlmSimulatorServer,
  parseFault,
  realisticLlmOptions,
  sampleDelay,
  seededRandom,
  startLlmSimulator,
  startLoopbackServer,
} from '../src/index.ts';

let server: LlmSimulatorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

function draw(seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: 4001 }, () => sampleDelay({ median: 400, p95: 1200 }, random));
}

describe('faults and latency', () => {
  it('parses fault specs', () => {
    expect(parseFault('429')).toEqual({ kind: 'status', status: 429 });
    expect(parseFault(' HANG ')).toEqual({ kind: 'hang' });
    expect(parseFault('abort')).toEqual({ kind: 'abort', afterFrames: 2 });
    expect(parseFault('malformed:0')).toEqual({ kind: 'malformed', afterFrames: 0 });
    expect(parseFault('error-event:x')).toEqual({ kind: 'error-event', afterFrames: 2 });
    expect(parseFault('explode')).toBeUndefined();
    expect(() => createLlmSimulator({ faults: [{ fault: 'explode' }] })).toThrow(/unknown fault "explode"/);
  });

  it('draws lognormal delays around the median, repeatably for a seed', () => {
    const samples = draw(7).toSorted((a, b) => a - b);
    expect(draw(7)).toEqual(draw(7));
    expect(samples[2000]! / 400).toBeCloseTo(1, 1);
    expect(samples[3800]! / 1200).toBeCloseTo(1, 1);
    expect(sampleDelay(25, Math.random)).toBe(25);
    expect(sampleDelay(-5, Math.random)).toBe(0);
    expect(sampleDelay({ median: 100, p95: 100_000, max: 150 }, () => 0.999)).toBeLessThanOrEqual(150);
  });
});

describe('LLM simulator', () => {
  it('answers the three protocols, records requests, and 404s other routes', async () => {
    server = await startLlmSimulator({ models: { m: { reply: 'a b', usage: { input: 3 } } } });
    const chat = (await (await post(`${server.url}/v1/chat/completions`, { model: 'm', messages: [] })).json()) as {
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(chat.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 2 });
    const claude = (await (await post(`${server.url}/v1/messages`, { model: 'm', messages: [] })).json()) as {
      usage: { input_tokens: number };
    };
    expect(claude.usage.input_tokens).toBe(3);
    const gemini = (await (await post(`${server.url}/v1beta/models/m:generateContent`, {})).json()) as {
      usageMetadata: { candidatesTokenCount: number };
    };
    expect(gemini.usageMetadata.candidatesTokenCount).toBe(2);
    expect((await post(`${server.url}/v1/unknown`, {})).status).toBe(404);
    expect(server.simulator.requests.map((r) => r.provider)).toEqual(['openai', 'anthropic', 'google']);
  });

  it('applies rules by provider, model and count, and lets the header override them', async () => {
    server = await startLlmSimulator({
      faults: [{ fault: '503', provider: 'openai', model: 'busy', times: 2, retryAfter: 7 }],
    });
    const busy = await post(`${server.url}/v1/chat/completions`, { model: 'busy' });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('7');
    expect((await post(`${server.url}/v1/chat/completions`, { model: 'other' })).status).toBe(200);
    expect((await post(`${server.url}/v1/messages`, { model: 'busy' })).status).toBe(200);
    expect((await post(`${server.url}/v1/chat/completions`, { model: 'busy' })).status).toBe(503);
    expect((await post(`${server.url}/v1/chat/completions`, { model: 'busy' })).status).toBe(200);
    expect((await post(`${server.url}/v1/chat/completions`, { model: 'busy' }, { 'x-sim-fault': '401' })).status).toBe(
      401,
    );
  });

  it('streams SSE with the usage chunk and [DONE]', async () => {
    server = await startLlmSimulator({ reply: 'x y' });
    const text = await (
      await post(`${server.url}/v1/chat/completions`, {
        model: 'm',
        stream: true,
        stream_options: { include_usage: true },
      })
    ).text();
    const frames = text.trim().split('\n\n');
    expect(frames).toHaveLength(6);
    expect(frames.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(frames.at(-2)!.slice(6)).usage.completion_tokens).toBe(2);
  });

  it('shares a loopback server with other handlers', async () => {
    const llm = createLlmSimulator();
    const shared = await startLoopbackServer((req, res, body) => {
      if (llm.handle(req, res, body)) return;
      res.writeHead(200).end('speech');
    });
    try {
      expect((await post(`${shared.url}/v1/embeddings`, { model: 'e', input: 'a' })).status).toBe(200);
      expect(await (await post(`${shared.url}/v1/audio/speech`, {})).text()).toBe('speech');
    } finally {
      await shared.close();
    }
  });
});

async function outcomes(seed: number, calls: number): Promise<number[]> {
  // OpenAI without delays, to keep the test quick; the rates are the realistic ones.
  const sim = await startLlmSimulator({ ...realisticLlmOptions(seed), latencyByProvider: { openai: {} } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < calls; i++) {
      statuses.push(
        await post(`${sim.url}/v1/embeddings`, { model: 'e', input: 'a' }).then(
          (r) => r.status,
          () => 0,
        ),
      );
    }
    return statuses;
  } finally {
    await sim.close();
  }
}

describe('realistic demo options', () => {
  it('inject faults at a few percent, the same ones for the same seed', async () => {
    const first = await outcomes(3, 200);
    const failures = first.filter((status) => status !== 200).length;
    expect(failures).toBeGreaterThan(0);
    expect(failures).toBeLessThan(20);
    expect(await outcomes(3, 200)).toEqual(first);
  });
});
