// #region shared-state
import { createCircuitBreaker, createQuota, createRouter } from '@fragmentkit/core';
import { createAnthropicModel, createOpenAIModel } from '@fragmentkit/core/providers';
import { createRedisBreakerStore, createRedisQuotaStore } from '@fragmentkit/core/redis';
import { createFragmentkit, createFragmentStore, createRateLimiter, tieredDailyPolicies } from '@fragmentkit/server';
import { createPostgresDatabase } from '@fragmentkit/server/postgres';
import { createRedisRateLimitStore } from '@fragmentkit/server/redis';
import { Redis } from 'ioredis';

// #endregion

/** Every instance behind the load balancer runs this: state lives in Redis and PostgreSQL. */
export function createSharedFragmentkit() {
  // #region shared-state
  // Fail fast when Redis is slow or down: each store then falls back to this instance's memory.
  const redis = new Redis(process.env.REDIS_URL!, { commandTimeout: 200, enableOfflineQueue: false });

  const router = createRouter({
    targets: {
      sonnet: { model: createAnthropicModel({ apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' }) },
      mini: { model: createOpenAIModel({ apiKey: process.env.OPENAI_API_KEY, model: 'gpt-4o-mini' }) },
    },
    routes: { generate: ['sonnet', 'mini'] },
    // One instance seeing Anthropic fail opens the circuit for all of them.
    breaker: createCircuitBreaker({ store: createRedisBreakerStore(redis, { keyPrefix: 'myapp:breaker:' }) }),
  });

  const fragmentkit = createFragmentkit({
    router,
    quota: createQuota({
      store: createRedisQuotaStore(redis, { keyPrefix: 'myapp:quota:' }),
      limits: { user: { dailyTokens: 500_000 }, team: { monthlyUsd: 300 } },
    }),
    rateLimit: createRateLimiter({
      store: createRedisRateLimitStore(redis, { keyPrefix: 'myapp:rl:' }),
      policies: tieredDailyPolicies({ guest: 10, free: 50, pro: 200 }),
    }),
    // Conversations, fragments, usage and the audit log, with row-level security by team.
    store: createFragmentStore(createPostgresDatabase({ connectionString: process.env.DATABASE_URL })),
  });
  // #endregion
  return fragmentkit;
}
