export type { RedisBreakerStoreOptions } from './breakerStore.js';
export { createRedisBreakerStore } from './breakerStore.js';
