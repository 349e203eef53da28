import { z } from 'zod';
import type { StoreContext } from './storeContext.js';
import { parseStoreInput } from './storeInput.js';

/**
 * What a retention purge removed.
 *
 * @example
 * ```ts
 * const { conversations, idempotencyKeys }: PurgeResult = await store.purgeExpired(new Date());
 * logger.info(`purged ${conversations} conversations, ${idempotencyKeys} idempotency keys`);
 * ```
 */
export interface PurgeResult {
  /** Conversations untouched for longer than the retention period, deleted with their content. */
  conversations: number;
  /** Idempotency keys past their expiry. */
  idempotencyKeys: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Deletes, across all teams, the conversations whose last update is more than `retentionDays`
 * before `now` (their messages, fragments and executions go with them) and the idempotency keys
 * that have expired. It runs as the connecting role with the maintenance setting, not as a
 * tenant; run it from a scheduled job.
 *
 * @example
 * ```ts
 * setInterval(() => void purgeExpired(context, 90, new Date()), 60 * 60 * 1000);
 * ```
 */
export async function purgeExpired(context: StoreContext, retentionDays: number, now: Date): Promise<PurgeResult> {
  const checkedNow = parseStoreInput(z.date(), now, 'purgeExpired');
  const cutoff = new Date(checkedNow.getTime() - retentionDays * dayMs);
  return context.asMaintenance(async (transaction) => {
    const conversations = await transaction.query<{ removed: number }>(
      `WITH removed AS (DELETE FROM conversations WHERE updated_at < $1 RETURNING 1)
      SELECT count(*)::int AS removed FROM removed`,
      [cutoff],
    );
    const idempotencyKeys = await transaction.query<{ removed: number }>(
      `WITH removed AS (DELETE FROM idempotency_keys WHERE expires_at <= $1 RETURNING 1)
      SELECT count(*)::int AS removed FROM removed`,
      [checkedNow],
    );
    return { conversations: conversations.rows[0]!.removed, idempotencyKeys: idempotencyKeys.rows[0]!.removed };
  });
}
