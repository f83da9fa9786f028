import type { DashboardSpec } from './model.ts';
import { quantiles, rate, sel, type DashboardNames } from './queries.ts';

/** LLM calls, latency, time to first token, tokens and provider cost. */
export function llmAndCost({ m, rule, ruleQuantiles, stem }: DashboardNames): DashboardSpec {
  return {
    uid: 'agentmeter-llm',
    title: 'agentmeter / LLM and cost',
    description:
      'LLM calls by provider and model, errors in the shared taxonomy, steps and tool calls, latency, time to first token, tokens and cost.',
    rows: [
      {
        title: 'Cost',
        panels: [
          {
            title: 'Spend per hour',
            description: 'USD per hour at the current rate, all providers.',
            kind: 'stat',
            unit: 'currencyUSD',
            queries: [{ expr: `sum (rate(${sel(m('apiCost'))}[$__rate_interval])) * 3600`, legend: 'USD/h' }],
          },
          {
            title: 'Projected 30-day spend',
            description: "At the last hour's rate (HighAPICosts fires above the budget).",
            kind: 'stat',
            unit: 'currencyUSD',
            queries: [{ expr: `sum(${sel(rule(stem('apiCost'), 'rate1h'))}) * 86400 * 30`, legend: 'USD/30d' }],
          },
          {
            title: 'Spend in the time range',
            description: "USD spent over the dashboard's time range.",
            kind: 'stat',
            unit: 'currencyUSD',
            queries: [{ expr: `sum(increase(${sel(m('apiCost'))}[$__range]))`, legend: 'USD' }],
          },
          {
            title: 'Tokens per second',
            description: 'All providers and token types.',
            kind: 'stat',
            unit: 'short',
            queries: [{ expr: `sum(${sel(rule(stem('llmTokens'), 'rate5m'))})`, legend: 'tokens/s' }],
          },
          {
            title: 'Cost by provider and service',
            description: 'USD per hour, LLM, TTS and STT.',
            unit: 'currencyUSD',
            queries: [
              { expr: `${rate(m('apiCost'), 'provider, service')} * 3600`, legend: '{{provider}} {{service}}' },
            ],
          },
          {
            title: 'Cost by model',
            description: 'USD per hour by model.',
            unit: 'currencyUSD',
            queries: [{ expr: `${rate(m('apiCost'), 'model')} * 3600`, legend: '{{model}}' }],
          },
          {
            title: 'Tokens by type',
            description:
              'Tokens per second: input, cached_input (cache reads), cache_write, output, and the parts reasoning, input_audio and output_audio.',
            unit: 'short',
            queries: [
              {
                expr: `sum by (provider, model, token_type) (${sel(rule(stem('llmTokens'), 'rate5m'))})`,
                legend: '{{model}} {{token_type}}',
              },
            ],
          },
          {
            title: 'LLM cost by token type',
            description:
              'USD per hour by what it paid for: input, cache reads and writes, output, reasoning, audio, per-call fees.',
            unit: 'currencyUSD',
            queries: [
              { expr: `${rate(m('apiCost'), 'token_type', 'service="llm"')} * 3600`, legend: '{{token_type}}' },
            ],
          },
          {
            title: 'LLM cost by model and token type',
            description: "USD per hour: where cache writes or reasoning dominate a model's bill.",
            unit: 'currencyUSD',
            queries: [
              {
                expr: `${rate(m('apiCost'), 'provider, model, token_type', 'service="llm"')} * 3600`,
                legend: '{{model}} {{token_type}}',
              },
            ],
          },
          {
            title: 'LLM price data age',
            description:
              'Days since the LLM price data in use was published (pricing_source_published), by source and version.',
            kind: 'stat',
            unit: 'd',
            queries: [
              {
                expr: `(time() - max by (source, version) (${sel(m('pricingSource'))})) / 86400`,
                legend: '{{source}} {{version}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Calls and errors',
        panels: [
          {
            title: 'LLM calls by status',
            description: 'Calls per second by provider, model and outcome.',
            unit: 'reqps',
            queries: [
              { expr: rate(m('llmRequests'), 'provider, model, status'), legend: '{{provider}} {{model}} {{status}}' },
            ],
          },
          {
            title: 'LLM error ratio',
            description: 'Failed calls over all calls (LLMAPIFailures fires above 5%).',
            unit: 'percentunit',
            queries: [
              { expr: sel(rule(`${stem('llmRequests')}_errors`, 'ratio_rate5m')), legend: '{{provider}} {{model}}' },
            ],
          },
          {
            title: 'LLM errors by type',
            description:
              'Errors per minute: stream_error and timeout feed LLMStreamErrorRateHigh and LLMStreamTimeoutHigh.',
            unit: 'short',
            queries: [
              { expr: `${rate(m('llmErrors'), 'provider, error_type')} * 60`, legend: '{{provider}} {{error_type}}' },
            ],
          },
        ],
      },
      {
        title: 'Agents and tools',
        panels: [
          {
            title: 'Steps by finish reason',
            description: 'Model calls of multi-step runs (AI SDK, LangChain.js) per second, by why they ended.',
            unit: 'short',
            queries: [
              { expr: rate(m('llmSteps'), 'provider, model, finish_reason'), legend: '{{model}} {{finish_reason}}' },
            ],
          },
          {
            title: 'Tool calls by tool',
            description: 'Tool calls the models asked for, per second.',
            unit: 'short',
            queries: [{ expr: rate(m('llmToolCalls'), 'tool'), legend: '{{tool}}' }],
          },
          {
            title: 'Tool runs by outcome',
            description: 'Tool executions per second, by tool and status.',
            unit: 'short',
            queries: [{ expr: rate(m('toolRuns'), 'tool, status'), legend: '{{tool}} {{status}}' }],
          },
          {
            title: 'Tool duration',
            description: 'How long tool executions take.',
            unit: 's',
            queries: quantiles(m('toolDuration'), 'tool', '{{tool}}'),
          },
        ],
      },
      {
        title: 'Latency',
        panels: [
          {
            title: 'LLM latency',
            description: 'To the last byte of the response or stream (SlowLLMCalls fires at p95 > 30 s).',
            unit: 's',
            width: 12,
            queries: ruleQuantiles(m('llmLatency'), '{{provider}} {{model}}'),
          },
          {
            title: 'Time to first token',
            description: 'From the request to the first streamed content chunk.',
            unit: 's',
            width: 12,
            queries: ruleQuantiles(m('llmTimeToFirstToken'), '{{provider}} {{model}}'),
          },
        ],
      },
    ],
  };
}
