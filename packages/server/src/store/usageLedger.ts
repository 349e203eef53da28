import { z } from 'zod';
import type { StoreContext } from './storeContext.js';
import { parseStoreInput } from './storeInput.js';
import type { Tenant } from './tenantTransaction.js';

/**
 * Input of `store.recordUsage`: what one model call cost. Token counts follow the core
 * `Usage` type: `inputTokens` excludes cache reads and writes.
 *
 * @example
 * ```ts
 * const input: RecordUsageInput = {
 *   requestId, provider: 'anthropic', model: 'claude-sonnet-4-5',
 *   inputTokens: 1200, outputTokens: 340, cachedInputTokens: 0, cacheWriteTokens: 0, costUsd: 0.0087,
 * };
 * ```
 */
export interface RecordUsageInput {
  requestId: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

/**
 * One entry of the usage ledger.
 *
 * @example
 * ```ts
 * const entry: UsageRecord = await store.recordUsage(tenant, input);
 * console.log(entry.costUsd);
 * ```
 */
export interface UsageRecord extends RecordUsageInput {
  id: string;
  userId: string;
  createdAt: Date;
}

/**
 * Input of `store.usageTotals`.
 *
 * @example
 * ```ts
 * const startOfMonth = new Date(Date.UTC(2025, 0, 1));
 * const input: UsageTotalsInput = { since: startOfMonth, userId: 'user-1' };
 * ```
 */
export interface UsageTotalsInput {
  /** Counts entries recorded at or after this instant. */
  since: Date;
  /** Only this user's entries; the whole team's when absent. */
  userId?: string;
}

/**
 * Sums over the usage ledger, for quotas and billing.
 *
 * @example
 * ```ts
 * const totals: UsageTotals = await store.usageTotals(tenant, { since });
 * if (totals.costUsd > monthlyBudgetUsd) throw new Error('over budget');
 * ```
 */
export interface UsageTotals {
  /** Distinct request ids: a request that fell back to another provider counts once. */
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

const tokenCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const recordUsageSchema = z.object({
  requestId: z.string().min(1).max(256),
  provider: z.string().min(1).max(128),
  model: z.string().min(1).max(256),
  inputTokens: tokenCount,
  outputTokens: tokenCount,
  cachedInputTokens: tokenCount,
  cacheWriteTokens: tokenCount,
  costUsd: z.number().min(0).max(1e9),
});
const usageTotalsSchema = z.object({
  since: z.date(),
  userId: z.string().min(1).max(256).optional(),
});

interface UsageRow {
  id: string;
  user_id: string;
  request_id: string;
  provider: string;
  model: string;
  input_tokens: number | string;
  output_tokens: number | string;
  cached_input_tokens: number | string;
  cache_write_tokens: number | string;
  cost_usd: number;
  created_at: Date;
}

/**
 * Adds what one model call cost to the ledger. Entries are append-only: the app role may
 * insert and read them, never change them.
 *
 * @example
 * ```ts
 * await recordUsage(context, tenant, { requestId, provider, model, ...usage, cachedInputTokens: 0, cacheWriteTokens: 0, costUsd });
 * ```
 */
export async function recordUsage(
  context: StoreContext,
  tenant: Tenant,
  input: RecordUsageInput,
): Promise<UsageRecord> {
  const checked = parseStoreInput(recordUsageSchema, input, 'recordUsage');
  const now = new Date(context.clock.now());
  return context.asTenant(tenant, async (transaction, { teamId, userId }) => {
    const { rows } = await transaction.query<UsageRow>(
      `INSERT INTO usage_ledger (team_id, user_id, request_id, provider, model, input_tokens, output_tokens,
        cached_input_tokens, cache_write_tokens, cost_usd, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      RETURNING id, user_id, request_id, provider, model, input_tokens, output_tokens, cached_input_tokens,
        cache_write_tokens, cost_usd::float8 AS cost_usd, created_at`,
      [
        teamId,
        userId,
        checked.requestId,
        checked.provider,
        checked.model,
        checked.inputTokens,
        checked.outputTokens,
        checked.cachedInputTokens,
        checked.cacheWriteTokens,
        checked.costUsd,
        now,
      ],
    );
    const row = rows[0]!;
    return {
      id: row.id,
      userId: row.user_id,
      requestId: row.request_id,
      provider: row.provider,
      model: row.model,
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      cachedInputTokens: Number(row.cached_input_tokens),
      cacheWriteTokens: Number(row.cache_write_tokens),
      costUsd: Number(row.cost_usd),
      createdAt: row.created_at,
    };
  });
}

/**
 * Sums the team's (or one user's) usage since an instant, e.g. the start of the billing
 * period, for quota checks.
 *
 * @example
 * ```ts
 * const { outputTokens } = await usageTotals(context, tenant, { since: startOfDay, userId: tenant.userId });
 * ```
 */
export async function usageTotals(
  context: StoreContext,
  tenant: Tenant,
  input: UsageTotalsInput,
): Promise<UsageTotals> {
  const checked = parseStoreInput(usageTotalsSchema, input, 'usageTotals');
  return context.asTenant(tenant, async (transaction) => {
    const { rows } = await transaction.query<Record<keyof UsageTotals, number>>(
      `SELECT count(DISTINCT request_id)::float8 AS "requests",
        coalesce(sum(input_tokens), 0)::float8 AS "inputTokens",
        coalesce(sum(output_tokens), 0)::float8 AS "outputTokens",
        coalesce(sum(cached_input_tokens), 0)::float8 AS "cachedInputTokens",
        coalesce(sum(cache_write_tokens), 0)::float8 AS "cacheWriteTokens",
        coalesce(sum(cost_usd), 0)::float8 AS "costUsd"
      FROM usage_ledger
      WHERE created_at >= $1 AND ($2::text IS NULL OR user_id = $2)`,
      [checked.since, checked.userId ?? null],
    );
    const row = rows[0]!;
    return {
      requests: row.requests,
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      cachedInputTokens: row.cachedInputTokens,
      cacheWriteTokens: row.cacheWriteTokens,
      costUsd: row.costUsd,
    };
  });
}
