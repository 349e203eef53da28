import { FragmentkitError } from '@fragmentkit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ServerSentEvent } from '../../sse.js';
import type { StreamBuffer } from '../streamBuffer.js';

/** A buffer under test and a fresh stream id for it. */
export interface StreamBufferUnderTest {
  buffer: StreamBuffer;
  /** A stream id no other test uses. */
  streamId(): string;
}

export function sampleEvent(id: number, final = false): ServerSentEvent {
  const type = final ? 'done' : 'fragment-delta';
  return { id: String(id), event: type, data: JSON.stringify({ type, n: id, text: `line ${id}\nünïcødé ✓` }) };
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * What every {@link StreamBuffer} promises, run against each implementation: ordered,
 * gap-free events, the final event, unknown streams, and waiting reads.
 */
export function describeStreamBufferContract(name: string, open: () => StreamBufferUnderTest): void {
  describe(`StreamBuffer contract: ${name}`, () => {
    let buffer: StreamBuffer;
    let streamId: () => string;

    beforeEach(() => {
      ({ buffer, streamId } = open());
    });

    it('keeps events in order and reads those after an id, with the end once the final event is in', async () => {
      const id = streamId();
      expect(await buffer.create(id)).toBe(true);
      expect(await buffer.append(id, sampleEvent(1), false)).toBe(true);
      expect(await buffer.append(id, sampleEvent(2), false)).toBe(true);
      expect(await buffer.read(id, 0)).toEqual({ events: [sampleEvent(1), sampleEvent(2)], ended: false });
      expect(await buffer.append(id, sampleEvent(3, true), true)).toBe(true);
      expect(await buffer.read(id, 0)).toEqual({
        events: [sampleEvent(1), sampleEvent(2), sampleEvent(3, true)],
        ended: true,
      });
      expect(await buffer.read(id, 2)).toEqual({ events: [sampleEvent(3, true)], ended: true });
      expect(await buffer.read(id, 3)).toEqual({ events: [], ended: true });
    });

    it('reads an empty, running stream right after create', async () => {
      const id = streamId();
      await buffer.create(id);
      expect(await buffer.read(id, 0)).toEqual({ events: [], ended: false });
    });

    it('refuses a second create of a live stream and leaves the first untouched', async () => {
      const id = streamId();
      expect(await buffer.create(id)).toBe(true);
      await buffer.append(id, sampleEvent(1), false);
      expect(await buffer.create(id)).toBe(false);
      expect(await buffer.read(id, 0)).toEqual({ events: [sampleEvent(1)], ended: false });
    });

    it('answers null for a stream it does not know and keeps no events for it', async () => {
      const id = streamId();
      expect(await buffer.read(id, 0)).toBeNull();
      expect(await buffer.append(id, sampleEvent(1), false)).toBe(false);
      expect(await buffer.read(id, 0)).toBeNull();
    });

    it('keeps nothing after the final event', async () => {
      const id = streamId();
      await buffer.create(id);
      await buffer.append(id, sampleEvent(1, true), true);
      expect(await buffer.append(id, sampleEvent(2), false)).toBe(false);
      expect(await buffer.read(id, 0)).toEqual({ events: [sampleEvent(1, true)], ended: true });
    });

    it('rejects an event that is not the next in order', async () => {
      const id = streamId();
      await buffer.create(id);
      await buffer.append(id, sampleEvent(1), false);
      const error = await errorOf(buffer.append(id, sampleEvent(3), false));
      expect(FragmentkitError.isInstance(error) && error.code).toBe('INTERNAL');
      expect(await buffer.read(id, 0)).toEqual({ events: [sampleEvent(1)], ended: false });
    });

    it('keeps streams apart', async () => {
      const first = streamId();
      const second = streamId();
      await buffer.create(first);
      await buffer.create(second);
      await buffer.append(first, sampleEvent(1), false);
      expect(await buffer.read(second, 0)).toEqual({ events: [], ended: false });
    });

    it('wakes a waiting read when the next event arrives', async () => {
      const id = streamId();
      await buffer.create(id);
      await buffer.append(id, sampleEvent(1), false);
      const waiting = buffer.read(id, 1, { waitMs: 30_000 });
      await buffer.append(id, sampleEvent(2), false);
      expect(await waiting).toEqual({ events: [sampleEvent(2)], ended: false });
    });

    it('wakes a waiting read when the final event arrives', async () => {
      const id = streamId();
      await buffer.create(id);
      const waiting = buffer.read(id, 0, { waitMs: 30_000 });
      await buffer.append(id, sampleEvent(1, true), true);
      expect(await waiting).toEqual({ events: [sampleEvent(1, true)], ended: true });
    });

    it('stops waiting when the signal aborts and answers what is there', async () => {
      const id = streamId();
      await buffer.create(id);
      const stop = new AbortController();
      const waiting = buffer.read(id, 0, { waitMs: 30_000, signal: stop.signal });
      stop.abort();
      expect(await waiting).toEqual({ events: [], ended: false });
    });

    it('rejects a negative or fractional id to read after', async () => {
      const id = streamId();
      await buffer.create(id);
      for (const after of [-1, 1.5]) {
        const error = await errorOf(buffer.read(id, after));
        expect(FragmentkitError.isInstance(error) && error.code).toBe('INVALID_REQUEST');
      }
    });
  });
}
