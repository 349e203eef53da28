import type { ServerSentEvent } from '../sse.js';
import type { FoundStream } from './insuredStreamBuffer.js';
import { interruptedEvent } from './streamNotices.js';

export interface FollowStreamOptions {
  streamId: string;
  found: FoundStream;
  /** The id the reader has events up to. */
  after: number;
  /** How long one read waits for the next event before checking again that the stream still exists. */
  waitMs?: number;
}

/**
 * The events of a buffered stream after `after`: first those already buffered, then the rest
 * as they arrive, ending with the stream's final event. When the stream vanishes or its buffer
 * fails midway, it ends with an `error` event without an id (`STREAM_INCOMPLETE`), so the client
 * keeps its last event id and can try again. Cancelling stops the reads.
 */
export function followStream({
  streamId,
  found,
  after,
  waitMs = 15_000,
}: FollowStreamOptions): ReadableStream<ServerSentEvent> {
  const { buffer } = found;
  const stop = new AbortController();
  let cursor = after;
  let pending = found.slice.events;
  let ended = found.slice.ended;

  return new ReadableStream<ServerSentEvent>(
    {
      async pull(controller) {
        for (;;) {
          if (stop.signal.aborted) return;
          if (pending.length > 0) {
            for (const event of pending) controller.enqueue(event);
            cursor = Number(pending[pending.length - 1]!.id);
            pending = [];
            if (ended) controller.close();
            return;
          }
          if (ended) return controller.close();
          let slice: Awaited<ReturnType<typeof buffer.read>>;
          try {
            slice = await buffer.read(streamId, cursor, { waitMs, signal: stop.signal });
          } catch {
            if (stop.signal.aborted) return;
            controller.enqueue(interruptedEvent('failed'));
            return controller.close();
          }
          if (stop.signal.aborted) return;
          if (slice === null) {
            controller.enqueue(interruptedEvent('gone'));
            return controller.close();
          }
          pending = slice.events;
          ended = slice.ended;
        }
      },
      cancel() {
        stop.abort();
      },
    },
    { highWaterMark: 0 },
  );
}
