import type { Names } from '../metric-names.ts';
import type { RecordingRule, RuleGroup } from './model.ts';

/** The HTTP server histogram of the OpenTelemetry semantic conventions (no namespace). */
export const HTTP_DURATION = 'http_server_request_duration_seconds';
/** The SLO windows of the multiwindow, multi-burn-rate alerts (Google SRE workbook, chapter 5). */
const SLO_WINDOWS = ['30m', '1h', '2h', '6h', '1d', '3d'] as const;
/** The latency SLO's threshold: a bucket boundary of the request histograms. */
export const SLOW_SECONDS = '2.5';

function sumRate(series: string, by: string, window: string): string {
  return `sum by (${by}) (rate(${series}[${window}]))`;
}

/**
 * The share of `whole`'s rate that `part` (a narrower selector of the same series) makes up. A
 * group with traffic but no `part` gets 0, not "no data": `or ... * 0` fills it in, so a healthy
 * service shows a 0% error ratio rather than an empty panel.
 */
function share(part: string, whole: string, by: string, window: string): string {
  return `(${sumRate(part, by, window)} or ${sumRate(whole, by, window)} * 0) / ${sumRate(whole, by, window)}`;
}

/** p50, p95 and p99 of a histogram over 5 minutes, by the given labels. */
function quantileRules(n: Names, histogram: string, by: string): RecordingRule[] {
  return [0.5, 0.95, 0.99].map((q) => ({
    record: n.rule(histogram, `p${Math.round(q * 100)}_5m`),
    expr: `histogram_quantile(${q}, ${sumRate(`${histogram}_bucket`, `${by}, le`, '5m')})`,
  }));
}

/** A counter's 5-minute rate (`<ns>:llm_requests:rate5m`). */
function rateRule(n: Names, counter: string, by: string): RecordingRule {
  return { record: n.rule(counter.replace(/_total$/, ''), 'rate5m'), expr: sumRate(counter, by, '5m') };
}

/** Share of a counter's increments with status="error" (`<ns>:llm_requests_errors:ratio_rate5m`). */
function errorRatio(n: Names, counter: string, by: string, window = '5m'): RecordingRule {
  return {
    record: n.rule(`${counter.replace(/_total$/, '')}_errors`, `ratio_rate${window}`),
    expr: share(`${counter}{status="error"}`, counter, by, window),
  };
}

/** Share of HTTP server requests answered with a 5xx status. */
function httpErrorRatio(n: Names, window: string): RecordingRule {
  const count = `${HTTP_DURATION}_count`;
  return {
    record: n.rule('http_server_errors', `ratio_rate${window}`),
    expr: share(`${count}{http_response_status_code=~"5.."}`, count, 'job', window),
  };
}

/** Share of requests slower than the latency SLO's threshold. */
function slowRatio(n: Names, window: string): RecordingRule {
  const histogram = n.m('responseTime');
  const fast = sumRate(`${histogram}_bucket{le="${SLOW_SECONDS}"}`, 'job', window);
  return {
    record: n.rule('response_time_slow', `ratio_rate${window}`),
    expr: `1 - (${fast} / ${sumRate(`${histogram}_count`, 'job', window)})`,
  };
}

const PROVIDER = 'job, provider, model';

/** Request rates, error ratios, latency quantiles and SLO windows per service (`job`). */
export function recordingGroups(n: Names): RuleGroup<RecordingRule>[] {
  const { m, ns } = n;
  return [
    {
      name: `${ns}_http`,
      rules: [
        {
          record: n.rule('http_server_requests', 'rate5m'),
          expr: sumRate(`${HTTP_DURATION}_count`, 'job, http_route', '5m'),
        },
        httpErrorRatio(n, '5m'),
        ...quantileRules(n, HTTP_DURATION, 'job'),
      ],
    },
    {
      name: `${ns}_requests`,
      rules: [
        rateRule(n, m('requests'), 'job'),
        errorRatio(n, m('requests'), 'job'),
        ...quantileRules(n, m('responseTime'), 'job'),
      ],
    },
    {
      name: `${ns}_llm`,
      rules: [
        rateRule(n, m('llmRequests'), PROVIDER),
        errorRatio(n, m('llmRequests'), PROVIDER),
        ...quantileRules(n, m('llmLatency'), PROVIDER),
        ...quantileRules(n, m('llmTimeToFirstToken'), PROVIDER),
        rateRule(n, m('llmTokens'), `${PROVIDER}, token_type`),
        {
          record: n.rule(n.stem('apiCost'), 'rate1h'),
          expr: sumRate(m('apiCost'), 'job, provider, service, model', '1h'),
        },
      ],
    },
    {
      name: `${ns}_tts`,
      rules: [
        rateRule(n, m('ttsRequests'), PROVIDER),
        errorRatio(n, m('ttsRequests'), PROVIDER),
        ...quantileRules(n, m('ttsLatency'), PROVIDER),
        ...quantileRules(n, m('ttsTimeToFirstAudio'), PROVIDER),
      ],
    },
    {
      name: `${ns}_stt`,
      rules: [
        rateRule(n, m('sttRequests'), PROVIDER),
        errorRatio(n, m('sttRequests'), PROVIDER),
        ...quantileRules(n, m('sttLatency'), PROVIDER),
      ],
    },
    { name: `${ns}_voice`, rules: quantileRules(n, m('turnLatency'), 'job') },
    {
      name: `${ns}_generation_external`,
      rules: [
        rateRule(n, m('contentGeneration'), 'job, content_type'),
        errorRatio(n, m('contentGeneration'), 'job, content_type'),
        ...quantileRules(n, m('contentGenerationDuration'), 'job, content_type'),
        rateRule(n, m('externalApiRequests'), 'job, service'),
        errorRatio(n, m('externalApiRequests'), 'job, service'),
        ...quantileRules(n, m('externalApiDuration'), 'job, service'),
      ],
    },
    {
      name: `${ns}_db`,
      rules: [
        rateRule(n, m('dbQueries'), 'job, db_system'),
        errorRatio(n, m('dbQueries'), 'job, db_system'),
        ...quantileRules(n, m('dbQueryDuration'), 'job, db_system'),
        {
          record: n.rule('db_connections', 'utilization_ratio'),
          expr: `max by (job, db_system, pool) (${m('dbConnectionsActive')} / (${m('dbConnectionsMax')} > 0))`,
        },
      ],
    },
    {
      name: `${ns}_cache_health`,
      rules: [
        {
          record: n.rule('cache_hit', 'ratio_rate5m'),
          expr: share(
            `${m('cacheOperations')}{result="hit"}`,
            `${m('cacheOperations')}{result=~"hit|miss"}`,
            'job, cache',
            '5m',
          ),
        },
        {
          record: n.rule('health_check_success', 'ratio_rate5m'),
          expr: share(
            `${m('healthCheckDuration')}_count{status="healthy"}`,
            `${m('healthCheckDuration')}_count`,
            'job',
            '5m',
          ),
        },
      ],
    },
    { name: `${ns}_slo_availability`, rules: SLO_WINDOWS.map((w) => errorRatio(n, m('requests'), 'job', w)) },
    { name: `${ns}_slo_latency`, rules: ['5m', ...SLO_WINDOWS].map((w) => slowRatio(n, w)) },
    { name: `${ns}_slo_http`, rules: SLO_WINDOWS.map((w) => httpErrorRatio(n, w)) },
  ];
}
