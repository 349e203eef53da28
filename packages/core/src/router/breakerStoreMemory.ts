import type { BreakerAcquisition, BreakerConfig, BreakerOutcome, BreakerStore, BreakerTicket } from './breakerStore.js';
import {
  acquire,
  advance,
  type BreakerRecord,
  createBreakerRecord,
  describeRecord,
  recordResult,
  resetRecord,
  toTargetSnapshot,
} from './circuitBreakerTransitions.js';

/**
 * Creates a {@link BreakerStore} that keeps circuit state in this process. Each method runs
 * synchronously to the end, which makes it atomic. The default store of
 * `createCircuitBreaker`; use `createRedisBreakerStore` from `@fragmentkit/core/redis` to
 * share circuits between host instances.
 *
 * @example
 * ```ts
 * import { createCircuitBreaker, createMemoryBreakerStore } from '@fragmentkit/core';
 *
 * // One store shared by two breakers: failures seen by either open the circuit for both.
 * const store = createMemoryBreakerStore();
 * const chatBreaker = createCircuitBreaker({ store });
 * const agentBreaker = createCircuitBreaker({ store });
 * ```
 */
export function createMemoryBreakerStore(): BreakerStore {
  const records = new Map<string, BreakerRecord>();

  function recordAt(target: string, now: number, config: BreakerConfig): BreakerRecord {
    let record = records.get(target);
    if (!record) {
      record = createBreakerRecord();
      records.set(target, record);
    }
    advance(record, now, config);
    return record;
  }

  return {
    async tryAcquire(target: string, now: number, config: BreakerConfig): Promise<BreakerAcquisition> {
      const record = recordAt(target, now, config);
      const ticket = acquire(record, now, config);
      const snapshot = toTargetSnapshot(target, describeRecord(record, config));
      return ticket ? { allowed: true, ticket, snapshot } : { allowed: false, snapshot };
    },
    async recordResult(
      target: string,
      ticket: BreakerTicket,
      outcome: BreakerOutcome,
      now: number,
      config: BreakerConfig,
    ) {
      const record = recordAt(target, now, config);
      recordResult(record, ticket, outcome, now, config);
      return toTargetSnapshot(target, describeRecord(record, config));
    },
    async get(target: string, now: number, config: BreakerConfig) {
      const stored = records.get(target);
      const record = stored ? structuredClone(stored) : createBreakerRecord();
      advance(record, now, config);
      return toTargetSnapshot(target, describeRecord(record, config));
    },
    async reset(target: string, now: number, config: BreakerConfig) {
      const record = resetRecord(recordAt(target, now, config));
      records.set(target, record);
      return toTargetSnapshot(target, describeRecord(record, config));
    },
  };
}
