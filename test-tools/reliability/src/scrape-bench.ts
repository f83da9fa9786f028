/** What the scrape-load bench's parent and its service process (scrape-app.ts) share. */
export const SCRAPE_TOKEN = 'bench-token';
export const COUNTER_ROUTES = 4500;
export const HISTOGRAM_ROUTES = 1000;

export interface AppReady {
  readonly metricsUrl: string;
  readonly appUrl: string;
}
export interface PhaseFigures {
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
  readonly rssStartMb: number;
  readonly rssPeakMb: number;
  readonly rssEndMb: number;
  /** Where RSS growth can come from: V8's young generation (new space) at the end, and the peak of Buffers and other external memory. */
  readonly newSpaceEndMb: number;
  readonly externalPeakMb: number;
  readonly cpuMs: number;
}
