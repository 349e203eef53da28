import { type Clock, FragmentkitError, systemClock } from '@fragmentkit/core';
import type { Cluster, Redis } from 'ioredis';
import type { IdempotentResponse } from '../store/idempotencyKeys.js';
import type { Tenant } from '../store/tenantTransaction.js';
import { checkBegin, checkComplete, checkKeyId, notInFlight } from './idempotencyInput.js';
import type { IdempotencyKeyId, IdempotencyRecord, IdempotencyStore } from './idempotencyStore.js';

/**
 * Options of {@link createRedisIdempotencyStore}.
 *
 * @example
 * ```ts
 * import type { RedisIdempotencyStoreOptions } from '@fragmentkit/server/redis';
 * const options: RedisIdempotencyStoreOptions = { keyPrefix: 'myapp:idem:' };
 * ```
 */
export interface RedisIdempotencyStoreOptions {
  /** Prefix of every key; team, user, scope and key follow it. Default `fk:idem:`. */
  keyPrefix?: string;
  /** Decides when keys expire. Default `Date.now()`; keep host clocks in sync (NTP). */
  clock?: Clock;
}

const commandNames = { begin: 'fragmentkitIdempotencyBegin', complete: 'fragmentkitIdempotencyComplete' } as const;

/*
 * A key's value is "<expiresAt> <status> <requestHash> <requestId> <JSON of the response>"
 * (the response is empty while in flight), so the scripts read expiry and status without
 * decoding a recorded response.
 *
 * begin: KEYS[1]; ARGV = new value, ttl, now. SET NX PX claims a free key; a key that exists
 * but whose expiry (by the store's clock) has passed is taken over. Returns nil when claimed,
 * else the live value.
 */
const beginScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
local existing = redis.call('GET', KEYS[1])
if tonumber(string.match(existing, '^(%d+) ')) > tonumber(ARGV[3]) then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`;

/*
 * complete: KEYS[1]; ARGV = now, JSON of the response, new ttl in ms ('' keeps the expiry).
 * Returns 1, or 0 when the key is not in flight.
 */
const completeScript = `
local existing = redis.call('GET', KEYS[1])
if not existing then return 0 end
local expiresAt, status, identity = string.match(existing, '^(%d+) (%S+) (%S+ %S+) ')
if status ~= 'in_flight' or tonumber(expiresAt) <= tonumber(ARGV[1]) then return 0 end
if ARGV[3] == '' then
  redis.call('SET', KEYS[1], expiresAt .. ' completed ' .. identity .. ' ' .. ARGV[2], 'KEEPTTL')
else
  local renewed = tonumber(ARGV[1]) + tonumber(ARGV[3])
  redis.call('SET', KEYS[1], string.format('%d', renewed) .. ' completed ' .. identity .. ' ' .. ARGV[2], 'PX', ARGV[3])
end
return 1
`;

type BeginCommand = (key: string, value: string, ttlMs: string, now: string) => Promise<string | null>;
type CompleteCommand = (key: string, now: string, json: string, ttlMs: string) => Promise<number>;

/**
 * Creates an {@link IdempotencyStore} in Redis, shared by every host instance. Each key is one
 * string: `begin` claims it with `SET NX PX` inside a Lua script (which also takes over a key
 * whose expiry has passed), `complete` swaps in the response atomically with its new TTL, so
 * Redis drops the key when it expires. Needs Redis 6 or newer.
 *
 * fragmentkit keeps keys in memory while Redis is unreachable (per instance, with a warning),
 * so an outage never fails a request. Give the client a `commandTimeout` and
 * `enableOfflineQueue: false` so that happens quickly.
 *
 * @example
 * ```ts
 * import { createFragmentkit } from '@fragmentkit/server';
 * import { createRedisIdempotencyStore } from '@fragmentkit/server/redis';
 * import { Redis } from 'ioredis';
 *
 * const redis = new Redis(process.env.REDIS_URL!, { commandTimeout: 500, enableOfflineQueue: false });
 * const fragmentkit = createFragmentkit({ model, idempotency: { store: createRedisIdempotencyStore(redis) } });
 * ```
 */
export function createRedisIdempotencyStore(
  redis: Redis | Cluster,
  options: RedisIdempotencyStoreOptions = {},
): IdempotencyStore {
  const keyPrefix = options.keyPrefix ?? 'fk:idem:';
  const clock = options.clock ?? systemClock;
  redis.defineCommand(commandNames.begin, { numberOfKeys: 1, lua: beginScript });
  redis.defineCommand(commandNames.complete, { numberOfKeys: 1, lua: completeScript });
  const commands = redis as unknown as Record<typeof commandNames.begin, BeginCommand> &
    Record<typeof commandNames.complete, CompleteCommand>;

  const redisKey = (owner: Tenant, { scope, key }: IdempotencyKeyId) =>
    keyPrefix + [owner.teamId, owner.userId, scope, key].map(encodeURIComponent).join(':');

  return {
    async begin(owner, input) {
      const { scope, key, requestHash, requestId, ttlMs } = checkBegin(owner, input);
      const now = clock.now();
      const existing = await commands[commandNames.begin](
        redisKey(owner, { scope, key }),
        `${now + ttlMs} in_flight ${requestHash} ${requestId} `,
        String(ttlMs),
        String(now),
      );
      return existing === null ? { acquired: true } : { acquired: false, record: parseValue(existing) };
    },
    async complete(owner, input) {
      const { scope, key, response, ttlMs } = checkComplete(owner, input);
      const name = redisKey(owner, { scope, key });
      const completed = await commands[commandNames.complete](
        name,
        String(clock.now()),
        JSON.stringify(response),
        ttlMs === undefined ? '' : String(ttlMs),
      );
      if (completed !== 1) throw notInFlight({ scope, key });
    },
    async get(owner, id) {
      const value = await redis.get(redisKey(owner, checkKeyId(owner, id, 'idempotency get')));
      if (value === null) return null;
      const record = parseValue(value);
      return record.expiresAt > clock.now() ? record : null;
    },
  };
}

function parseValue(value: string): IdempotencyRecord {
  const match = /^(\d+) (in_flight|completed) (\S+) (\S+) (.*)$/s.exec(value);
  let response: IdempotentResponse | null | undefined;
  try {
    response = match ? (match[5] === '' ? null : (JSON.parse(match[5]!) as IdempotentResponse)) : undefined;
  } catch {
    response = undefined;
  }
  if (!match || response === undefined) {
    throw new FragmentkitError('INTERNAL', 'The Redis idempotency store holds a value it did not write.', {
      details: { value: value.slice(0, 200) },
    });
  }
  return {
    requestHash: match[3]!,
    requestId: match[4]!,
    status: match[2] as IdempotencyRecord['status'],
    response,
    expiresAt: Number(match[1]),
  };
}
