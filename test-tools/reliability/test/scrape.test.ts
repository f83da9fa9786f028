import { createAgentMeter } from '@agentmeter/core';
import { start } from '@agentmeter/node';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BearerAuth } from '../../../packages/prometheus/src/http/auth.ts';
import { captureDiag, type CapturedDiag } from '../src/checks.ts';
import { reportFigure } from '../src/figures.ts';
import { compareNanos, recordHeavily, scrapeLoad } from '../src/scrape-load.ts';

const TOKEN = 'Zq4-scrape-token-7f3a9c1e5b2d8f6a0c4e';
// Same length as TOKEN, differing in the first and in the last character.
const WRONG_EARLY = `X${TOKEN.slice(1)}`;
const WRONG_LATE = `${TOKEN.slice(0, -1)}X`;
const SCRAPERS = 200;
const SCRAPES = 400;

let captured: CapturedDiag;
beforeAll(() => {
  captured = captureDiag();
});
afterAll(() => captured.restore());

/** Scrapes with the token under load (all parsed), then with wrong and missing tokens (all 401), then looks for the token. */
async function holdsUnderLoad(
  name: string,
  url: string,
  recordInto: Parameters<typeof recordHeavily>[0],
): Promise<void> {
  const recording = recordHeavily(recordInto);
  const ok = await scrapeLoad(url, {
    connections: SCRAPERS,
    amount: SCRAPES,
    authorization: [`Bearer ${TOKEN}`],
    expectStatus: 200,
  });
  const refused = await scrapeLoad(url, {
    connections: SCRAPERS,
    amount: 200,
    authorization: [`Bearer ${WRONG_EARLY}`, undefined, `Bearer ${WRONG_LATE}`, 'Basic Zm9vOmJhcg=='],
    expectStatus: 401,
  });
  const recorded = recording.stop();
  reportFigure(`scrape (${name}): ${SCRAPERS} concurrent scrapers, errors`, ok.errors + ok.failures.length);
  reportFigure(`scrape (${name}): responses parsed`, `${ok.parsed} of ${SCRAPES}`);
  reportFigure(`scrape (${name}): refused beyond the concurrency cap (503 with Retry-After)`, ok.refused);
  reportFigure(`scrape (${name}): scrapes per second during recording`, Math.round(ok.rps));
  expect(ok.failures).toEqual([]);
  expect({ errors: ok.errors, answered: ok.parsed + ok.refused }).toEqual({ errors: 0, answered: SCRAPES });
  expect(ok.parsed).toBeGreaterThan(0);
  expect(refused.failures).toEqual([]);
  expect({ errors: refused.errors, refused: refused.parsed }).toEqual({ errors: 0, refused: 200 });
  expect(recorded).toBeGreaterThan(500);

  // The token is in no exposition (text and OpenMetrics) and no log line.
  for (const accept of ['text/plain', 'application/openmetrics-text; version=1.0.0']) {
    const body = await (await fetch(url, { headers: { authorization: `Bearer ${TOKEN}`, accept } })).text();
    expect(body.length).toBeGreaterThan(0);
    expect(body).not.toContain(TOKEN);
    expect(body).not.toContain(TOKEN.slice(4, 20));
  }
  for (const message of [...captured.warnings, ...captured.errors]) expect(message).not.toContain(TOKEN.slice(4, 20));
}

describe('scrape load and auth', () => {
  it('@agentmeter/prometheus serves 200 concurrent scrapers during heavy recording; wrong and missing tokens get 401', async () => {
    const meter = createAgentMeter({ attributes: { requests: ['route'] } });
    const exporter = new PrometheusExporter({ meter, token: TOKEN, port: 0 });
    const base = await exporter.start();
    await holdsUnderLoad('@agentmeter/prometheus', `${base}/metrics`, meter);
    for (const path of ['/api/metrics', '/api/health']) {
      const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(await response.text()).not.toContain(TOKEN.slice(4, 20));
    }
    await exporter.shutdown();
  }, 180_000);

  it("@agentmeter/node's /metrics does the same", async () => {
    const handle = start({
      serviceName: 'scrape-check',
      runtime: false,
      hostMetrics: false,
      http: false,
      attributes: { requests: ['route'] },
      prometheus: { host: '127.0.0.1', port: 0, token: TOKEN },
      otlp: false,
      diagLogger: false,
    });
    await handle.ready;
    await holdsUnderLoad('@agentmeter/node', handle.prometheusUrl!, handle.meter);
    await handle.shutdown();
  }, 180_000);

  it('compares the right and a wrong token of equal length in the same time (figures reported)', () => {
    const auth = new BearerAuth(TOKEN);
    expect(auth.check(`Bearer ${TOKEN}`)).toBe('ok');
    expect(auth.check(`Bearer ${WRONG_LATE}`)).toBe('invalid');
    const [right, wrong] = compareNanos(
      () => auth.check(`Bearer ${TOKEN}`),
      () => auth.check(`Bearer ${WRONG_LATE}`),
      201,
      300,
    );
    const [early, late] = compareNanos(
      () => auth.check(`Bearer ${WRONG_EARLY}`),
      () => auth.check(`Bearer ${WRONG_LATE}`),
      201,
      300,
    );
    reportFigure('token check: right token, median', right.toFixed(0), 'ns');
    reportFigure('token check: wrong token of equal length, median', wrong.toFixed(0), 'ns');
    reportFigure('token check: right/wrong ratio', (right / wrong).toFixed(3));
    reportFigure('token check: first-character/last-character mismatch ratio', (early / late).toFixed(3));
    // A generous bound on medians, for a shared, noisy machine: it catches a check that skips the
    // comparison (or the hashing) for wrong tokens, not nanosecond leaks; the figures tell the rest.
    expect(right / wrong).toBeGreaterThan(1 / 3);
    expect(right / wrong).toBeLessThan(3);
  });
});
