import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { describeWithRedis } from '../../test/testRedis.js';
import { createFakeClock } from '../store/__fixtures__/storeTestData.js';
import { describeStreamBufferContract, sampleEvent } from './__fixtures__/streamBufferContract.js';
import { createMemoryStreamBuffer } from './memoryStreamBuffer.js';
import { createRedisStreamBuffer, type RedisStreamBuffer } from './redisStreamBuffer.js';

const minute = 60_000;

describeStreamBufferContract('memory', () => ({ buffer: createMemoryStreamBuffer(), streamId: () => randomUUID() }));

describe('createMemoryStreamBuffer', () => {
  it('drops a stream retainMs after its final event, by its clock', async () => {
    const clock = createFakeClock();
    const buffer = createMemoryStreamBuffer({ clock, retainMs: 5 * minute });
    await buffer.create('s');
    await buffer.append('s', sampleEvent(1), false);
    clock.advance(60 * minute);
    // Running streams do not expire in memory: their writer is this process.
    expect(await buffer.read('s', 0)).toEqual({ events: [sampleEvent(1)], ended: false });
    await buffer.append('s', sampleEvent(2, true), true);
    clock.advance(5 * minute - 1);
    expect((await buffer.read('s', 0))?.ended).toBe(true);
    clock.advance(1);
    expect(await buffer.read('s', 0)).toBeNull();
    // The id is free again.
    expect(await buffer.create('s')).toBe(true);
  });

  it('stops keeping a stream past maxStreamBytes but still keeps its final event', async () => {
    const buffer = createMemoryStreamBuffer({ maxStreamBytes: 4_000 });
    await buffer.create('s');
    const big = (id: number, final = false) => ({ ...sampleEvent(id, final), data: 'x'.repeat(900) });
    expect(await buffer.append('s', big(1), false)).toBe(true);
    expect(await buffer.append('s', big(2), false)).toBe(true);
    expect(await buffer.append('s', big(3), false)).toBe(false);
    expect(await buffer.append('s', big(3, true), true)).toBe(true);
    expect((await buffer.read('s', 0))?.events.map((event) => event.id)).toEqual(['1', '2', '3']);
  });

  it('makes room by evicting finished streams, the one that ended first first', async () => {
    const clock = createFakeClock();
    // Each stream costs 1 KiB plus its events; three finished streams of ~3 KiB fill 10 KiB.
    const buffer = createMemoryStreamBuffer({ clock, maxTotalBytes: 10_000 });
    const event = (id: number) => ({ ...sampleEvent(id, true), data: 'x'.repeat(1_000) });
    for (const id of ['a', 'b', 'c']) {
      await buffer.create(id);
      await buffer.append(id, event(1), true);
      clock.advance(1_000);
    }
    await buffer.create('d');
    expect(await buffer.append('d', { ...event(1), event: 'meta' }, false)).toBe(true);
    expect(await buffer.read('a', 0)).toBeNull();
    expect(await buffer.read('b', 0)).not.toBeNull();
    expect(await buffer.read('c', 0)).not.toBeNull();
  });

  it('keeps no new streams or events when only running streams fill it', async () => {
    const buffer = createMemoryStreamBuffer({ maxTotalBytes: 5_000 });
    const event = (id: number) => ({ ...sampleEvent(id), data: 'x'.repeat(1_000) });
    await buffer.create('a');
    expect(await buffer.append('a', event(1), false)).toBe(true);
    await buffer.create('b');
    expect(await buffer.append('b', event(1), false)).toBe(false);
    expect(await buffer.create('c')).toBe(false);
  });

  it('rejects limits that are not whole numbers of at least 1', () => {
    expect(() => createMemoryStreamBuffer({ retainMs: 0 })).toThrow(/retainMs/);
    expect(() => createMemoryStreamBuffer({ maxTotalBytes: 1.5 })).toThrow(/maxTotalBytes/);
  });
});

describeWithRedis('createRedisStreamBuffer against real Redis', ({ redis, prefix, connect }) => {
  const buffers: RedisStreamBuffer[] = [];
  const track = (buffer: RedisStreamBuffer) => {
    buffers.push(buffer);
    return buffer;
  };
  afterEach(async () => {
    await Promise.all(buffers.splice(0).map((buffer) => buffer.close()));
  });

  describeStreamBufferContract('redis', () => ({
    buffer: track(createRedisStreamBuffer(redis, { keyPrefix: prefix() })),
    streamId: () => randomUUID(),
  }));

  it('gives a running stream the idle TTL and a finished one the retain TTL', async () => {
    const keyPrefix = prefix();
    const buffer = track(createRedisStreamBuffer(redis, { keyPrefix, idleTtlMs: 10 * minute, retainMs: minute }));
    await buffer.create('s');
    await buffer.append('s', sampleEvent(1), false);
    const idleTtl = await redis.pttl(`${keyPrefix}s`);
    expect(idleTtl).toBeGreaterThan(minute);
    expect(idleTtl).toBeLessThanOrEqual(10 * minute);
    await buffer.append('s', sampleEvent(2, true), true);
    const retainTtl = await redis.pttl(`${keyPrefix}s`);
    expect(retainTtl).toBeGreaterThan(0);
    expect(retainTtl).toBeLessThanOrEqual(minute);
  });

  it('answers null once Redis dropped the stream, and keeps no events for it', async () => {
    const keyPrefix = prefix();
    const buffer = track(createRedisStreamBuffer(redis, { keyPrefix }));
    await buffer.create('s');
    await buffer.append('s', sampleEvent(1), false);
    await redis.del(`${keyPrefix}s`);
    expect(await buffer.read('s', 0)).toBeNull();
    expect(await buffer.append('s', sampleEvent(2), false)).toBe(false);
  });

  it('stops keeping a stream past maxEventsPerStream but still keeps its final event', async () => {
    const buffer = track(createRedisStreamBuffer(redis, { keyPrefix: prefix(), maxEventsPerStream: 2 }));
    await buffer.create('s');
    expect(await buffer.append('s', sampleEvent(1), false)).toBe(true);
    expect(await buffer.append('s', sampleEvent(2), false)).toBe(true);
    expect(await buffer.append('s', sampleEvent(3), false)).toBe(false);
    expect(await buffer.append('s', sampleEvent(3, true), true)).toBe(true);
    expect((await buffer.read('s', 0))?.ended).toBe(true);
  });

  it('lets another instance read and wait on a stream this one writes', async () => {
    const keyPrefix = prefix();
    const writer = track(createRedisStreamBuffer(redis, { keyPrefix }));
    const reader = track(createRedisStreamBuffer(await connect(), { keyPrefix }));
    await writer.create('s');
    await writer.append('s', sampleEvent(1), false);
    expect(await reader.read('s', 0)).toEqual({ events: [sampleEvent(1)], ended: false });
    const waiting = reader.read('s', 1, { waitMs: 30_000 });
    await writer.append('s', sampleEvent(2, true), true);
    expect(await waiting).toEqual({ events: [sampleEvent(2, true)], ended: true });
  });

  it('waits on a client with a short command timeout, whose blocking reads get the longer timeout', async () => {
    const client = await connect();
    client.options.commandTimeout = 200;
    const buffer = track(createRedisStreamBuffer(client, { keyPrefix: prefix() }));
    await buffer.create('s');
    const waiting = buffer.read('s', 0, { waitMs: 1_000 });
    expect(await waiting).toEqual({ events: [], ended: false });
  });
});
