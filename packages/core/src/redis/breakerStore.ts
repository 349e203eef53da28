import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { FragmentkitError } from '../errors.js';
import type {
  BreakerAcquisition,
  BreakerConfig,
  BreakerOutcome,
  BreakerStore,
  BreakerTargetSnapshot,
  BreakerTicket,
} from '../router/breakerStore.js';
import { toTargetSnapshot } from '../router/circuitBreakerTransitions.js';
import { breakerStoreScripts } from './breakerStoreScript.js';

/**
 * Options of {@link createRedisBreakerStore}.
 *
 * @example
 * ```ts
 * import type { RedisBreakerStoreOptions } from '@fragmentkit/core/redis';
 * const options: RedisBreakerStoreOptions = { keyPrefix: 'myapp:breaker:', ttlMs: 3_600_000 };
 * ```
 */
export interface RedisBreakerStoreOptions {
  /** Prefix of every key; one key per target follows it. Defaults to `fk:breaker:`. */
  keyPrefix?: string;
  /**
   * A target whose circuit sees no result for this long is forgotten (its key expires).
   * Defaults to one day. Keys of open circuits always outlive their open period.
   */
  ttlMs?: number;
}

const defaultTtlMs = 86_400_000;

const commandNames = {
  tryAcquire: 'fragmentkitBreakerTryAcquire',
  recordResult: 'fragmentkitBreakerRecordResult',
  get: 'fragmentkitBreakerGet',
  reset: 'fragmentkitBreakerReset',
} as const;

type ScriptCommand = (key: string, ...args: string[]) => Promise<unknown>;

const errorSummarySchema = z.object({ code: z.string(), message: z.string() });

const descriptionSchema = z.object({
  state: z.enum(['closed', 'open', 'half-open', 'disabled']),
  failures: z.number(),
  calls: z.number(),
  openedAt: z.number().optional(),
  retryAt: z.number().optional(),
  consecutiveOpens: z.number(),
  probesInFlight: z.number(),
  probeSuccesses: z.number(),
  lastError: errorSummarySchema.optional(),
});

const ticketSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('call'), generation: z.number() }),
  z.object({ kind: z.literal('probe'), probeId: z.string() }),
]);

const acquisitionSchema = z.object({
  allowed: z.boolean(),
  ticket: ticketSchema.optional(),
  snapshot: descriptionSchema,
});

/**
 * Creates a {@link BreakerStore} in Redis, so every host instance using it shares one circuit
 * per target and together runs at most `halfOpenMaxProbes` probes. Each operation is one Lua
 * script (loaded once per connection through ioredis `defineCommand`) that applies the same
 * transitions as the memory store atomically inside Redis. Time comes from the breaker's clock,
 * not Redis `TIME`, so keep host clocks in sync (NTP).
 *
 * When Redis is unreachable the operations reject and `createCircuitBreaker` serves calls from
 * in-memory state until Redis answers again (see its `onStoreError` option). Give the client a
 * `commandTimeout` and `enableOfflineQueue: false` so that happens quickly.
 *
 * @example
 * ```ts
 * import { createCircuitBreaker } from '@fragmentkit/core';
 * import { createRedisBreakerStore } from '@fragmentkit/core/redis';
 * import { Redis } from 'ioredis';
 *
 * const redis = new Redis(process.env.REDIS_URL!, { commandTimeout: 200, enableOfflineQueue: false });
 * const breaker = createCircuitBreaker({ store: createRedisBreakerStore(redis, { keyPrefix: 'myapp:breaker:' }) });
 * ```
 */
export function createRedisBreakerStore(redis: Redis | Cluster, options: RedisBreakerStoreOptions = {}): BreakerStore {
  const keyPrefix = options.keyPrefix ?? 'fk:breaker:';
  const ttlMs = options.ttlMs ?? defaultTtlMs;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `Redis breaker store option ttlMs must be a whole number of at least 1; got ${ttlMs}.`,
      {
        details: { option: 'ttlMs', value: ttlMs },
      },
    );
  }
  for (const operation of Object.keys(commandNames) as (keyof typeof commandNames)[]) {
    redis.defineCommand(commandNames[operation], { numberOfKeys: 1, lua: breakerStoreScripts[operation] });
  }
  const commands = redis as unknown as Record<(typeof commandNames)[keyof typeof commandNames], ScriptCommand>;

  async function run(
    operation: keyof typeof commandNames,
    target: string,
    now: number,
    config: BreakerConfig,
    ...args: string[]
  ): Promise<unknown> {
    const reply = await commands[commandNames[operation]](
      `${keyPrefix}${target}`,
      String(now),
      JSON.stringify(config),
      String(ttlMs),
      ...args,
    );
    try {
      return JSON.parse(String(reply));
    } catch (error) {
      throw unexpectedReply(operation, reply, error);
    }
  }

  function parse<T>(schema: z.ZodType<T>, operation: keyof typeof commandNames, reply: unknown): T {
    const result = schema.safeParse(reply);
    if (!result.success) throw unexpectedReply(operation, reply, result.error);
    return result.data;
  }

  async function snapshotOf(
    operation: 'recordResult' | 'get' | 'reset',
    target: string,
    now: number,
    config: BreakerConfig,
    ...args: string[]
  ): Promise<BreakerTargetSnapshot> {
    const reply = await run(operation, target, now, config, ...args);
    return toTargetSnapshot(target, parse(descriptionSchema, operation, reply));
  }

  return {
    async tryAcquire(target: string, now: number, config: BreakerConfig): Promise<BreakerAcquisition> {
      const reply = parse(acquisitionSchema, 'tryAcquire', await run('tryAcquire', target, now, config));
      const snapshot = toTargetSnapshot(target, reply.snapshot);
      if (!reply.allowed) return { allowed: false, snapshot };
      if (!reply.ticket) throw unexpectedReply('tryAcquire', reply, undefined);
      return { allowed: true, ticket: reply.ticket, snapshot };
    },
    recordResult: (
      target: string,
      ticket: BreakerTicket,
      outcome: BreakerOutcome,
      now: number,
      config: BreakerConfig,
    ) => snapshotOf('recordResult', target, now, config, JSON.stringify(ticket), JSON.stringify(outcome)),
    get: (target: string, now: number, config: BreakerConfig) => snapshotOf('get', target, now, config),
    reset: (target: string, now: number, config: BreakerConfig) => snapshotOf('reset', target, now, config),
  };
}

function unexpectedReply(operation: string, reply: unknown, cause: unknown): FragmentkitError {
  return new FragmentkitError(
    'INTERNAL',
    `The Redis breaker store's ${operation} script answered something unexpected.`,
    {
      details: { operation, reply: String(reply).slice(0, 200) },
      cause,
    },
  );
}
