import { z } from 'zod';
import type { StoreContext } from './storeContext.js';
import { notFound, parseStoreInput } from './storeInput.js';
import type { Tenant } from './tenantTransaction.js';

/**
 * One Server-Sent Event as it went out, so a replay can send the same bytes again.
 *
 * @example
 * ```ts
 * const event: RecordedServerSentEvent = { id: '3', event: 'done', data: JSON.stringify(doneEvent) };
 * ```
 */
export interface RecordedServerSentEvent {
  id: string;
  event: string;
  data: string;
}

/**
 * The response an idempotent request produced: a plain body, or the events of a stream.
 *
 * @example
 * ```ts
 * const response: IdempotentResponse = { status: 200, headers: { 'content-type': 'text/event-stream' }, events };
 * ```
 */
export type IdempotentResponse =
  | { status: number; headers: Record<string, string>; body: string }
  | { status: number; headers: Record<string, string>; events: RecordedServerSentEvent[] };

/**
 * A stored idempotency key: `in_flight` while its request runs, then `completed` with the
 * response to replay.
 *
 * @example
 * ```ts
 * if (record.status === 'completed' && record.requestHash === hash) return replay(record.response);
 * ```
 */
export interface IdempotencyKeyRecord {
  scope: string;
  key: string;
  /** Who began it. */
  userId: string;
  requestHash: string;
  status: 'in_flight' | 'completed';
  /** Null while in flight. */
  response: IdempotentResponse | null;
  createdAt: Date;
  completedAt: Date | null;
  expiresAt: Date;
}

/**
 * Which key: keys are unique per team within a scope (e.g. the route, `POST /chat`).
 *
 * @example
 * ```ts
 * const lookup: IdempotencyKeyLookup = { scope: 'POST /chat', key: request.headers.get('idempotency-key')! };
 * ```
 */
export interface IdempotencyKeyLookup {
  scope: string;
  key: string;
}

/**
 * Input of `store.idempotencyKeys.begin`.
 *
 * @example
 * ```ts
 * const input: BeginIdempotencyInput = { scope: 'POST /chat', key, requestHash, ttlMs: 24 * 60 * 60 * 1000 };
 * ```
 */
export interface BeginIdempotencyInput extends IdempotencyKeyLookup {
  /** A hash of the request body, to tell a retry from a different request reusing the key. */
  requestHash: string;
  /** How long the key holds, from now; default 24 hours. */
  ttlMs?: number;
}

/**
 * What `begin` found: `acquired` means this call owns the key now (new, or the old one had
 * expired); `existing` returns the live record someone else began.
 *
 * @example
 * ```ts
 * const result = await store.idempotencyKeys.begin(tenant, input);
 * if (result.outcome === 'existing' && result.record.status === 'in_flight') return conflict();
 * ```
 */
export type BeginIdempotencyResult =
  | { outcome: 'acquired'; record: IdempotencyKeyRecord }
  | { outcome: 'existing'; record: IdempotencyKeyRecord };

/**
 * Input of `store.idempotencyKeys.complete`.
 *
 * @example
 * ```ts
 * const input: CompleteIdempotencyInput = { scope: 'POST /chat', key, response: { status: 200, headers, events } };
 * ```
 */
export interface CompleteIdempotencyInput extends IdempotencyKeyLookup {
  response: IdempotentResponse;
  /** How long the completed key holds, from now; omitted, it keeps the expiry `begin` gave it. */
  ttlMs?: number;
}

const dayMs = 24 * 60 * 60 * 1000;
const lookupSchema = z.object({ scope: z.string().min(1).max(256), key: z.string().min(1).max(256) });
const beginSchema = lookupSchema.extend({
  requestHash: z.string().min(1).max(256),
  ttlMs: z
    .number()
    .int()
    .min(1)
    .max(365 * dayMs)
    .default(dayMs),
});
const headersSchema = z.record(z.string(), z.string());
const completeSchema = lookupSchema.extend({
  ttlMs: beginSchema.shape.ttlMs.unwrap().optional(),
  response: z.union([
    z.object({ status: z.number().int().min(100).max(599), headers: headersSchema, body: z.string() }).strict(),
    z
      .object({
        status: z.number().int().min(100).max(599),
        headers: headersSchema,
        events: z.array(z.object({ id: z.string(), event: z.string(), data: z.string() })),
      })
      .strict(),
  ]),
});

interface IdempotencyKeyRow {
  scope: string;
  key: string;
  user_id: string;
  request_hash: string;
  status: 'in_flight' | 'completed';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  response_events: RecordedServerSentEvent[] | null;
  created_at: Date;
  completed_at: Date | null;
  expires_at: Date;
}

const keyColumns = `scope, key, user_id, request_hash, status, response_status, response_headers, response_body,
  response_events, created_at, completed_at, expires_at`;

function toResponse(row: IdempotencyKeyRow): IdempotentResponse | null {
  if (row.response_status === null) return null;
  const head = { status: Number(row.response_status), headers: row.response_headers ?? {} };
  return row.response_events === null
    ? { ...head, body: row.response_body ?? '' }
    : { ...head, events: row.response_events };
}

function toRecord(row: IdempotencyKeyRow): IdempotencyKeyRecord {
  return {
    scope: row.scope,
    key: row.key,
    userId: row.user_id,
    requestHash: row.request_hash,
    status: row.status,
    response: toResponse(row),
    createdAt: row.created_at,
    completedAt: row.completed_at,
    expiresAt: row.expires_at,
  };
}

/**
 * Claims an idempotency key for the team, atomically: of concurrent callers exactly one gets
 * `acquired`. A key whose `expiresAt` has passed counts as free and is taken over.
 *
 * @example
 * ```ts
 * const result = await beginIdempotencyKey(context, tenant, { scope: 'POST /chat', key, requestHash });
 * ```
 */
export async function beginIdempotencyKey(
  context: StoreContext,
  tenant: Tenant,
  input: BeginIdempotencyInput,
): Promise<BeginIdempotencyResult> {
  const checked = parseStoreInput(beginSchema, input, 'idempotencyKeys.begin');
  const now = context.clock.now();
  return context.asTenant(tenant, async (transaction, { teamId, userId }) => {
    const claimed = await transaction.query<IdempotencyKeyRow>(
      `INSERT INTO idempotency_keys (team_id, user_id, scope, key, request_hash, status, created_at, expires_at)
      VALUES ($1, $2, $3, $4, $5, 'in_flight', $6, $7)
      ON CONFLICT (team_id, scope, key) DO UPDATE SET
        user_id = EXCLUDED.user_id, request_hash = EXCLUDED.request_hash, status = 'in_flight',
        response_status = NULL, response_headers = NULL, response_body = NULL, response_events = NULL,
        created_at = EXCLUDED.created_at, completed_at = NULL, expires_at = EXCLUDED.expires_at
      WHERE idempotency_keys.expires_at <= EXCLUDED.created_at
      RETURNING ${keyColumns}`,
      [teamId, userId, checked.scope, checked.key, checked.requestHash, new Date(now), new Date(now + checked.ttlMs)],
    );
    const acquired = claimed.rows[0];
    if (acquired) return { outcome: 'acquired', record: toRecord(acquired) };
    // The conflicting row is live, and ON CONFLICT has locked it: it cannot vanish before this read.
    const existing = await transaction.query<IdempotencyKeyRow>(
      `SELECT ${keyColumns} FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [checked.scope, checked.key],
    );
    return { outcome: 'existing', record: toRecord(existing.rows[0]!) };
  });
}

/**
 * Stores the response of the request that holds the key and marks it `completed`. Throws
 * `NOT_FOUND` when the team has no in-flight, unexpired key of that name.
 *
 * @example
 * ```ts
 * await completeIdempotencyKey(context, tenant, { scope, key, response: { status: 200, headers, events } });
 * ```
 */
export async function completeIdempotencyKey(
  context: StoreContext,
  tenant: Tenant,
  input: CompleteIdempotencyInput,
): Promise<IdempotencyKeyRecord> {
  const checked = parseStoreInput(completeSchema, input, 'idempotencyKeys.complete');
  const { response } = checked;
  const now = new Date(context.clock.now());
  return context.asTenant(tenant, async (transaction) => {
    const { rows } = await transaction.query<IdempotencyKeyRow>(
      `UPDATE idempotency_keys SET status = 'completed', response_status = $3, response_headers = $4::jsonb,
        response_body = $5, response_events = $6::jsonb, completed_at = $7, expires_at = COALESCE($8, expires_at)
      WHERE scope = $1 AND key = $2 AND status = 'in_flight' AND expires_at > $7
      RETURNING ${keyColumns}`,
      [
        checked.scope,
        checked.key,
        response.status,
        JSON.stringify(response.headers),
        'body' in response ? response.body : null,
        'events' in response ? JSON.stringify(response.events) : null,
        now,
        checked.ttlMs === undefined ? null : new Date(now.getTime() + checked.ttlMs),
      ],
    );
    const row = rows[0];
    if (!row) throw notFound('in-flight idempotency key', `${checked.scope}/${checked.key}`);
    return toRecord(row);
  });
}

/**
 * Reads the team's key, or null when there is none or it has expired.
 *
 * @example
 * ```ts
 * const record = await getIdempotencyKey(context, tenant, { scope: 'POST /chat', key });
 * ```
 */
export async function getIdempotencyKey(
  context: StoreContext,
  tenant: Tenant,
  lookup: IdempotencyKeyLookup,
): Promise<IdempotencyKeyRecord | null> {
  const checked = parseStoreInput(lookupSchema, lookup, 'idempotencyKeys.get');
  const now = new Date(context.clock.now());
  return context.asTenant(tenant, async (transaction) => {
    const { rows } = await transaction.query<IdempotencyKeyRow>(
      `SELECT ${keyColumns} FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at > $3`,
      [checked.scope, checked.key, now],
    );
    const row = rows[0];
    return row ? toRecord(row) : null;
  });
}

/**
 * Deletes the team's keys that expired at or before `now` (default: the store clock's now) and
 * returns how many went.
 *
 * @example
 * ```ts
 * const removed = await purgeExpiredIdempotencyKeys(context, tenant);
 * ```
 */
export async function purgeExpiredIdempotencyKeys(
  context: StoreContext,
  tenant: Tenant,
  now: Date = new Date(context.clock.now()),
): Promise<number> {
  const checkedNow = parseStoreInput(z.date(), now, 'idempotencyKeys.purgeExpired');
  return context.asTenant(tenant, async (transaction) => {
    const { rows } = await transaction.query<{ removed: number }>(
      `WITH removed AS (DELETE FROM idempotency_keys WHERE expires_at <= $1 RETURNING 1)
      SELECT count(*)::int AS removed FROM removed`,
      [checkedNow],
    );
    return rows[0]!.removed;
  });
}
