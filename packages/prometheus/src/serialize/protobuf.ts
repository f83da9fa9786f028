import type { Exemplar } from '@agentmeter/core/internal';
import { ByteWriter } from './bytes.ts';

/**
 * The protocol-buffers wire format for Prometheus' `io.prometheus.client.MetricFamily`
 * (prometheus/client_model metrics.proto), the one exposition that carries native histograms.
 * Only what agentmeter writes is here: six messages, three wire types. Nested messages are
 * written into a scratch writer first, then copied in behind their length.
 */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;

export class ProtoWriter {
  readonly out: ByteWriter;
  readonly #double = Buffer.alloc(8);

  constructor(capacity = 256) {
    this.out = new ByteWriter(capacity);
  }

  #tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** An unsigned varint up to 2^53 (arithmetic, not 32-bit shifts). */
  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.out.byte((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.out.byte(rest);
  }

  uint(field: number, value: number): void {
    this.#tag(field, VARINT);
    this.varint(value);
  }

  /** sint32 / sint64: zigzag, so small negative numbers stay short. */
  sint(field: number, value: number): void {
    this.#tag(field, VARINT);
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  double(field: number, value: number): void {
    this.#tag(field, FIXED64);
    this.#double.writeDoubleLE(value, 0);
    this.out.bytes(this.#double);
  }

  string(field: number, value: string): void {
    this.#tag(field, LENGTH);
    this.varint(Buffer.byteLength(value, 'utf8'));
    this.out.text(value);
  }

  /** A nested message, written by `write` into its own writer. */
  message(field: number, write: (inner: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    write(inner);
    this.#tag(field, LENGTH);
    this.varint(inner.out.length);
    this.out.bytes(inner.out.result());
  }

  /** A whole message prefixed by its varint length (the `encoding=delimited` stream). */
  delimited(write: (inner: ProtoWriter) => void): void {
    const inner = new ProtoWriter(4096);
    write(inner);
    this.varint(inner.out.length);
    this.out.bytes(inner.out.result());
  }
}

/** MetricFamily.type values. */
export const METRIC_TYPE = { counter: 0, gauge: 1, histogram: 4 } as const;

/** Field numbers of the messages agentmeter writes. */
export const FIELD = {
  family: { name: 1, help: 2, type: 3, metric: 4, unit: 5 },
  metric: { label: 1, gauge: 2, counter: 3, histogram: 7 },
  label: { name: 1, value: 2 },
  value: 1,
  counter: { value: 1, exemplar: 2 },
  histogram: {
    sampleCount: 1,
    sampleSum: 2,
    bucket: 3,
    schema: 5,
    zeroThreshold: 6,
    zeroCount: 7,
    positiveSpan: 12,
    positiveDelta: 13,
  },
  bucket: { cumulativeCount: 1, upperBound: 2, exemplar: 3 },
  span: { offset: 1, length: 2 },
  exemplar: { label: 1, value: 2, timestamp: 3 },
  timestamp: { seconds: 1, nanos: 2 },
} as const;

export function writeLabels(proto: ProtoWriter, field: number, labels: readonly (readonly [string, string])[]): void {
  for (const [name, value] of labels) {
    proto.message(field, (pair) => {
      pair.string(FIELD.label.name, name);
      pair.string(FIELD.label.value, value);
    });
  }
}

export function writeExemplar(proto: ProtoWriter, field: number, exemplar: Exemplar | undefined): void {
  if (exemplar === undefined || typeof exemplar.traceId !== 'string' || typeof exemplar.spanId !== 'string') return;
  proto.message(field, (inner) => {
    writeLabels(inner, FIELD.exemplar.label, [
      ['trace_id', exemplar.traceId],
      ['span_id', exemplar.spanId],
    ]);
    inner.double(FIELD.exemplar.value, exemplar.value);
    if (typeof exemplar.timeMs === 'number' && exemplar.timeMs > 0) {
      inner.message(FIELD.exemplar.timestamp, (time) => {
        time.uint(FIELD.timestamp.seconds, Math.floor(exemplar.timeMs / 1000));
        time.uint(FIELD.timestamp.nanos, Math.round((exemplar.timeMs % 1000) * 1e6));
      });
    }
  });
}
