import { describeBreakerStoreContract } from './breakerStoreContract.js';
import { createMemoryBreakerStore } from './breakerStoreMemory.js';

describeBreakerStoreContract('memory', () => createMemoryBreakerStore());
