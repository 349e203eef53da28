import { type Clock, systemClock } from '@fragmentkit/core';
import type { IdempotentResponse } from '../store/idempotencyKeys.js';
import type { Tenant } from '../store/tenantTransaction.js';
import { checkWholeNumber } from '../streams/streamBufferInput.js';
import { checkBegin, checkComplete, checkKeyId, notInFlight } from './idempotencyInput.js';
import type { IdempotencyKeyId, IdempotencyRecord, IdempotencyStore } from './idempotencyStore.js';

/**
 * Options of {@link createMemoryIdempotencyStore}.
 *
 * @example
 * ```ts
 * const options: MemoryIdempotencyStoreOptions = { maxBytes: 16 * 1024 * 1024 };
 * ```
 */
export interface MemoryIdempotencyStoreOptions {
  /** Decides when keys expire. Default `Date.now()`. */
  clock?: Clock;
  /**
   * Approximate memory for recorded responses (two bytes per character). Past it, the oldest
   * completed keys are forgotten first, so their requests would run again. Default 64 MiB.
   */
  maxBytes?: number;
}

interface Entry {
  record: IdempotencyRecord;
  bytes: number;
}

/**
 * An {@link IdempotencyStore} in this process's memory: the default when fragmentkit has no
 * fragment store. Keys are not shared between host instances; use `createRedisIdempotencyStore`
 * or `createFragmentStoreIdempotencyStore` for several.
 *
 * @example
 * ```ts
 * import { createFragmentkit, createMemoryIdempotencyStore } from '@fragmentkit/server';
 *
 * const fragmentkit = createFragmentkit({ model, idempotency: { store: createMemoryIdempotencyStore(), ttlMs: 3_600_000 } });
 * ```
 */
export function createMemoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): IdempotencyStore {
  const clock = options.clock ?? systemClock;
  const maxBytes = checkWholeNumber(options.maxBytes ?? 64 * 1024 * 1024, 'maxBytes');
  const entries = new Map<string, Entry>();
  let totalBytes = 0;

  function forget(name: string, entry: Entry): void {
    entries.delete(name);
    totalBytes -= entry.bytes;
  }

  function live(name: string): Entry | undefined {
    const entry = entries.get(name);
    if (entry && entry.record.expiresAt <= clock.now()) {
      forget(name, entry);
      return undefined;
    }
    return entry;
  }

  /** Forgets expired keys, then completed ones in the order they began, until `bytes` more fit. */
  function makeRoom(bytes: number, keep: string): void {
    if (totalBytes + bytes <= maxBytes) return;
    const now = clock.now();
    for (const [name, entry] of entries) {
      if (totalBytes + bytes <= maxBytes) return;
      if (name !== keep && (entry.record.expiresAt <= now || entry.record.status === 'completed')) forget(name, entry);
    }
  }

  return {
    async begin(owner, input) {
      const { scope, key, requestHash, requestId, ttlMs } = checkBegin(owner, input);
      const name = entryName(owner, { scope, key });
      const existing = live(name);
      if (existing) return { acquired: false, record: { ...existing.record } };
      const record: IdempotencyRecord = {
        requestHash,
        requestId,
        status: 'in_flight',
        response: null,
        expiresAt: clock.now() + ttlMs,
      };
      entries.set(name, { record, bytes: 0 });
      return { acquired: true };
    },
    async complete(owner, input) {
      const { scope, key, response, ttlMs } = checkComplete(owner, input);
      const name = entryName(owner, { scope, key });
      const entry = live(name);
      if (entry?.record.status !== 'in_flight') throw notInFlight({ scope, key });
      const bytes = sizeOf(response);
      makeRoom(bytes, name);
      const expiresAt = ttlMs === undefined ? entry.record.expiresAt : clock.now() + ttlMs;
      entry.record = { ...entry.record, status: 'completed', response, expiresAt };
      entry.bytes = bytes;
      totalBytes += bytes;
    },
    async get(owner, id) {
      const entry = live(entryName(owner, checkKeyId(owner, id, 'idempotency get')));
      return entry ? { ...entry.record } : null;
    },
  };
}

function entryName(owner: Tenant, { scope, key }: IdempotencyKeyId): string {
  return JSON.stringify([owner.teamId, owner.userId, scope, key]);
}

function sizeOf(response: IdempotentResponse): number {
  const content =
    'body' in response ? response.body.length : response.events.reduce((sum, event) => sum + event.data.length, 0);
  return 2 * content;
}
