import type { ModelStreamEvent } from '../providers/types.js';
import type { CachedResponse } from './responseCache.js';

/**
 * Where and when a recorded answer came from. See {@link recordForCache}.
 *
 * @example
 * ```ts
 * const source: CachedResponseSource = { provider: model.provider, model: model.modelId, createdAt: clock.now() };
 * ```
 */
export interface CachedResponseSource {
  provider: string;
  model: string;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
}

/**
 * Turns the events of a finished model stream into a {@link CachedResponse}, or answers
 * `undefined` when the answer must not be cached. Only a complete answer is cacheable: the
 * stream's last event is a `finish` with reason `stop`. An answer cut by the output limit
 * (`length`), filtered, stopped for tool calls, or a stream that broke before its `finish`
 * would be served again and again if cached, so it never is.
 *
 * Interim `usage` events are dropped; the `finish` keeps the original call's usage, which the
 * replay does not report as spent (see `replayCachedStream`).
 *
 * @example
 * ```ts
 * import { recordForCache } from '@fragmentkit/core';
 *
 * const events: ModelStreamEvent[] = [];
 * // ... push every event while streaming it to the user, then, once the stream has ended:
 * const recorded = recordForCache(events, { provider: model.provider, model: model.modelId, createdAt: Date.now() });
 * if (recorded) await cache.set(key, recorded);
 * ```
 */
export function recordForCache(
  events: readonly ModelStreamEvent[],
  source: CachedResponseSource,
): CachedResponse | undefined {
  const finish = events.at(-1);
  if (finish?.type !== 'finish' || finish.finishReason !== 'stop') return undefined;
  const recorded: ModelStreamEvent[] = [];
  for (const event of events.slice(0, -1)) {
    if (event.type === 'finish') return undefined;
    if (event.type === 'text-delta') recorded.push({ type: 'text-delta', text: event.text });
  }
  recorded.push({ type: 'finish', finishReason: 'stop', usage: { ...finish.usage } });
  return { events: recorded, createdAt: source.createdAt, provider: source.provider, model: source.model };
}
