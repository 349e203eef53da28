import { FragmentkitError } from '../errors.js';
import type { ModelStreamEvent } from '../providers/types.js';
import type { CachedResponse } from './responseCache.js';

/**
 * Options of {@link replayCachedStream}.
 *
 * @example
 * ```ts
 * const options: ReplayCachedStreamOptions = { chunkSize: 64 };
 * ```
 */
export interface ReplayCachedStreamOptions {
  /**
   * Re-cuts the text into deltas of this many UTF-16 units (a character made of two units is
   * never split, so a delta may be one unit shorter, or with a `chunkSize` of 1 one longer).
   * By default the recorded deltas are replayed as they streamed.
   */
  chunkSize?: number;
}

/**
 * Plays a {@link CachedResponse} back as a model stream, so a cache hit flows through the same
 * code as a live answer: the text deltas, then one `finish` with reason `stop`. The `finish`
 * reports zero usage because a cached answer costs nothing; count cache hits from the cache's
 * own stats rather than from usage. The stream produces one event per read, so a slow reader
 * holds it back and cancelling it stops it.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when `chunkSize` is not a whole number of at least 1.
 *
 * @example
 * ```ts
 * import { replayCachedStream } from '@fragmentkit/core';
 *
 * const cached = await cache.get(key);
 * if (cached) {
 *   for await (const event of replayCachedStream(cached, { chunkSize: 32 })) {
 *     if (event.type === 'text-delta') process.stdout.write(event.text);
 *   }
 * }
 * ```
 */
export function replayCachedStream(
  cached: CachedResponse,
  options: ReplayCachedStreamOptions = {},
): ReadableStream<ModelStreamEvent> {
  const { chunkSize } = options;
  if (chunkSize !== undefined && (!Number.isSafeInteger(chunkSize) || chunkSize < 1)) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `replayCachedStream option chunkSize must be a whole number of at least 1; got ${chunkSize}.`,
      { details: { option: 'chunkSize', value: chunkSize } },
    );
  }
  const texts = cached.events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : []));
  const deltas = chunkSize === undefined ? texts : cut(texts.join(''), chunkSize);
  const events: ModelStreamEvent[] = [
    ...deltas.map((text): ModelStreamEvent => ({ type: 'text-delta', text })),
    { type: 'finish', finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 0 } },
  ];
  let next = 0;
  return new ReadableStream<ModelStreamEvent>(
    {
      pull(controller) {
        const event = events[next];
        next += 1;
        if (event) controller.enqueue(event);
        if (next >= events.length) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

function cut(text: string, chunkSize: number): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + chunkSize, text.length);
    // Keep a surrogate pair together rather than emit half a character.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end = end - start > 1 ? end - 1 : end + 1;
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
