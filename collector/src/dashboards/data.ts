import type { DashboardSpec } from './model.ts';
import { rate, sel, type DashboardNames } from './queries.ts';

/** Database queries, pools and transactions; cache operations and hit ratio. */
export function databaseAndCache({ m, rule, ruleQuantiles, stem }: DashboardNames): DashboardSpec {
  return {
    uid: 'agentmeter-data',
    title: 'agentmeter / Database and cache',
    description: 'Query rate, latency and errors, connection pools, transactions, cache operations and hit ratio.',
    rows: [
      {
        title: 'Queries',
        panels: [
          {
            title: 'Queries by operation',
            description: 'Queries per second by system, operation and outcome.',
            unit: 'short',
            queries: [
              {
                expr: rate(m('dbQueries'), 'db_system, operation, status'),
                legend: '{{db_system}} {{operation}} {{status}}',
              },
            ],
          },
          {
            title: 'Query latency',
            description: 'p50, p95 and p99 (SlowDatabaseQueries fires at p95 > 1 s).',
            unit: 's',
            queries: ruleQuantiles(m('dbQueryDuration'), '{{db_system}}'),
          },
          {
            title: 'Slowest tables',
            description: 'The five tables with the highest p95 query time.',
            unit: 's',
            queries: [
              {
                expr: `topk(5, histogram_quantile(0.95, sum by (db_system, table, le) (rate(${sel(`${m('dbQueryDuration')}_bucket`)}[$__rate_interval]))))`,
                legend: '{{db_system}} {{table}}',
              },
            ],
          },
          {
            title: 'Query error ratio',
            description: 'Failed queries over all queries.',
            unit: 'percentunit',
            queries: [{ expr: sel(rule(`${stem('dbQueries')}_errors`, 'ratio_rate5m')), legend: '{{db_system}}' }],
          },
          {
            title: 'Transactions',
            description: 'Commits and rollbacks per second.',
            unit: 'short',
            queries: [{ expr: rate(m('dbTransactions'), 'db_system, status'), legend: '{{db_system}} {{status}}' }],
          },
        ],
      },
      {
        title: 'Connection pools',
        panels: [
          {
            title: 'Pool utilisation',
            description: 'Connections in use over the pool size (DatabasePoolExhausted fires at 90%).',
            unit: 'percentunit',
            queries: [{ expr: sel(rule('db_connections', 'utilization_ratio')), legend: '{{db_system}} {{pool}}' }],
          },
          {
            title: 'Pool connections',
            description: 'Active, idle and maximum connections, and callers waiting.',
            unit: 'short',
            width: 16,
            queries: [
              { expr: `sum by (db_system, pool) (${sel(m('dbConnectionsActive'))})`, legend: 'active {{pool}}' },
              { expr: `sum by (db_system, pool) (${sel(m('dbConnectionsIdle'))})`, legend: 'idle {{pool}}' },
              { expr: `sum by (db_system, pool) (${sel(m('dbConnectionsMax'))})`, legend: 'max {{pool}}' },
              { expr: `sum by (db_system, pool) (${sel(m('dbConnectionsPending'))})`, legend: 'waiting {{pool}}' },
            ],
          },
        ],
      },
      {
        title: 'Cache',
        panels: [
          {
            title: 'Cache hit ratio',
            description:
              'Hits over hits and misses over 5 minutes (LowCacheHitRatio fires below 50%), and since start.',
            unit: 'percentunit',
            queries: [
              { expr: sel(rule('cache_hit', 'ratio_rate5m')), legend: '5m {{cache}}' },
              { expr: `avg by (cache) (${sel(m('cacheHitRatio'))})`, legend: 'since start {{cache}}' },
            ],
          },
          {
            title: 'Cache operations',
            description: 'Operations per second by operation and result.',
            unit: 'short',
            width: 16,
            queries: [
              {
                expr: rate(m('cacheOperations'), 'cache, operation, result'),
                legend: '{{cache}} {{operation}} {{result}}',
              },
            ],
          },
        ],
      },
    ],
  };
}
