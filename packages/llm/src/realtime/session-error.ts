import type { ErrorType } from '@agentmeter/core';
import type { LlmRecorder } from '../recorder.ts';

/**
 * Counts a realtime session's failure that no response was in flight for (a rejected client
 * event, a refused connection, an abnormal close between turns): on the session's model, and in
 * the shared taxonomy under `component="realtime"`.
 */
export function recordSessionError(
  recorder: LlmRecorder,
  provider: string,
  model: string | null,
  errorType: ErrorType,
): void {
  const { meter } = recorder;
  meter.instruments.llmErrors.add(1, {
    ...recorder.attributes,
    provider,
    model: model ?? 'unknown',
    error_type: errorType,
  });
  meter.trackError(errorType, { component: 'realtime' });
}
