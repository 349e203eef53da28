import { type Clock, createStoreFailover, FragmentkitError, systemClock } from '@fragmentkit/core';
import type { FragmentkitLogger } from '../logger.js';
import { createMemoryRateLimitStore } from './memoryRateLimitStore.js';
import {
  type RateLimitAlgorithm,
  type RateLimitPolicy,
  type RateLimitRule,
  type RateLimitSubject,
  resolveLimit,
  validatePolicies,
} from './rateLimitPolicy.js';
import type { RateLimitConsumption, RateLimitRequest, RateLimitStore, RateLimitUsage } from './rateLimitStore.js';

/**
 * How one policy judged a request.
 *
 * @example
 * ```ts
 * const daily = decision.policies.find((policy) => policy.name === 'daily');
 * console.log(`${daily?.remaining} of ${daily?.limit} left today`);
 * ```
 */
export interface RateLimitPolicyResult {
  name: string;
  algorithm: RateLimitAlgorithm;
  /** The policy's key for this subject, e.g. `user:42`. */
  key: string;
  /** The limit that applied to this subject. */
  limit: number;
  windowMs: number;
  allowed: boolean;
  /** Whole units left after this request (nothing is used up when the request was denied). */
  remaining: number;
  /** Milliseconds until the full limit is available again; 0 when it is. */
  resetMs: number;
  /** When this policy denied: milliseconds until the same cost fits. */
  retryAfterMs?: number;
}

/**
 * The answer of {@link RateLimiter.check}.
 *
 * @example
 * ```ts
 * const decision = await limiter.check({ ip, userId, plan });
 * if (!decision.allowed) return rateLimitedResponse(decision);
 * ```
 */
export interface RateLimitDecision {
  /** True when every applicable policy admitted the request (also when none applies). */
  allowed: boolean;
  /** Each policy that applies to the subject, in the order they were configured. */
  policies: RateLimitPolicyResult[];
  /** When denied: milliseconds until every denying policy admits the same cost. */
  retryAfterMs?: number;
  /** True when the store failed and this instance's in-memory insurance decided at least one policy. */
  fromFallback: boolean;
}

/**
 * Options of {@link RateLimiter.check}.
 *
 * @example
 * ```ts
 * await limiter.check(subject, { cost: 3 }); // e.g. a request that runs three generations
 * ```
 */
export interface RateLimitCheckOptions {
  /** Units the request uses under every policy: a whole number from 1 to each applicable limit. Default 1. */
  cost?: number;
}

/**
 * What failed in the store, as reported to `onStoreError`.
 *
 * @example
 * ```ts
 * const onStoreError = (error: unknown, context: RateLimitStoreErrorContext) =>
 *   metrics.increment('rate_limit_store_errors', { operation: context.operation, policy: context.policy });
 * ```
 */
export interface RateLimitStoreErrorContext {
  operation: 'consume' | 'refund';
  policy: string;
  key: string;
}

/**
 * Counters of one limiter since it was created.
 *
 * @example
 * ```ts
 * const { fallbackDecisions } = limiter.getMetrics();
 * gauge.set('rate_limit_fallback_decisions', fallbackDecisions);
 * ```
 */
export interface RateLimiterMetrics {
  checks: number;
  allowed: number;
  denied: number;
  /** Checks decided at least in part by the in-memory insurance because the store failed. */
  fallbackDecisions: number;
  /** Failed store calls. */
  storeErrors: number;
}

/**
 * Options of {@link createRateLimiter}.
 *
 * @example
 * ```ts
 * import { createRateLimiter, tieredDailyPolicies, type RateLimiterOptions } from '@fragmentkit/server';
 *
 * const options: RateLimiterOptions = { policies: tieredDailyPolicies({ guest: 10, free: 50, pro: 200 }) };
 * const limiter = createRateLimiter(options);
 * ```
 */
export interface RateLimiterOptions {
  policies: readonly RateLimitPolicy[];
  /** Where counters live. Default: a new {@link createMemoryRateLimitStore} (one process only). */
  store?: RateLimitStore;
  /** Default {@link systemClock}. */
  clock?: Clock;
  /**
   * Gets one warning when the store starts failing (then this instance limits in memory on
   * its own) and one info line when it answers again. Default: the warning goes to `console.warn`.
   */
  logger?: FragmentkitLogger;
  /** Called for every failed store call, e.g. to count them in your metrics. Must not throw. */
  onStoreError?: (error: unknown, context: RateLimitStoreErrorContext) => void;
}

/**
 * Checks requests against rate limit policies. See {@link createRateLimiter}.
 *
 * @example
 * ```ts
 * const decision = await limiter.check({ ip: '203.0.113.7' });
 * ```
 */
export interface RateLimiter {
  /**
   * Checks the request against every policy that applies to `subject` and, when all of them
   * admit it, uses `cost` units of each. A denied request uses nothing.
   *
   * @throws FragmentkitError `INVALID_REQUEST` when `cost` is not a whole number from 1 to the
   * limit of each applicable policy (such a request could never be admitted).
   */
  check(subject: RateLimitSubject, options?: RateLimitCheckOptions): Promise<RateLimitDecision>;
  /** Counters since creation; a new object on every call. */
  getMetrics(): RateLimiterMetrics;
}

type OutageLogger = Pick<FragmentkitLogger, 'info' | 'warn'>;

const consoleWarnings: OutageLogger = {
  info() {},
  warn(fields, message) {
    console.warn(`[fragmentkit] ${message ?? ''}`, fields);
  },
};

interface ApplicablePolicy {
  policy: RateLimitPolicy;
  key: string;
  storeKey: string;
  rule: RateLimitRule;
}

interface PolicyOutcome extends ApplicablePolicy {
  consumption: RateLimitConsumption;
  fromFallback: boolean;
}

/**
 * Creates a {@link RateLimiter}. Each applicable policy is checked and consumed atomically in
 * the store (policies run in parallel). When one policy denies, the units the others took are
 * refunded, so a denied request uses nothing; until that refund lands (one store round trip)
 * a concurrent request may see those units as used, which errs towards denying, never towards
 * admitting more than a limit.
 *
 * When the store fails (Redis unreachable), this instance limits with an in-memory insurance
 * store and tries the store again on every check, going back to it as soon as it answers. During
 * an outage each instance enforces the limits on its own (N instances admit up to N times a
 * limit), and what the insurance counted is not copied back. `getMetrics().fallbackDecisions`
 * counts the checks it decided; the logger gets one warning per outage.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when a policy is invalid (see {@link RateLimitPolicy}).
 *
 * @example
 * ```ts
 * import { createRateLimiter, rateLimitHeaders, rateLimitedResponse, tieredDailyPolicies } from '@fragmentkit/server';
 *
 * const limiter = createRateLimiter({
 *   policies: [
 *     ...tieredDailyPolicies({ guest: 10, free: 50, pro: 200 }),
 *     { name: 'burst', algorithm: 'token-bucket', limit: 5, windowMs: 60_000, key: (subject) => subject.ip ?? null },
 *   ],
 * });
 *
 * const decision = await limiter.check({ ip: clientIp, userId: session?.userId, plan: session?.plan });
 * if (!decision.allowed) return rateLimitedResponse(decision);
 * const response = await handle(request);
 * for (const [name, value] of Object.entries(rateLimitHeaders(decision))) response.headers.set(name, value);
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const policies = [...options.policies];
  validatePolicies(policies);
  const store = options.store ?? createMemoryRateLimitStore();
  const clock = options.clock ?? systemClock;
  const logger: OutageLogger = options.logger ?? consoleWarnings;
  const metrics: RateLimiterMetrics = { checks: 0, allowed: 0, denied: 0, fallbackDecisions: 0, storeErrors: 0 };

  const failover = createStoreFailover<RateLimitStore, RateLimitStoreErrorContext>({
    primary: store,
    createFallback: () => createMemoryRateLimitStore(),
    onFailure(error, { context, outageStarted }) {
      metrics.storeErrors += 1;
      options.onStoreError?.(error, context);
      if (outageStarted) {
        logger.warn(
          { policy: context.policy, operation: context.operation, errorMessage: messageOf(error) },
          'The rate limit store failed; this instance limits requests in memory until the store answers again.',
        );
      }
    },
    onRecovery(context) {
      logger.info({ policy: context.policy }, 'The rate limit store answers again; shared limits apply again.');
    },
  });

  function applicablePolicies(subject: RateLimitSubject, cost: number): ApplicablePolicy[] {
    return policies.flatMap((policy) => {
      const key = policy.key(subject);
      if (key === null) return [];
      const limit = resolveLimit(policy, subject);
      if (cost > limit) {
        throw new FragmentkitError(
          'INVALID_REQUEST',
          `A request costing ${cost} can never fit the rate limit "${policy.name}" of ${limit}; lower its cost.`,
          { details: { policy: policy.name, cost, limit } },
        );
      }
      return [
        {
          policy,
          key,
          storeKey: `${policy.name}:${key}`,
          rule: { algorithm: policy.algorithm, limit, windowMs: policy.windowMs },
        },
      ];
    });
  }

  async function consume(applicable: ApplicablePolicy, request: RateLimitRequest): Promise<PolicyOutcome> {
    const { result, fromFallback } = await failover.run(
      { operation: 'consume', policy: applicable.policy.name, key: applicable.key },
      (current) => current.consume(applicable.storeKey, applicable.rule, request),
    );
    return { ...applicable, consumption: result, fromFallback };
  }

  /** Gives a denied request's units back to the store that took them; undefined when it cannot. */
  async function refund(outcome: PolicyOutcome, request: RateLimitRequest): Promise<RateLimitUsage | undefined> {
    const { storeKey, rule } = outcome;
    if (outcome.fromFallback && failover.fallback) return failover.fallback.refund(storeKey, rule, request);
    // Through the failover so that a failure is reported like any other, but never refunded
    // to the insurance store, which did not take these units.
    const { result } = await failover.run(
      { operation: 'refund', policy: outcome.policy.name, key: outcome.key },
      async (current) => (current === store ? current.refund(storeKey, rule, request) : undefined),
    );
    return result;
  }

  return {
    async check(subject, checkOptions = {}) {
      const cost = checkOptions.cost ?? 1;
      if (!Number.isSafeInteger(cost) || cost < 1) {
        const message = `A rate limit cost must be a whole number of at least 1; got ${cost}.`;
        throw new FragmentkitError('INVALID_REQUEST', message, { details: { cost } });
      }
      const applicable = applicablePolicies(subject, cost);
      const request: RateLimitRequest = { id: crypto.randomUUID(), cost, now: clock.now() };
      const outcomes = await Promise.all(applicable.map((entry) => consume(entry, request)));
      const allowed = outcomes.every((outcome) => outcome.consumption.allowed);
      const results = await Promise.all(
        outcomes.map(async (outcome): Promise<RateLimitPolicyResult> => {
          const { consumption } = outcome;
          const usage = consumption.allowed && !allowed ? await refund(outcome, request) : undefined;
          return {
            name: outcome.policy.name,
            algorithm: outcome.rule.algorithm,
            key: outcome.key,
            limit: outcome.rule.limit,
            windowMs: outcome.rule.windowMs,
            allowed: consumption.allowed,
            remaining: usage?.remaining ?? consumption.remaining,
            resetMs: usage?.resetMs ?? consumption.resetMs,
            ...(consumption.allowed ? {} : { retryAfterMs: consumption.retryAfterMs }),
          };
        }),
      );

      const fromFallback = outcomes.some((outcome) => outcome.fromFallback);
      metrics.checks += 1;
      metrics[allowed ? 'allowed' : 'denied'] += 1;
      if (fromFallback) metrics.fallbackDecisions += 1;
      const decision: RateLimitDecision = { allowed, policies: results, fromFallback };
      if (!allowed) decision.retryAfterMs = Math.max(...results.map((result) => result.retryAfterMs ?? 0));
      return decision;
    },
    getMetrics: () => ({ ...metrics }),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
