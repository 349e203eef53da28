/**
 * Where a circuit is for one target: `closed` (calls flow), `open` (calls fail fast until
 * `retryAt`), `half-open` (a few probe calls test the target) or `disabled` (an
 * authentication error stopped it until someone calls `reset`).
 *
 * @example
 * ```ts
 * import type { BreakerState } from '@fragmentkit/core';
 * const healthy = (state: BreakerState) => state === 'closed';
 * ```
 */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'disabled';

/**
 * The complete, resolved settings of a circuit breaker. The breaker passes them with every
 * {@link BreakerStore} call so that a shared store holds state only, never settings.
 *
 * @example
 * ```ts
 * import type { BreakerConfig } from '@fragmentkit/core';
 *
 * const config: BreakerConfig = {
 *   failureThreshold: 5,
 *   windowMs: 60_000,
 *   failureRateThreshold: 0.5,
 *   minimumVolume: 10,
 *   resetTimeoutMs: 30_000,
 *   maxResetTimeoutMs: 300_000,
 *   halfOpenMaxProbes: 1,
 *   successesToClose: 2,
 *   probeTimeoutMs: 120_000,
 * };
 * ```
 */
export interface BreakerConfig {
  /** Failures within the window that open the circuit. */
  failureThreshold: number;
  /** Length of the sliding window of recent results, kept in 60 slices. */
  windowMs: number;
  /** Share of failed calls (0–1) that opens the circuit once `minimumVolume` calls are in the window. */
  failureRateThreshold: number;
  /** Calls in the window below which the failure rate is not trusted. */
  minimumVolume: number;
  /** How long the circuit stays open the first time; doubles with each consecutive open. */
  resetTimeoutMs: number;
  /** Upper bound of the growing open time. */
  maxResetTimeoutMs: number;
  /** Probe calls allowed at once while half-open, across every instance sharing the store. */
  halfOpenMaxProbes: number;
  /** Consecutive probe successes that close the circuit. */
  successesToClose: number;
  /** After this long without a result a probe gives its slot back, so a host that died mid-probe cannot block the target. */
  probeTimeoutMs: number;
}

/**
 * The code and message of the error behind a failure, kept for diagnostics.
 *
 * @example
 * ```ts
 * import type { BreakerErrorSummary } from '@fragmentkit/core';
 * const summary: BreakerErrorSummary = { code: 'PROVIDER_TIMEOUT', message: 'No response within 60 s.' };
 * ```
 */
export interface BreakerErrorSummary {
  code: string;
  message: string;
}

/**
 * What happened to a call, as the breaker hands it to the store:
 * - `success`: the call worked;
 * - `failure`: it counts against the target;
 * - `rate-limited`: the target asked for a pause; the circuit opens for exactly `retryAfterMs`;
 * - `disable`: the target cannot work until someone fixes it (bad credentials);
 * - `ignore`: the call says nothing about the target's health; only a probe slot is given back.
 *
 * @example
 * ```ts
 * import type { BreakerOutcome } from '@fragmentkit/core';
 * const outcome: BreakerOutcome = { type: 'rate-limited', retryAfterMs: 20_000 };
 * ```
 */
export type BreakerOutcome =
  | { type: 'success' }
  | { type: 'failure'; error?: BreakerErrorSummary }
  | { type: 'rate-limited'; retryAfterMs: number; error?: BreakerErrorSummary }
  | { type: 'disable'; error?: BreakerErrorSummary }
  | { type: 'ignore' };

/**
 * Proof of admission that a store hands out with a permitted call and takes back with its
 * result. A `call` ticket counts only while the circuit is still in the closed period
 * (`generation`) it was issued in; a `probe` ticket only while its probe slot is live. Late
 * results of older calls thereby never move a circuit that has moved on.
 *
 * @example
 * ```ts
 * import type { BreakerTicket } from '@fragmentkit/core';
 * const ticket: BreakerTicket = { kind: 'probe', probeId: '7' };
 * ```
 */
export type BreakerTicket = { kind: 'call'; generation: number } | { kind: 'probe'; probeId: string };

/**
 * The state of one target's circuit at a moment.
 *
 * @example
 * ```ts
 * import type { BreakerTargetSnapshot } from '@fragmentkit/core';
 *
 * function describe(snapshot: BreakerTargetSnapshot): string {
 *   return `${snapshot.target}: ${snapshot.state}, ${snapshot.failures}/${snapshot.calls} failed`;
 * }
 * ```
 */
export interface BreakerTargetSnapshot {
  target: string;
  state: BreakerState;
  /** Failed calls in the window. */
  failures: number;
  /** Calls with a counted result (success or failure) in the window. */
  calls: number;
  /** `failures / calls`, 0 without calls. */
  failureRate: number;
  /** When the circuit last opened (or was disabled); unset while closed. */
  openedAt: number | undefined;
  /**
   * When the target admits a call again: the end of the open period, or, while half-open with
   * every probe slot taken, when the oldest probe's slot expires. Unset when it admits calls now,
   * and while disabled.
   */
  retryAt: number | undefined;
  /** Opens caused by failures since the circuit was last fully closed; drives the growing open time. */
  consecutiveOpens: number;
  /** Probe calls in flight while half-open. */
  probesInFlight: number;
  /** Probe successes counted towards `successesToClose`. */
  probeSuccesses: number;
  /** The error behind the latest counted failure, rate limit or disable. */
  lastError: BreakerErrorSummary | undefined;
}

/**
 * The answer of {@link BreakerStore.tryAcquire}: a ticket when the call may go ahead, and the
 * target's state either way.
 *
 * @example
 * ```ts
 * import type { BreakerAcquisition } from '@fragmentkit/core';
 *
 * function retryAt(acquisition: BreakerAcquisition): number | undefined {
 *   return acquisition.allowed ? undefined : acquisition.snapshot.retryAt;
 * }
 * ```
 */
export type BreakerAcquisition =
  | { allowed: true; ticket: BreakerTicket; snapshot: BreakerTargetSnapshot }
  | { allowed: false; snapshot: BreakerTargetSnapshot };

/**
 * Where circuit state lives. Every method is one atomic step that applies the breaker's
 * transitions inside the store, so several host instances sharing a store (Redis) see one
 * circuit per target and together never run more than `halfOpenMaxProbes` probes. `now` is
 * the caller's clock; stores never read time themselves.
 *
 * Implementations: {@link createMemoryBreakerStore} (default, one process) and
 * `createRedisBreakerStore` from `@fragmentkit/core/redis`.
 *
 * @example
 * ```ts
 * import { createCircuitBreaker, createMemoryBreakerStore } from '@fragmentkit/core';
 *
 * const store = createMemoryBreakerStore();
 * const breaker = createCircuitBreaker({ store });
 * ```
 */
export interface BreakerStore {
  /** Admits a call (closed), a probe (half-open with a free slot), or nothing. Moves a due open circuit to half-open. */
  tryAcquire(target: string, now: number, config: BreakerConfig): Promise<BreakerAcquisition>;
  /** Applies the outcome of the call `ticket` admitted and answers the resulting state. */
  recordResult(
    target: string,
    ticket: BreakerTicket,
    outcome: BreakerOutcome,
    now: number,
    config: BreakerConfig,
  ): Promise<BreakerTargetSnapshot>;
  /** The state at `now`, without changing anything. */
  get(target: string, now: number, config: BreakerConfig): Promise<BreakerTargetSnapshot>;
  /** Closes the circuit and forgets its history; tickets issued before are ignored afterwards. */
  reset(target: string, now: number, config: BreakerConfig): Promise<BreakerTargetSnapshot>;
}
