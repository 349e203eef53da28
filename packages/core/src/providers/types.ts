import type { ModelMessage } from '../prompt/types.js';
import type { Usage } from '../usage.js';

/** Why the model stopped. `length` means the answer was cut by the output limit. */
export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'other';

/**
 * A request to a language model, provider-neutral.
 *
 * @example
 * ```ts
 * const request: ModelRequest = { system: 'You write code.', messages: [{ role: 'user', content: 'hi' }] };
 * ```
 */
export interface ModelRequest {
  system: string;
  /**
   * Character offsets in `system` where a stable prefix ends, e.g. `buildPrompt`'s
   * `systemCacheBreakpoints`. Providers with prompt caching (Anthropic) mark the system
   * prompt up to each offset as cacheable; others ignore them.
   */
  systemCacheBreakpoints?: number[];
  messages: ModelMessage[];
  /** Upper bound on output tokens. Providers apply their own default when omitted. */
  maxOutputTokens?: number;
  temperature?: number;
  /** Aborting it cancels the upstream HTTP request. */
  signal?: AbortSignal;
}

/**
 * One event of a model's streamed answer, provider-neutral. A stream that completes normally
 * always ends with exactly one `finish`; a stream that breaks errors with a
 * {@link FragmentkitError} instead (code `STREAM_INCOMPLETE`, `PROVIDER_*`, `ABORTED`).
 */
export type ModelStreamEvent =
  | { type: 'text-delta'; text: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; finishReason: FinishReason; usage: Usage };

/**
 * A language model behind one interface, whatever the provider.
 *
 * @example
 * ```ts
 * const stream = await model.stream({ system, messages, signal });
 * const reader = stream.getReader();
 * for (let r = await reader.read(); !r.done; r = await reader.read()) {
 *   if (r.value.type === 'text-delta') process.stdout.write(r.value.text);
 * }
 * ```
 */
export interface LanguageModel {
  /** Provider name, e.g. `anthropic`, `openai`, `ollama`. */
  readonly provider: string;
  /** Model id as the provider knows it. */
  readonly modelId: string;
  /**
   * Starts a streamed answer. Rejects (before any event) when the request fails to start,
   * e.g. on a 4xx/5xx answer or a connection error.
   */
  stream(request: ModelRequest): Promise<ReadableStream<ModelStreamEvent>>;
}
