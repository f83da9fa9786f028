import { FINISH_REASONS, type FinishReason } from './recorder.ts';

/** Tool names are the application's identifiers (OpenAI allows `^[a-zA-Z0-9_-]{1,64}$`); anything else is `other`. */
const TOOL_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The `tool` label of a tool name: the name when it looks like an identifier, `other` otherwise. */
export function toolLabel(name: unknown): string {
  return typeof name === 'string' && TOOL_NAME.test(name) ? name : 'other';
}

/** Provider and framework spellings of the finish reasons (`tool-calls`, `tool_use`, `end_turn`, `STOP`, ...). */
const SPELLINGS: Readonly<Record<string, FinishReason>> = {
  'tool-calls': 'tool_calls',
  tool_use: 'tool_calls',
  function_call: 'tool_calls',
  'content-filter': 'content_filter',
  safety: 'content_filter',
  refusal: 'content_filter',
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
};

/** Maps any finish reason to the bounded `finish_reason` label; unknown reasons are `other`. */
export function finishReasonLabel(reason: unknown): FinishReason {
  if (typeof reason !== 'string') return 'other';
  const lower = reason.toLowerCase();
  if ((FINISH_REASONS as readonly string[]).includes(lower)) return lower as FinishReason;
  return SPELLINGS[lower] ?? 'other';
}

/** A lower-case label value such as a provider or operation name, or undefined when it is not one. */
const SHORT_LABEL = /^[a-z][a-z0-9_.-]{0,63}$/;
export function shortLabel(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return SHORT_LABEL.test(lower) ? lower : undefined;
}
