import { resolveSeriesLimit } from '../config.ts';
import { AGENTMETER_SCOPE } from '../scope.ts';
import type { AgentMeterOptions } from '../types.ts';

/** A view for an OpenTelemetry SDK `MeterProvider` (the shape of sdk-metrics' `ViewOptions`). */
export interface AgentMeterSdkView {
  readonly meterName: string;
  readonly aggregationCardinalityLimit: number;
}

/**
 * Views that make an OpenTelemetry SDK `MeterProvider` keep every series agentmeter hands it.
 *
 * With `meterProvider`, agentmeter applies its own series limit and hands the SDK at most
 * `seriesLimit` attribute sets plus its `otel.metric.overflow` set per instrument. The SDK's
 * cardinality limit counts its overflow series too (default 2,000: 1,999 sets and the overflow),
 * so left at its default it would fold one of agentmeter's real series into the overflow. These
 * views, scoped to agentmeter's meter, set the SDK's limit to `seriesLimit + 1`: the overflow
 * series then holds only what went over agentmeter's limit. Pass the same options as to
 * `createAgentMeter` (the limit also comes from AGENTMETER_SERIES_LIMIT):
 *
 * ```ts
 * const options = { seriesLimit: 500 };
 * const provider = new MeterProvider({ readers: [reader], views: meterProviderViews(options) });
 * const meter = createAgentMeter({ ...options, meterProvider: provider });
 * ```
 */
export function meterProviderViews(options?: Pick<AgentMeterOptions, 'seriesLimit'>): AgentMeterSdkView[] {
  const seriesLimit = resolveSeriesLimit(options?.seriesLimit);
  return [{ meterName: AGENTMETER_SCOPE.name, aggregationCardinalityLimit: seriesLimit + 1 }];
}
