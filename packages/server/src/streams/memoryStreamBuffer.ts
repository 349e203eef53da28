import { type Clock, FragmentkitError, systemClock } from '@fragmentkit/core';
import type { ServerSentEvent } from '../sse.js';
import type { StreamBuffer, StreamSlice } from './streamBuffer.js';
import { checkAfter, checkWholeNumber } from './streamBufferInput.js';

/**
 * Options of {@link createMemoryStreamBuffer}. Sizes count approximate memory: two bytes per
 * character of an event's id, type and data, plus about 1 KiB per stream.
 *
 * @example
 * ```ts
 * const options: MemoryStreamBufferOptions = { retainMs: 2 * 60_000, maxTotalBytes: 16 * 1024 * 1024 };
 * ```
 */
export interface MemoryStreamBufferOptions {
  /** How long a stream stays readable after its final event. Default 5 minutes. */
  retainMs?: number;
  /** Events past this size of one stream are not kept (its final event always is). Default 8 MiB. */
  maxStreamBytes?: number;
  /**
   * Size of all streams together. Finished streams make room, the one that ended first first;
   * when only running streams are left, new streams and events are not kept. Default 64 MiB.
   */
  maxTotalBytes?: number;
  /** Decides when finished streams expire. Default `Date.now()`. */
  clock?: Clock;
}

interface BufferedStream {
  events: ServerSentEvent[];
  bytes: number;
  endedAt: number | undefined;
  /** Readers waiting for the next event. */
  waiters: Set<() => void>;
}

const mebibyte = 1024 * 1024;
const streamOverheadBytes = 1024;

/**
 * A {@link StreamBuffer} in this process's memory: the zero-setup default. A client can
 * resume only on the instance that generates its stream, so give several instances
 * `createRedisStreamBuffer` instead (or route a client to the same instance).
 *
 * @example
 * ```ts
 * import { createFragmentkit, createMemoryStreamBuffer } from '@fragmentkit/server';
 *
 * const fragmentkit = createFragmentkit({
 *   model,
 *   streams: { buffer: createMemoryStreamBuffer({ retainMs: 10 * 60_000 }), onClientDisconnect: 'continue' },
 * });
 * ```
 */
export function createMemoryStreamBuffer(options: MemoryStreamBufferOptions = {}): StreamBuffer {
  const retainMs = checkWholeNumber(options.retainMs ?? 5 * 60_000, 'retainMs');
  const maxStreamBytes = checkWholeNumber(options.maxStreamBytes ?? 8 * mebibyte, 'maxStreamBytes');
  const maxTotalBytes = checkWholeNumber(options.maxTotalBytes ?? 64 * mebibyte, 'maxTotalBytes');
  const clock = options.clock ?? systemClock;
  const streams = new Map<string, BufferedStream>();
  let totalBytes = 0;

  function remove(streamId: string, stream: BufferedStream): void {
    streams.delete(streamId);
    totalBytes -= stream.bytes + streamOverheadBytes;
    wake(stream);
  }

  function isExpired(stream: BufferedStream, now: number): boolean {
    return stream.endedAt !== undefined && now - stream.endedAt >= retainMs;
  }

  function find(streamId: string): BufferedStream | undefined {
    const stream = streams.get(streamId);
    if (stream && isExpired(stream, clock.now())) {
      remove(streamId, stream);
      return undefined;
    }
    return stream;
  }

  /** Evicts expired, then finished streams (oldest end first) until `bytes` more fit. */
  function makeRoom(bytes: number): boolean {
    if (totalBytes + bytes <= maxTotalBytes) return true;
    const now = clock.now();
    for (const [streamId, stream] of streams) if (isExpired(stream, now)) remove(streamId, stream);
    const finished = [...streams].filter(([, stream]) => stream.endedAt !== undefined);
    finished.sort(([, a], [, b]) => a.endedAt! - b.endedAt!);
    for (const [streamId, stream] of finished) {
      if (totalBytes + bytes <= maxTotalBytes) break;
      remove(streamId, stream);
    }
    return totalBytes + bytes <= maxTotalBytes;
  }

  return {
    async create(streamId) {
      if (find(streamId) || !makeRoom(streamOverheadBytes)) return false;
      streams.set(streamId, { events: [], bytes: 0, endedAt: undefined, waiters: new Set() });
      totalBytes += streamOverheadBytes;
      return true;
    },
    async append(streamId, event, final) {
      const stream = find(streamId);
      if (!stream || stream.endedAt !== undefined) return false;
      const expected = String(stream.events.length + 1);
      if (event.id !== expected) {
        throw new FragmentkitError(
          'INTERNAL',
          `Stream events must be numbered in order: expected id ${expected}, got ${event.id}.`,
        );
      }
      const bytes = sizeOf(event);
      // A final event is kept even past the limits: without it, readers would wait for an end that never comes.
      const fits = stream.bytes + bytes <= maxStreamBytes && makeRoom(bytes);
      if (!fits && !final) return false;
      stream.events.push(event);
      stream.bytes += bytes;
      totalBytes += bytes;
      if (final) stream.endedAt = clock.now();
      wake(stream);
      return true;
    },
    async read(streamId, after, readOptions = {}) {
      checkAfter(after);
      const stream = find(streamId);
      if (!stream) return null;
      const waitMs = readOptions.waitMs ?? 0;
      if (waitMs > 0 && !hasNews(stream, after)) {
        await waitForNews(stream, waitMs, readOptions.signal);
        return find(streamId) ? sliceOf(stream, after) : null;
      }
      return sliceOf(stream, after);
    },
  };
}

function sizeOf(event: ServerSentEvent): number {
  return 2 * (event.id.length + event.event.length + event.data.length);
}

function hasNews(stream: BufferedStream, after: number): boolean {
  return stream.events.length > after || stream.endedAt !== undefined;
}

function sliceOf(stream: BufferedStream, after: number): StreamSlice {
  return { events: stream.events.slice(after), ended: stream.endedAt !== undefined };
}

function wake(stream: BufferedStream): void {
  for (const waiter of [...stream.waiters]) waiter();
}

function waitForNews(stream: BufferedStream, waitMs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      stream.waiters.delete(done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    stream.waiters.add(done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
