import { getExemplars, type Exemplar } from '@agentmeter/core/internal';
import type { Attributes } from '@opentelemetry/api';
import type { DataPoint, ExponentialHistogram, Histogram } from '@opentelemetry/sdk-metrics';
import { classicHistogram, type InstrumentationScope, type MetricFamily } from './families.ts';
import type { LabelCache } from './labels.ts';
import { nativeBuckets } from './native.ts';
import { FIELD, METRIC_TYPE, ProtoWriter, writeExemplar, writeLabels } from './protobuf.ts';

type Pairs = readonly (readonly [string, string])[];

const SCOPE_PREFIX = 'otel_scope_';

function scopePairs(scope: InstrumentationScope): [string, string][] {
  const pairs: [string, string][] = [['otel_scope_name', String(scope.name)]];
  if (scope.version !== undefined && scope.version !== '') pairs.push(['otel_scope_version', String(scope.version)]);
  if (scope.schemaUrl !== undefined && scope.schemaUrl !== '')
    pairs.push(['otel_scope_schema_url', String(scope.schemaUrl)]);
  return pairs;
}

/**
 * Writes metric families in Prometheus' delimited protobuf format: the same families, names and
 * labels as the text formats, plus native histograms. A histogram with exponential buckets is
 * written with both its native buckets and its classic ones, which Prometheus keeps when the
 * scrape sets `always_scrape_classic_histograms`.
 */
export class ProtobufExpositionWriter {
  readonly #labels: LabelCache;
  readonly #scopeLabels: boolean;

  constructor(labels: LabelCache, scopeLabels: boolean) {
    this.#labels = labels;
    this.#scopeLabels = scopeLabels;
  }

  write(families: readonly MetricFamily[], resourceAttributes: Attributes): Buffer {
    const proto = new ProtoWriter(64 * 1024);
    const target = Object.entries(this.#labels.labels(resourceAttributes));
    if (target.length > 0) {
      proto.delimited((family) => {
        family.string(FIELD.family.name, 'target_info');
        family.string(FIELD.family.help, 'Target metadata');
        family.uint(FIELD.family.type, METRIC_TYPE.gauge);
        family.message(FIELD.family.metric, (metric) => {
          writeLabels(metric, FIELD.metric.label, target);
          metric.message(FIELD.metric.gauge, (gauge) => gauge.double(FIELD.value, 1));
        });
      });
    }
    for (const family of families) proto.delimited((inner) => this.#family(inner, family));
    return proto.out.result();
  }

  #pairs(scope: InstrumentationScope | undefined, attributes: Attributes): Pairs {
    const own = Object.entries(this.#labels.labels(attributes));
    if (!this.#scopeLabels || scope === undefined) return own;
    return [...scopePairs(scope), ...own.filter(([name]) => !name.startsWith(SCOPE_PREFIX))];
  }

  #family(proto: ProtoWriter, family: MetricFamily): void {
    proto.string(FIELD.family.name, family.name);
    proto.string(FIELD.family.help, family.help);
    proto.uint(FIELD.family.type, METRIC_TYPE[family.type]);
    for (let m = 0; m < family.metrics.length; m++) {
      const scope = family.scopes[m];
      for (const point of family.metrics[m]!.dataPoints as DataPoint<number | Histogram | ExponentialHistogram>[]) {
        proto.message(FIELD.family.metric, (metric) => {
          writeLabels(metric, FIELD.metric.label, this.#pairs(scope, point.attributes));
          if (family.type === 'histogram') {
            metric.message(FIELD.metric.histogram, (histogram) =>
              writeHistogram(histogram, point as DataPoint<Histogram | ExponentialHistogram>),
            );
          } else if (family.type === 'counter') {
            metric.message(FIELD.metric.counter, (counter) => {
              counter.double(FIELD.counter.value, point.value as number);
              writeExemplar(counter, FIELD.counter.exemplar, getExemplars(point) as Exemplar | undefined);
            });
          } else {
            metric.message(FIELD.metric.gauge, (gauge) => gauge.double(FIELD.value, point.value as number));
          }
        });
      }
    }
  }
}

function writeHistogram(proto: ProtoWriter, point: DataPoint<Histogram | ExponentialHistogram>): void {
  const value = point.value;
  proto.uint(FIELD.histogram.sampleCount, value.count);
  proto.double(FIELD.histogram.sampleSum, value.sum ?? 0);
  const classic = classicHistogram(point);
  if (classic !== undefined) {
    const exemplars = getExemplars(point);
    const perBucket = Array.isArray(exemplars) ? (exemplars as readonly (Exemplar | undefined)[]) : [];
    const { boundaries, counts } = classic.buckets;
    let cumulative = 0;
    // The +Inf bucket is implied by the sample count.
    for (let i = 0; i < boundaries.length; i++) {
      cumulative += counts[i] ?? 0;
      proto.message(FIELD.histogram.bucket, (bucket) => {
        bucket.uint(FIELD.bucket.cumulativeCount, cumulative);
        bucket.double(FIELD.bucket.upperBound, boundaries[i]!);
        writeExemplar(bucket, FIELD.bucket.exemplar, perBucket[i]);
      });
    }
  }
  if ('buckets' in value) return;
  const native = nativeBuckets(value);
  if (native === undefined) return;
  proto.sint(FIELD.histogram.schema, native.schema);
  proto.double(FIELD.histogram.zeroThreshold, 0);
  proto.uint(FIELD.histogram.zeroCount, native.zeroCount);
  // A span even when empty: it is what marks the histogram as native.
  proto.message(FIELD.histogram.positiveSpan, (span) => {
    span.sint(FIELD.span.offset, native.deltas.length === 0 ? 0 : native.offset);
    span.uint(FIELD.span.length, native.deltas.length);
  });
  for (const delta of native.deltas) proto.sint(FIELD.histogram.positiveDelta, delta);
}
