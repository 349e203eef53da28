import type { IdempotencyKeyStore } from '../store/fragmentStore.js';
import type { IdempotencyKeyRecord } from '../store/idempotencyKeys.js';
import type { Tenant } from '../store/tenantTransaction.js';
import { checkBegin, checkComplete, checkKeyId } from './idempotencyInput.js';
import type { IdempotencyRecord, IdempotencyStore } from './idempotencyStore.js';
import { sha256Hex } from './requestHash.js';

/**
 * An {@link IdempotencyStore} on the fragment store's `idempotency_keys` table (PostgreSQL or
 * PGlite): the default when fragmentkit has a `store`. Keys survive restarts and are shared by
 * every instance on the same database; the store's clock decides expiry, and its
 * `purgeExpired` (`fragmentkit.maintenance.purge()`) deletes expired keys.
 *
 * The table keys by team and scope, so the user is folded into the scope (as a hash, to stay
 * short) and the request id is kept next to the body hash.
 *
 * @example
 * ```ts
 * import { createFragmentkit, createFragmentStore, createFragmentStoreIdempotencyStore } from '@fragmentkit/server';
 *
 * const store = createFragmentStore(database);
 * const fragmentkit = createFragmentkit({
 *   model,
 *   store,
 *   idempotency: { store: createFragmentStoreIdempotencyStore(store.idempotencyKeys), ttlMs: 12 * 3_600_000 },
 * });
 * ```
 */
export function createFragmentStoreIdempotencyStore(keys: IdempotencyKeyStore): IdempotencyStore {
  return {
    async begin(owner, input) {
      const { scope, key, requestHash, requestId, ttlMs } = checkBegin(owner, input);
      const begun = await keys.begin(owner, {
        scope: await userScope(owner, scope),
        key,
        requestHash: `${requestHash} ${requestId}`,
        ttlMs,
      });
      return begun.outcome === 'acquired' ? { acquired: true } : { acquired: false, record: toRecord(begun.record) };
    },
    async complete(owner, input) {
      const { scope, key, response, ttlMs } = checkComplete(owner, input);
      await keys.complete(owner, {
        scope: await userScope(owner, scope),
        key,
        response,
        ...(ttlMs === undefined ? {} : { ttlMs }),
      });
    },
    async get(owner, id) {
      const { scope, key } = checkKeyId(owner, id, 'idempotency get');
      const record = await keys.get(owner, { scope: await userScope(owner, scope), key });
      return record ? toRecord(record) : null;
    },
  };
}

async function userScope(owner: Tenant, scope: string): Promise<string> {
  return `${scope} user:${await sha256Hex(owner.userId)}`;
}

function toRecord(record: IdempotencyKeyRecord): IdempotencyRecord {
  const separator = record.requestHash.indexOf(' ');
  return {
    requestHash: record.requestHash.slice(0, separator),
    requestId: record.requestHash.slice(separator + 1),
    status: record.status,
    response: record.response,
    expiresAt: record.expiresAt.getTime(),
  };
}
