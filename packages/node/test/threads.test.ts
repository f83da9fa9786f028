import { describe, expect, it } from 'vitest';
import { promtoolCheck } from '../../prometheus/test/support/tools.ts';
import { runNode, samples, value } from './helpers.ts';

describe("worker threads: start() in a thread reports to the main thread's /metrics", () => {
  it('counts every thread exactly, whether it shut down, ran out of work or is still running', async () => {
    const result = await runNode(['--conditions=@agentmeter/source', 'test/fixtures/threads-app.mjs'], {});
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { text, again, stayed } = JSON.parse(result.stdout) as { text: string; again: string; stayed: number };
    for (const exposition of [text, again]) {
      // 100 + 200 + 300 requests in three threads, 5 in the main thread.
      expect(value(exposition, 'agentmeter_requests_total', { status: 'success' })).toBe(605);
      // trackRequest records a response time per request, and each thread records as many more.
      expect(value(exposition, 'agentmeter_response_time_seconds_count')).toBe(1200);
    }
    // Runtime series stay per thread: the main thread and the thread still running.
    const labels = samples(text, 'nodejs_eventloop_utilization_ratio')
      .map(([found]) => found['worker'])
      .toSorted();
    expect(labels).toEqual(['main', `thread-${stayed}`]);
    const checked = promtoolCheck(text);
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
  }, 60_000);
});
