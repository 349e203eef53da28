import type { IdempotentResponse } from '../store/idempotencyKeys.js';
import type { Tenant } from '../store/tenantTransaction.js';

/**
 * Names one idempotency key of a caller: the operation it belongs to and the client's key.
 *
 * @example
 * ```ts
 * const id: IdempotencyKeyId = { scope: 'POST /chat', key: request.headers.get('idempotency-key')! };
 * ```
 */
export interface IdempotencyKeyId {
  /** The operation, e.g. `POST /chat`; the same key in another scope is another key. Up to 128 characters. */
  scope: string;
  /** The client's `Idempotency-Key`, up to 255 characters. */
  key: string;
}

/**
 * A live idempotency key: `in_flight` while the request that began it runs, then `completed`
 * with the response to replay.
 *
 * @example
 * ```ts
 * if (record.status === 'completed' && record.requestHash === hash) return replay(record.response!);
 * ```
 */
export interface IdempotencyRecord {
  /** Hash of the body of the request that began the key. */
  requestHash: string;
  /** Request id of the request that began it: where its stream can be resumed. */
  requestId: string;
  status: 'in_flight' | 'completed';
  /** The response to replay; null while in flight. */
  response: IdempotentResponse | null;
  /** When the key stops holding, in milliseconds since the epoch. */
  expiresAt: number;
}

/**
 * Input of {@link IdempotencyStore.begin}.
 *
 * @example
 * ```ts
 * const input: IdempotencyBeginInput = { scope: 'POST /chat', key, requestHash, requestId, ttlMs: 86_400_000 };
 * ```
 */
export interface IdempotencyBeginInput extends IdempotencyKeyId {
  /** Up to 100 characters without spaces, e.g. a SHA-256 in hex. */
  requestHash: string;
  /** Up to 128 characters without spaces. */
  requestId: string;
  /** How long the key holds, from now. */
  ttlMs: number;
}

/**
 * What {@link IdempotencyStore.begin} found: either this call holds the key now (it was free
 * or had expired), or someone else's live record.
 *
 * @example
 * ```ts
 * const begun = await store.begin(owner, input);
 * if (!begun.acquired && begun.record.status === 'in_flight') throw inFlight();
 * ```
 */
export type IdempotencyBeginResult = { acquired: true } | { acquired: false; record: IdempotencyRecord };

/**
 * Input of {@link IdempotencyStore.complete}.
 *
 * @example
 * ```ts
 * const input: IdempotencyCompleteInput = { scope: 'POST /chat', key, response: { status: 200, headers, events }, ttlMs: 86_400_000 };
 * ```
 */
export interface IdempotencyCompleteInput extends IdempotencyKeyId {
  response: IdempotentResponse;
  /** How long the completed key holds, from now; omitted, it keeps the expiry `begin` gave it. */
  ttlMs?: number;
}

/**
 * Where `Idempotency-Key`s live. Keys belong to one caller (the `owner`: team and user), so
 * two callers never see each other's keys. `createMemoryIdempotencyStore` keeps them in this
 * process, `createRedisIdempotencyStore` (`@fragmentkit/server/redis`) in Redis, and
 * `createFragmentStoreIdempotencyStore` in the PostgreSQL/PGlite fragment store. All three
 * pass the same contract tests.
 *
 * @example
 * ```ts
 * const begun = await store.begin(owner, { scope: 'POST /tasks', key, requestHash, requestId, ttlMs });
 * if (begun.acquired) await store.complete(owner, { scope: 'POST /tasks', key, response });
 * ```
 */
export interface IdempotencyStore {
  /** Claims the key atomically: of concurrent callers exactly one acquires it. */
  begin(owner: Tenant, input: IdempotencyBeginInput): Promise<IdempotencyBeginResult>;
  /** Stores the response of the in-flight key; `NOT_FOUND` when the key is not in flight (or expired). */
  complete(owner: Tenant, input: IdempotencyCompleteInput): Promise<void>;
  /** The live record of the key, or null. */
  get(owner: Tenant, id: IdempotencyKeyId): Promise<IdempotencyRecord | null>;
}
