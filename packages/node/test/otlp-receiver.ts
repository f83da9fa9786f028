import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { close, listen } from './helpers.ts';

/** One decoded OTLP/JSON metric: its data points with plain attributes and numbers. */
export interface ReceivedMetric {
  name: string;
  kind: 'sum' | 'gauge' | 'histogram';
  temporality: number | undefined;
  monotonic: boolean | undefined;
  points: Array<{ attributes: Record<string, unknown>; value: number; count?: number }>;
}
export interface ReceivedExport {
  contentType: string | undefined;
  resource: Record<string, unknown>;
  metrics: ReceivedMetric[];
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type KeyValue = { key: string; value: AnyValue };
type JsonPoint = {
  attributes?: KeyValue[];
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
  sum?: number;
};
type JsonMetric = {
  name: string;
  sum?: { dataPoints: JsonPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  gauge?: { dataPoints: JsonPoint[] };
  histogram?: { dataPoints: JsonPoint[]; aggregationTemporality?: number };
};
type JsonRequest = {
  resourceMetrics: Array<{ resource?: { attributes?: KeyValue[] }; scopeMetrics: Array<{ metrics: JsonMetric[] }> }>;
};

function attributes(list: KeyValue[] | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    result[key] =
      value.stringValue ??
      (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
      value.doubleValue ??
      value.boolValue;
  }
  return result;
}

/** Decodes an OTLP/HTTP JSON ExportMetricsServiceRequest into plain metrics. */
export function decodeOtlpJson(body: Buffer, contentType: string | undefined): ReceivedExport {
  if (!contentType?.startsWith('application/json')) throw new Error(`expected OTLP/JSON, got ${contentType}`);
  const request = JSON.parse(body.toString('utf8')) as JsonRequest;
  const metrics: ReceivedMetric[] = [];
  let resource: Record<string, unknown> = {};
  for (const resourceMetrics of request.resourceMetrics) {
    resource = attributes(resourceMetrics.resource?.attributes);
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const one of scope.metrics) {
        const data = one.sum ?? one.gauge ?? one.histogram!;
        metrics.push({
          name: one.name,
          kind: one.sum ? 'sum' : one.gauge ? 'gauge' : 'histogram',
          temporality: one.sum?.aggregationTemporality ?? one.histogram?.aggregationTemporality,
          monotonic: one.sum?.isMonotonic,
          points: data.dataPoints.map((point) => ({
            attributes: attributes(point.attributes),
            value: Number(point.asInt ?? point.asDouble ?? point.sum ?? 0),
            ...(point.count !== undefined ? { count: Number(point.count) } : {}),
          })),
        });
      }
    }
  }
  return { contentType, resource, metrics };
}

export interface OtlpReceiver {
  readonly url: string;
  readonly exports: ReceivedExport[];
  /** Resolves when the receiver holds `count` exports. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback OTLP/HTTP metrics receiver. `hold` keeps requests unanswered until `release()` (a
 * Collector that hangs); otherwise each is answered 200 once decoded.
 */
export async function startReceiver(
  options: { hold?: boolean } = {},
): Promise<OtlpReceiver & { release(): void; pending(): number }> {
  const exports: ReceivedExport[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const held: ServerResponse[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      exports.push(decodeOtlpJson(body, request.headers['content-type']));
      for (const waiter of waiters.filter((w) => exports.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      if (options.hold) {
        held.push(response);
        return;
      }
      response.setHeader('content-type', 'application/json');
      response.end('{}');
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/v1/metrics`,
    exports,
    received: (count) =>
      new Promise((resolve) => {
        if (exports.length >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    release: () => {
      for (const response of held.splice(0)) response.end('{}');
    },
    pending: () => held.length,
    close: () => close(server),
  };
}

/** The metric `name` in an export. */
export function metric(received: ReceivedExport, name: string): ReceivedMetric | undefined {
  return received.metrics.find((m) => m.name === name);
}
