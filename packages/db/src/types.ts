import type { AgentMeter } from '@agentmeter/core';
import type { MeterProvider } from '@opentelemetry/api';

/** Options every database wrapper takes. */
export interface DbInstrumentOptions {
  /** The meter that records (from `createAgentMeter` or `@agentmeter/node`'s `start`). */
  meter: AgentMeter;
  /** The `db_system` label (defaults: `postgresql`, `mysql`, `redis`, `pglite`, `sqlite`). */
  dbSystem?: string;
  /** The `pool` label on the connection gauges (default `default`). */
  pool?: string;
  /** Label queries with the table parsed from the statement (default true). */
  tables?: boolean;
  /** Distinct tables labelled per wrapped client; later ones are labelled `_other` (default 100). */
  maxTables?: number;
  /**
   * Also record the OpenTelemetry semantic-convention histogram `db.client.operation.duration`
   * through this MeterProvider (`'global'` or `true`: the one registered with @opentelemetry/api;
   * `false` or absent: off). The same switch, by the same name, as the LLM wrappers' `semconv`.
   */
  semconv?: MeterProvider | 'global' | boolean;
}

/** Options of the Redis wrapper: the database options plus the cache label. */
export interface CacheInstrumentOptions extends DbInstrumentOptions {
  /** The `cache` label on cache operations and the hit ratio (default `redis`). */
  cache?: string;
}
