/**
 * Bucket boundaries shared by the catalog's histograms (seconds unless noted), by name: catalog
 * entries name theirs (`buckets: 'PROVIDER_SECONDS'`), so the entries stay plain literals.
 */
export const BUCKETS = {
  /** Whole requests: 5 ms to 2 minutes. The SlowResponses alert sits at 10 s. */
  REQUEST_SECONDS: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  /** Provider calls (LLM, TTS, STT, external APIs): 50 ms to 2 minutes. SlowLLMCalls sits at 30 s. */
  PROVIDER_SECONDS: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120],
  /** First token, first audio and voice turns: the Voice Agent v4 scale, with 2 s (its alert) a boundary. */
  FIRST_OUTPUT_SECONDS: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
  /** Database queries and cache calls: 0.5 ms to 5 s. SlowDatabaseQueries sits at 1 s. */
  DB_SECONDS: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  /** Sessions and WebSocket connections: 1 s to 2 hours. */
  SESSION_SECONDS: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
  /** Scores in [0, 1]. */
  SCORE: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  /** Content generation: 100 ms to 10 minutes. */
  GENERATION_SECONDS: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
} as const;

/** The name of a shared bucket layout. */
export type BucketName = keyof typeof BUCKETS;

/** Whole requests: 5 ms to 2 minutes. The SlowResponses alert sits at 10 s. */
export const REQUEST_SECONDS: readonly number[] = BUCKETS.REQUEST_SECONDS;
/** Provider calls (LLM, TTS, STT, external APIs): 50 ms to 2 minutes. SlowLLMCalls sits at 30 s. */
export const PROVIDER_SECONDS: readonly number[] = BUCKETS.PROVIDER_SECONDS;
/** First token, first audio and voice turns: the Voice Agent v4 scale, with 2 s (its alert) a boundary. */
export const FIRST_OUTPUT_SECONDS: readonly number[] = BUCKETS.FIRST_OUTPUT_SECONDS;
/** Database queries and cache calls: 0.5 ms to 5 s. SlowDatabaseQueries sits at 1 s. */
export const DB_SECONDS: readonly number[] = BUCKETS.DB_SECONDS;
/** Sessions and WebSocket connections: 1 s to 2 hours. */
export const SESSION_SECONDS: readonly number[] = BUCKETS.SESSION_SECONDS;
/** Scores in [0, 1]. */
export const SCORE: readonly number[] = BUCKETS.SCORE;
/** Content generation: 100 ms to 10 minutes. */
export const GENERATION_SECONDS: readonly number[] = BUCKETS.GENERATION_SECONDS;
