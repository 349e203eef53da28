import { describeWithRedis } from '../../test/testRedis.js';
import { describeEachEngine, openTestDatabase } from '../store/__fixtures__/testDatabases.js';
import { createFragmentStore } from '../store/fragmentStore.js';
import { describeIdempotencyStoreContract } from './__fixtures__/idempotencyStoreContract.js';
import { createFragmentStoreIdempotencyStore } from './fragmentStoreIdempotencyStore.js';
import { createMemoryIdempotencyStore } from './memoryIdempotencyStore.js';
import { createRedisIdempotencyStore } from './redisIdempotencyStore.js';

describeIdempotencyStoreContract('memory', async (clock) => ({ store: createMemoryIdempotencyStore({ clock }) }));

describeWithRedis('createRedisIdempotencyStore against real Redis', ({ redis, prefix }) => {
  describeIdempotencyStoreContract('redis', async (clock) => ({
    store: createRedisIdempotencyStore(redis, { keyPrefix: prefix(), clock }),
  }));
});

describeEachEngine('createFragmentStoreIdempotencyStore', (engine) => {
  // A fresh schema per test, as the store tests use.
  describeIdempotencyStoreContract(engine, async (clock) => {
    const database = await openTestDatabase(engine);
    const store = createFragmentStore(database.db, { clock });
    return { store: createFragmentStoreIdempotencyStore(store.idempotencyKeys), close: () => database.close() };
  });
});
