import type { ServerSentEvent } from '../sse.js';

/**
 * What {@link StreamBuffer.read} found: the events after the requested id, and whether the
 * stream's final event is among what the reader now has.
 *
 * @example
 * ```ts
 * const slice: StreamSlice = { events: [{ id: '4', event: 'done', data }], ended: true };
 * ```
 */
export interface StreamSlice {
  /** Events with an id greater than the one asked for, oldest first. */
  events: ServerSentEvent[];
  /** True once the final event is stored and none of it is missing after `events`. */
  ended: boolean;
}

/**
 * Options of {@link StreamBuffer.read}.
 *
 * @example
 * ```ts
 * const slice = await buffer.read(streamId, 3, { waitMs: 5_000, signal: request.signal });
 * ```
 */
export interface StreamReadOptions {
  /**
   * When there is no event after the given id yet and the stream has not ended, wait up to
   * this long for one before answering (an empty slice when none came). Default 0.
   */
  waitMs?: number;
  /** Stops waiting early; the read then answers what is there. */
  signal?: AbortSignal;
}

/**
 * Keeps the events of running and recently finished chat streams, so a client whose
 * connection broke can resume with `Last-Event-ID`. A stream is a sequence of events with ids
 * 1, 2, 3… ending with one final event; it is dropped some time after that final event (and,
 * in shared buffers, when its writer stops appending), after which `read` answers null.
 * `createMemoryStreamBuffer` keeps them in this process; `createRedisStreamBuffer` (from
 * `@fragmentkit/server/redis`) shares them between host instances.
 *
 * @example
 * ```ts
 * if (await buffer.create(streamId)) {
 *   await buffer.append(streamId, { id: '1', event: 'meta', data }, false);
 * }
 * const slice = await buffer.read(streamId, 0);
 * ```
 */
export interface StreamBuffer {
  /** Starts a stream. False when a live stream already has this id, which stays untouched. */
  create(streamId: string): Promise<boolean>;
  /**
   * Appends the stream's next event; ids must run 1, 2, 3… without gaps. `final` ends the
   * stream. Answers false when the event was not kept: the stream is unknown, expired or
   * ended, or it outgrew the buffer's limits (a final event is always kept while the stream is live).
   */
  append(streamId: string, event: ServerSentEvent, final: boolean): Promise<boolean>;
  /** Events with an id greater than `after` (0 for all), or null when the stream is unknown or expired. */
  read(streamId: string, after: number, options?: StreamReadOptions): Promise<StreamSlice | null>;
}
