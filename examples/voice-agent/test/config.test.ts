import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { envNumber, needsSimulator, readConfig } from '../src/config.ts';
import { simulatorOptionsFromEnv, startDemoSimulator } from '../src/simulator.ts';

const RANGE = { min: 0, max: 100, integer: true };

describe('configuration from the environment', () => {
  it('reads numbers, and names the variable when a value is not one', () => {
    expect(envNumber({}, 'X', 7, RANGE)).toBe(7);
    expect(envNumber({ X: ' ' }, 'X', 7, RANGE)).toBe(7);
    expect(envNumber({ X: '42' }, 'X', 7, RANGE)).toBe(42);
    for (const bad of ['abc', 'NaN', 'Infinity', '-Infinity', '-1', '101', '1e309', '0.5', '0x', 'x'.repeat(100_000)]) {
      expect(() => envNumber({ X: bad }, 'X', 7, RANGE), bad).toThrow(/^X must be a whole number from 0 to 100; got "/);
    }
    expect(() => envNumber({ X: 'x'.repeat(100_000) }, 'X', 7, RANGE)).toThrow(/^.{0,120}$/);
  });

  it('reads the service configuration, with keys deciding which providers are simulated', () => {
    const config = readConfig({ PORT: '0', OPENAI_API_KEY: 'sk-real', DEEPGRAM_API_KEY: '' });
    expect(config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: undefined,
      redisUrl: undefined,
      cachePrefix: 'voice-agent:',
      simulator: undefined,
    });
    expect(config.keys).toEqual({
      openai: 'sk-real',
      anthropic: undefined,
      elevenlabs: undefined,
      cartesia: undefined,
      deepgram: undefined,
      google: undefined,
    });
    expect(needsSimulator(config)).toBe(true);
    const all = readConfig({
      OPENAI_API_KEY: 'a',
      ANTHROPIC_API_KEY: 'b',
      ELEVENLABS_API_KEY: 'c',
      CARTESIA_API_KEY: 'd',
      DEEPGRAM_API_KEY: 'e',
      GEMINI_API_KEY: 'f',
    });
    expect(needsSimulator(all)).toBe(false);
    expect(() => readConfig({ PORT: '70000' })).toThrow(/PORT must be a whole number from 0 to 65535/);
    expect(() => readConfig({ VOICE_AGENT_SIMULATOR: '{"llm":"http://127.0.0.1:1"}' })).toThrow(
      /VOICE_AGENT_SIMULATOR lacks the "openaiAudio" URL/,
    );
    expect(() => readConfig({ VOICE_AGENT_SIMULATOR: '{not json' })).toThrow(SyntaxError);
  });

  it('reads the simulator knobs and refuses impossible ones', async () => {
    expect(simulatorOptionsFromEnv({})).toEqual({
      faults: { rateLimit: 0.02, serverError: 0.01, timeout: 0.002 },
      latencyScale: 1,
    });
    expect(simulatorOptionsFromEnv({ AGENTMETER_SIM_RATE_LIMIT: '0.5', AGENTMETER_SIM_SEED: '9' })).toMatchObject({
      faults: { rateLimit: 0.5 },
      seed: 9,
    });
    for (const bad of ['1.5', '-0.1', 'NaN', 'often']) {
      expect(() => simulatorOptionsFromEnv({ AGENTMETER_SIM_RATE_LIMIT: bad })).toThrow(
        /AGENTMETER_SIM_RATE_LIMIT must be a number from 0 to 1/,
      );
    }
    await expect(startDemoSimulator({ faults: { rateLimit: Number.NaN } })).rejects.toThrow(
      /faults.rateLimit must be a probability/,
    );
    await expect(startDemoSimulator({ latencyScale: -1 })).rejects.toThrow(
      /latencyScale must be a number from 0 to 100/,
    );
  });

  it('the demo stops at once, with the reason, on a bad variable', () => {
    const demo = fileURLToPath(new URL('../src/demo.ts', import.meta.url));
    for (const [name, value] of [
      ['AGENTMETER_DEMO_CONCURRENCY', '0'],
      ['AGENTMETER_DEMO_SECONDS', '-5'],
      ['AGENTMETER_SIM_TIMEOUT', '2'],
    ] as const) {
      const result = spawnSync(process.execPath, ['--conditions=@agentmeter/source', demo], {
        env: { ...process.env, [name]: value },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status, name).toBe(2);
      expect(result.stderr).toContain(`agentmeter demo: ${name} must be`);
    }
  });
});
