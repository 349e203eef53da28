import { FragmentkitError } from '@fragmentkit/core';
import type { Cluster, Redis } from 'ioredis';
import type { ServerSentEvent } from '../sse.js';
import type { StreamBuffer, StreamSlice } from './streamBuffer.js';
import { checkAfter, checkWholeNumber } from './streamBufferInput.js';

/**
 * Options of {@link createRedisStreamBuffer}.
 *
 * @example
 * ```ts
 * import type { RedisStreamBufferOptions } from '@fragmentkit/server/redis';
 * const options: RedisStreamBufferOptions = { keyPrefix: 'myapp:stream:', retainMs: 10 * 60_000 };
 * ```
 */
export interface RedisStreamBufferOptions {
  /** Prefix of every key; the stream id follows it. Default `fk:stream:`. */
  keyPrefix?: string;
  /** How long a stream stays readable after its final event. Default 5 minutes. */
  retainMs?: number;
  /**
   * A stream that gets no event for this long is dropped, e.g. because the instance writing
   * it went down; readers then learn that it cannot be resumed. Default 10 minutes.
   */
  idleTtlMs?: number;
  /** Events past this count of one stream are not kept (its final event always is). Default 10 000. */
  maxEventsPerStream?: number;
}

/**
 * A {@link StreamBuffer} in Redis; see {@link createRedisStreamBuffer}.
 *
 * @example
 * ```ts
 * const buffer: RedisStreamBuffer = createRedisStreamBuffer(redis);
 * process.on('SIGTERM', () => buffer.close());
 * ```
 */
export interface RedisStreamBuffer extends StreamBuffer {
  /** Closes the connections that waiting reads use; the client you passed in stays open. */
  close(): Promise<void>;
}

const commandNames = { create: 'fragmentkitStreamCreate', append: 'fragmentkitStreamAppend' } as const;

/*
 * KEYS[1] = the stream, ARGV[1] = idle TTL. A marker entry 0-1 makes the stream exist before
 * its first event, so a second create with the same id fails.
 */
const createScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('XADD', KEYS[1], '0-1', 'open', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

/*
 * KEYS[1] = the stream; ARGV = event id, event type, data, final ('1' or '0'), idle TTL,
 * retain TTL, max events. Entry ids are <event id>-0, so XRANGE/XREAD address events by id.
 * Returns 1 when kept, 0 when the stream is gone or ended, -1 when it is full, -2 when the
 * event id is not the next one.
 */
const appendScript = `
local length = redis.call('XLEN', KEYS[1])
if length == 0 then return 0 end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if last[2][1] == 'final' then return 0 end
if ARGV[1] ~= tostring(length) then return -2 end
if ARGV[4] == '1' then
  redis.call('XADD', KEYS[1], ARGV[1] .. '-0', 'final', '1', 'id', ARGV[1], 'event', ARGV[2], 'data', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  return 1
end
if length > tonumber(ARGV[7]) then return -1 end
redis.call('XADD', KEYS[1], ARGV[1] .. '-0', 'id', ARGV[1], 'event', ARGV[2], 'data', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

// A blocking read never waits longer than this, so a reader re-checks that its stream still exists.
const maxBlockMs = 10_000;
const maxIdleConnections = 4;

type StreamEntry = [id: string, fields: string[]];
type CreateCommand = (key: string, idleTtlMs: string) => Promise<number>;
type AppendCommand = (key: string, ...args: string[]) => Promise<number>;

/**
 * Creates a {@link StreamBuffer} in Redis, so a client can resume on any host instance, not
 * just the one generating its answer. Each stream is one Redis Stream whose entry ids are the
 * event ids (`XADD key <n>-0`), appended by a Lua script that checks the order and refreshes
 * the key's TTL: `idleTtlMs` while the stream runs, `retainMs` after its final event. Readers
 * use `XRANGE` and, to wait for the next event, `XREAD BLOCK` on a small pool of duplicated
 * connections (their command timeout is the client's plus the longest block).
 *
 * fragmentkit wraps the buffer so that a Redis outage never fails a chat: while Redis is
 * unreachable, streams are buffered in memory on the instance that generates them, and a
 * stream whose Redis writes fail midway stops being resumable (with a warning in the log).
 * Give the client a `commandTimeout` and `enableOfflineQueue: false` so that happens quickly.
 *
 * @example
 * ```ts
 * import { createFragmentkit } from '@fragmentkit/server';
 * import { createRedisStreamBuffer } from '@fragmentkit/server/redis';
 * import { Redis } from 'ioredis';
 *
 * const redis = new Redis(process.env.REDIS_URL!, { commandTimeout: 500, enableOfflineQueue: false });
 * const fragmentkit = createFragmentkit({
 *   model,
 *   streams: { buffer: createRedisStreamBuffer(redis), onClientDisconnect: 'continue' },
 * });
 * ```
 */
export function createRedisStreamBuffer(
  redis: Redis | Cluster,
  options: RedisStreamBufferOptions = {},
): RedisStreamBuffer {
  const keyPrefix = options.keyPrefix ?? 'fk:stream:';
  const retainMs = String(checkWholeNumber(options.retainMs ?? 5 * 60_000, 'retainMs'));
  const idleTtlMs = String(checkWholeNumber(options.idleTtlMs ?? 10 * 60_000, 'idleTtlMs'));
  const maxEvents = String(checkWholeNumber(options.maxEventsPerStream ?? 10_000, 'maxEventsPerStream'));
  redis.defineCommand(commandNames.create, { numberOfKeys: 1, lua: createScript });
  redis.defineCommand(commandNames.append, { numberOfKeys: 1, lua: appendScript });
  const commands = redis as unknown as Record<typeof commandNames.create, CreateCommand> &
    Record<typeof commandNames.append, AppendCommand>;
  const blocking = createBlockingPool(redis);

  async function readNow(key: string, after: number): Promise<StreamSlice | null> {
    // One transaction, so the last entry and the range describe the same moment.
    const replies = await redis
      .multi()
      .xrevrange(key, '+', '-', 'COUNT', 1)
      .xrange(key, `${after + 1}-0`, '+')
      .exec();
    const [last, range] = (replies ?? []).map(([error, reply]) => {
      if (error) throw error;
      return reply as StreamEntry[];
    });
    if (!last || !range) throw new FragmentkitError('INTERNAL', 'Redis did not answer the stream read.');
    const newest = last[0];
    if (!newest) return null;
    return { events: range.map(toEvent), ended: isFinal(newest) };
  }

  return {
    async create(streamId) {
      return (await commands[commandNames.create](keyPrefix + streamId, idleTtlMs)) === 1;
    },
    async append(streamId, event, final) {
      const reply = await commands[commandNames.append](
        keyPrefix + streamId,
        event.id,
        event.event,
        event.data,
        final ? '1' : '0',
        idleTtlMs,
        retainMs,
        maxEvents,
      );
      if (reply === -2) {
        throw new FragmentkitError('INTERNAL', `Stream events must be numbered in order; ${event.id} is not next.`, {
          details: { streamId },
        });
      }
      return reply === 1;
    },
    async read(streamId, after, readOptions = {}) {
      checkAfter(after);
      const key = keyPrefix + streamId;
      const slice = await readNow(key, after);
      const waitMs = Math.min(readOptions.waitMs ?? 0, maxBlockMs);
      if (!slice || slice.ended || slice.events.length > 0 || waitMs <= 0 || readOptions.signal?.aborted) return slice;
      await blocking.waitForEntry(key, after, waitMs, readOptions.signal);
      return readNow(key, after);
    },
    close: () => blocking.close(),
  };
}

function isFinal([, fields]: StreamEntry): boolean {
  return fields[0] === 'final';
}

function toEvent([, fields]: StreamEntry): ServerSentEvent {
  const values = new Map<string, string>();
  for (let index = 0; index + 1 < fields.length; index += 2) values.set(fields[index]!, fields[index + 1]!);
  return { id: values.get('id') ?? '', event: values.get('event') ?? '', data: values.get('data') ?? '' };
}

/**
 * `XREAD BLOCK` holds its connection until it answers, so waiting reads get connections of
 * their own. An aborted wait disconnects its connection rather than leaving it blocked.
 */
function createBlockingPool(redis: Redis | Cluster) {
  const idle: (Redis | Cluster)[] = [];
  const open = new Set<Redis | Cluster>();
  let closed = false;

  function acquire(): Redis | Cluster {
    const reused = idle.pop();
    if (reused) return reused;
    const connection = duplicateForBlocking(redis);
    // Failures reach the waiting command as a rejection; the event would only be noise.
    connection.on('error', () => {});
    open.add(connection);
    return connection;
  }

  function discard(connection: Redis | Cluster): void {
    open.delete(connection);
    connection.disconnect();
  }

  return {
    async waitForEntry(key: string, after: number, waitMs: number, signal: AbortSignal | undefined): Promise<void> {
      if (closed) return;
      const connection = acquire();
      let aborted = false;
      const onAbort = () => {
        aborted = true;
        discard(connection);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        // Entries after <after>-1 are the events numbered after `after` (the open marker is 0-1).
        await connection.xread('BLOCK', waitMs, 'STREAMS', key, `${after}-1`);
      } catch (error) {
        if (!aborted && !closed) throw error;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        if (!aborted) {
          if (closed || idle.length >= maxIdleConnections) discard(connection);
          else idle.push(connection);
        }
      }
    },
    async close(): Promise<void> {
      closed = true;
      idle.length = 0;
      for (const connection of [...open]) discard(connection);
    },
  };
}

function duplicateForBlocking(redis: Redis | Cluster): Redis | Cluster {
  const blockingTimeout = (commandTimeout: number | undefined) =>
    commandTimeout === undefined ? undefined : commandTimeout + maxBlockMs;
  // Queue the first command until the new connection is up instead of failing it.
  if ('isCluster' in redis && redis.isCluster) {
    const cluster = redis as Cluster;
    const redisOptions = cluster.options.redisOptions ?? {};
    return cluster.duplicate([], {
      enableOfflineQueue: true,
      redisOptions: { ...redisOptions, commandTimeout: blockingTimeout(redisOptions.commandTimeout) },
    });
  }
  const single = redis as Redis;
  return single.duplicate({
    enableOfflineQueue: true,
    commandTimeout: blockingTimeout(single.options.commandTimeout),
  });
}
