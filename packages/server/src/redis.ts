export type { RedisIdempotencyStoreOptions } from './idempotency/redisIdempotencyStore.js';
export { createRedisIdempotencyStore } from './idempotency/redisIdempotencyStore.js';
export type { RedisRateLimitStoreOptions } from './rateLimit/redisRateLimitStore.js';
export { createRedisRateLimitStore } from './rateLimit/redisRateLimitStore.js';
export type { RedisPreviewShareStoreOptions } from './sandbox/redisPreviewShareStore.js';
export { createRedisPreviewShareStore } from './sandbox/redisPreviewShareStore.js';
export type { RedisStreamBuffer, RedisStreamBufferOptions } from './streams/redisStreamBuffer.js';
export { createRedisStreamBuffer } from './streams/redisStreamBuffer.js';
