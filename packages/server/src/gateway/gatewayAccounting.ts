import type { Usage } from '@fragmentkit/core';
import type { Caller } from '../auth/caller.js';
import { type ChatQuota, type CostFunction, quotaExceeded, totalTokens } from '../chatQuota.js';
import type { FragmentkitLogger } from '../logger.js';
import type { FragmentStore } from '../store/fragmentStore.js';

/**
 * Who answered a completion and what it consumed.
 *
 * @example
 * ```ts
 * const answered: AnsweredBy = { provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 12, outputTokens: 30 } };
 * ```
 */
export interface AnsweredBy {
  provider: string;
  model: string;
  usage: Usage;
}

/**
 * The server's cost control for gateway requests, the same as for chats: the quota is checked
 * before the router runs and charged with what the answering target consumed, priced with
 * `costOf`; the store's usage ledger gets one entry per answer.
 *
 * @example
 * ```ts
 * await accounting.check(caller);
 * // ... the router answers ...
 * await accounting.record(caller, requestId, { provider, model, usage });
 * ```
 */
export interface GatewayAccounting {
  /** @throws FragmentkitError `QUOTA_EXCEEDED` when the caller's quota is used up. */
  check(caller: Caller): Promise<void>;
  /** Charges an answer; failures are logged, never thrown, as the answer is already the caller's. */
  record(caller: Caller, requestId: string, answered: AnsweredBy): Promise<void>;
}

/**
 * Options of {@link createGatewayAccounting}: the server's own `quota`, `costOf` and `store`.
 *
 * @example
 * ```ts
 * const options: GatewayAccountingOptions = { quota, costOf, store, logger };
 * ```
 */
export interface GatewayAccountingOptions {
  quota: ChatQuota | undefined;
  costOf: CostFunction | undefined;
  store: FragmentStore | undefined;
  logger: FragmentkitLogger;
}

/**
 * Creates the gateway's {@link GatewayAccounting}. An answer that consumed no tokens (a cache
 * hit) is not charged.
 *
 * @example
 * ```ts
 * const accounting = createGatewayAccounting({ quota: config.quota, costOf: config.costOf, store: config.store, logger });
 * ```
 */
export function createGatewayAccounting(options: GatewayAccountingOptions): GatewayAccounting {
  const { quota, costOf, store, logger } = options;
  const tenantOf = ({ auth }: Caller) => ({ userId: auth.userId, teamId: auth.teamId });

  return {
    async check(caller) {
      if (!quota) return;
      const decision = await quota.check(tenantOf(caller));
      if (!decision.allowed) throw quotaExceeded(decision, Date.now());
    },
    async record(caller, requestId, { provider, model, usage }) {
      const tokens = totalTokens(usage);
      if (tokens === 0) return;
      const tenant = tenantOf(caller);
      const usd = costOf?.(usage, { provider, modelId: model });
      const logFailure = (operation: string) => (error: unknown) =>
        logger.error(
          { requestId, operation, errorMessage: error instanceof Error ? error.message : String(error) },
          'fragmentkit could not record the usage of a gateway answer',
        );
      await quota?.record(tenant, { tokens, ...(usd === undefined ? {} : { usd }) }).catch(logFailure('quota.record'));
      await store
        ?.recordUsage(tenant, {
          requestId,
          provider,
          model,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          cachedInputTokens: usage.cachedInputTokens ?? 0,
          cacheWriteTokens: usage.cacheWriteTokens ?? 0,
          costUsd: usd ?? 0,
        })
        .catch(logFailure('usage'));
    },
  };
}
