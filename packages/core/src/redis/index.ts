export type { RedisBreakerStoreOptions } from './breakerStore.js';
export { createRedisBreakerStore } from './breakerStore.js';
export type { RedisQuotaStoreOptions } from './quotaStore.js';
export { createRedisQuotaStore } from './quotaStore.js';
export type { RedisResponseCacheOptions } from './responseCache.js';
export { createRedisResponseCache } from './responseCache.js';
