export type { RedisRateLimitStoreOptions } from './rateLimit/redisRateLimitStore.js';
export { createRedisRateLimitStore } from './rateLimit/redisRateLimitStore.js';
