// The server's tests reach the shared Redis fixture through this path.
export { connectRedis, describeWithRedis, type RedisTestContext, redisUrl } from '@fragmentkit/test-services/redis';
