import { describe, expect, it } from 'vitest';
import { runNode as run, value } from './helpers.ts';
import { metric, startReceiver } from './otlp-receiver.ts';

describe('zero-code mode: node --import @agentmeter/node/register', () => {
  it('instruments an ESM Express app configured by environment variables only, and flushes OTLP on exit', async () => {
    const receiver = await startReceiver();
    const result = await run(
      ['--conditions=@agentmeter/source', '--import', '@agentmeter/node/register', 'test/fixtures/zero-code-app.mjs'],
      {
        OTEL_SERVICE_NAME: 'zero',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=ci,service.version=9.9.9',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
        OTEL_METRIC_EXPORT_INTERVAL: '600000',
        AGENTMETER_NAMESPACE: 'zc',
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'host-metrics',
      },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { text } = JSON.parse(result.stdout) as { text: string };
    expect(
      value(text, 'http_server_request_duration_seconds_count', {
        http_route: '/users/:id',
        http_response_status_code: '200',
      }),
    ).toBe(3);
    expect(value(text, 'zc_zero_code_jobs_total')).toBe(1);
    expect(value(text, 'target_info')).toBe(1);
    expect(text).toMatch(/target_info\{[^}]*service_name="zero"[^}]*\}/);
    expect(text).toMatch(/target_info\{[^}]*deployment_environment_name="ci"/);
    expect(text).toContain('nodejs_eventloop_utilization_ratio');
    expect(text).not.toContain('system_cpu_time');

    // beforeExit flushed the final OTLP push.
    await receiver.received(1);
    const last = receiver.exports.at(-1)!;
    expect(last.resource['service.name']).toBe('zero');
    expect(metric(last, 'zc.zero_code_jobs')?.points[0]?.value).toBe(1);
    const http = metric(last, 'http.server.request.duration')!;
    expect(http.points.find((point) => point.attributes['http.route'] === '/users/:id')?.count).toBe(3);
    await receiver.close();
  });

  it('instruments a CommonJS Express app the same way', async () => {
    const result = await run(
      ['--conditions=@agentmeter/source', '--import', '@agentmeter/node/register', 'test/fixtures/zero-code-app.cjs'],
      {
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'host-metrics,runtime-node',
      },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { text } = JSON.parse(result.stdout) as { text: string };
    expect(
      value(text, 'http_server_request_duration_seconds_count', {
        http_route: '/items/:id',
        http_response_status_code: '200',
      }),
    ).toBe(2);
    expect(text).not.toContain('nodejs_eventloop');
  });

  it('fails fast with a clear message on a bad endpoint variable', async () => {
    const result = await run(
      ['--conditions=@agentmeter/source', '--import', '@agentmeter/node/register', '-e', 'console.log("app ran")'],
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' },
    );
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'AgentMeterConfigError: @agentmeter/node start(): OTEL_EXPORTER_OTLP_ENDPOINT is not a valid URL',
    );
  });
});
