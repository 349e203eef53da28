import type { Queryable } from '../store/database.js';
import type { HealthCheck } from './healthChecks.js';

/**
 * Checks a database with `SELECT 1`: a PGlite or PostgreSQL {@link Queryable}, e.g. the one the
 * fragment store runs on.
 *
 * @example
 * ```ts
 * import { createFragmentkit, createFragmentStore, databaseHealthCheck } from '@fragmentkit/server';
 * import { createPostgresDatabase } from '@fragmentkit/server/postgres';
 *
 * const db = createPostgresDatabase({ connectionString: process.env.DATABASE_URL! });
 * const fragmentkit = createFragmentkit({
 *   model,
 *   store: createFragmentStore(db),
 *   healthChecks: { database: databaseHealthCheck(db) },
 * });
 * ```
 */
export function databaseHealthCheck(db: Queryable): HealthCheck {
  return async () => {
    await db.query('SELECT 1');
  };
}

/**
 * Checks Redis with `PING`, on any client with a `ping()` (ioredis, node-redis). Create the
 * client with `enableOfflineQueue: false` (ioredis) so a check fails at once while Redis is
 * unreachable instead of waiting for the timeout.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createFragmentkit, redisHealthCheck } from '@fragmentkit/server';
 *
 * const redis = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
 * const fragmentkit = createFragmentkit({
 *   model,
 *   // The rate limiter keeps limiting in memory while Redis is down: degraded, not down.
 *   healthChecks: { redis: { check: redisHealthCheck(redis), critical: false } },
 * });
 * ```
 */
export function redisHealthCheck(redis: { ping(): Promise<unknown> }): HealthCheck {
  return async () => {
    await redis.ping();
  };
}
