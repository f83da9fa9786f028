import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { createAgentMeter, ERROR_TYPES } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import { instrumentAnthropic, instrumentLlmFunction, instrumentOpenAI } from '@agentmeter/llm';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { instrumentOpenAIAudio } from '@agentmeter/speech';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureDiag, leaksSecret, type CapturedDiag } from '../src/checks.ts';
import { PROMPTS, SECRETS } from '../src/hostile.ts';

const API_KEY = SECRETS[0]!;
const PROMPT = PROMPTS[0]!;
/** A provider that echoes the key and the prompt in its error messages, as real ones sometimes do. */
let provider: Server;
let baseURL: string;
let captured: CapturedDiag;

beforeAll(async () => {
  captured = captureDiag();
  provider = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = Number(request.headers['x-status'] ?? 401);
      const message = `Incorrect API key provided: ${request.headers.authorization ?? request.headers['x-api-key']}. Your request was: ${Buffer.concat(chunks).toString('utf8').slice(0, 400)}`;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ type: 'error', error: { message, type: 'invalid_request_error', code: API_KEY } }));
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});
afterAll(async () => {
  captured.restore();
  await new Promise((resolve) => provider.close(resolve));
});

describe('secrets never become labels', () => {
  it('provider errors that carry the key and the prompt reach error_type only through the taxonomy', async () => {
    const meter = createAgentMeter();
    const reader = createTestReader(meter);
    const openai = instrumentOpenAI(new OpenAI({ apiKey: API_KEY, baseURL: `${baseURL}/v1`, maxRetries: 0 }), {
      meter,
      pricing: false,
    });
    const anthropic = instrumentAnthropic(new Anthropic({ apiKey: API_KEY, baseURL, maxRetries: 0 }), {
      meter,
      pricing: false,
    });
    const audio = instrumentOpenAIAudio(new OpenAI({ apiKey: API_KEY, baseURL: `${baseURL}/v1`, maxRetries: 0 }), {
      meter,
    });
    const failing = [];
    for (const status of [400, 401, 403, 404, 429, 500, 503]) {
      const headers = { 'x-status': String(status) };
      failing.push(
        openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }] }, { headers }),
        openai.chat.completions.create(
          { model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }], stream: true },
          { headers },
        ),
        anthropic.messages.create(
          { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: PROMPT }] },
          { headers },
        ),
        audio.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: PROMPT }, { headers }),
      );
    }
    const errors = await Promise.all(
      failing.map((call) =>
        Promise.resolve(call).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    // The clients did see the secrets: the test would be empty otherwise.
    expect(errors.every((error) => error instanceof Error && error.message.includes(API_KEY))).toBe(true);

    const generic = instrumentLlmFunction(
      async (_prompt: string) => {
        throw Object.assign(new Error(`upstream refused key ${API_KEY} for prompt "${PROMPT}"`), {
          status: 401,
          code: API_KEY,
        });
      },
      { meter, pricing: false, provider: 'custom', model: (prompt: string) => prompt },
    );
    await generic(PROMPT).catch(() => undefined);
    for (const secret of [...SECRETS, PROMPT, `Bearer ${API_KEY}`]) {
      meter.trackError(Object.assign(new Error(secret), { code: secret, name: secret }), { component: secret });
      meter.trackRequest({ route: secret }, () => undefined);
      meter.instruments.llmRequests.add(1, {
        provider: secret,
        model: `Bearer ${API_KEY}`,
        operation: PROMPT,
        status: secret,
      });
    }

    const snapshot = await reader.collect();
    let labels = 0;
    for (const metric of snapshot.metrics) {
      for (const point of metric.dataPoints) {
        for (const [key, value] of Object.entries(point.attributes)) {
          labels++;
          expect(leaksSecret(String(value)), `${metric.descriptor.name} ${key}=${String(value).slice(0, 60)}`).toBe(
            false,
          );
          if (key === 'error_type') expect(ERROR_TYPES).toContain(value);
        }
      }
    }
    expect(labels).toBeGreaterThan(20);
    const errorTypes = snapshot.points('agentmeter.llm.errors').map((point) => point.attributes['error_type']);
    expect(new Set(errorTypes)).toEqual(new Set(['bad_request', 'auth', 'rate_limit', 'server_error']));
    const exposition = await new PrometheusExporter({ meter }).scrape('openmetrics');
    expect(leaksSecret(exposition)).toBe(false);
    expect(captured.problems()).toEqual([]);
    await reader.shutdown();
  });
});
