import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTOR_DIR, findTool, run } from './helpers/tools.ts';

describe('scripts/ensure-tools.sh', () => {
  it('reports the tools the tests use, and is a no-op when they are present', async () => {
    const result = await run('bash', [join(COLLECTOR_DIR, 'scripts', 'ensure-tools.sh')]);
    expect(result.code, result.stderr).toBe(0);
    const reported = Object.fromEntries(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(': ') as [string, string]),
    );
    expect(reported).toEqual({
      promtool: findTool('promtool'),
      prometheus: findTool('prometheus'),
      amtool: findTool('amtool'),
      chromium: findTool('chromium'),
      otelcol: findTool('otelcol'),
    });
    // Nothing was installed or built this time.
    expect(result.stderr).toBe('');
  });

  it('the built Collector holds every component of builder-config.yaml', async () => {
    const result = await run(findTool('otelcol'), ['components']);
    expect(result.code, result.stderr).toBe(0);
    for (const name of [
      'otlp',
      'prometheus',
      'memory_limiter',
      'otlp_http',
      'prometheus_remote_write',
      'health_check',
      'basicauth',
      'file_storage',
    ]) {
      expect(result.stdout).toContain(`name: ${name}\n`);
    }
    // Batching is the exporter's sending queue's: the batch processor is no longer built in.
    expect(result.stdout).not.toContain('name: batch\n');
    expect((await run(findTool('otelcol'), ['--version'])).stdout).toContain('0.165.0');
  });
});
