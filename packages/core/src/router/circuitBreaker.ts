import { FragmentkitError } from '../errors.js';
import type {
  BreakerConfig,
  BreakerErrorSummary,
  BreakerOutcome,
  BreakerStore,
  BreakerTargetSnapshot,
  BreakerTicket,
} from './breakerStore.js';
import { createMemoryBreakerStore } from './breakerStoreMemory.js';
import { type BreakerErrorClass, classifyBreakerError, readRetryAfterMs } from './circuitBreakerClassify.js';
import { type Clock, systemClock } from './clock.js';

/**
 * The settings of {@link createCircuitBreaker} that have defaults.
 *
 * @example
 * ```ts
 * import { createCircuitBreaker, defaultBreakerConfig } from '@fragmentkit/core';
 * const breaker = createCircuitBreaker({ ...defaultBreakerConfig, successesToClose: 1 });
 * ```
 */
export const defaultBreakerConfig: Readonly<BreakerConfig> = Object.freeze({
  failureThreshold: 5,
  windowMs: 60_000,
  failureRateThreshold: 0.5,
  minimumVolume: 10,
  resetTimeoutMs: 30_000,
  maxResetTimeoutMs: 300_000,
  halfOpenMaxProbes: 1,
  successesToClose: 2,
  probeTimeoutMs: 120_000,
});

/**
 * The {@link BreakerStore} method that failed, as reported to `onStoreError`.
 *
 * @example
 * ```ts
 * import type { BreakerStoreOperation } from '@fragmentkit/core';
 * const writes: BreakerStoreOperation[] = ['tryAcquire', 'recordResult', 'reset'];
 * ```
 */
export type BreakerStoreOperation = 'tryAcquire' | 'recordResult' | 'get' | 'reset';

/**
 * Options of {@link createCircuitBreaker}. Every {@link BreakerConfig} field is optional here
 * and defaults to {@link defaultBreakerConfig}.
 *
 * @example
 * ```ts
 * import { createCircuitBreaker, type CircuitBreakerOptions } from '@fragmentkit/core';
 *
 * const options: CircuitBreakerOptions = { failureThreshold: 3, resetTimeoutMs: 10_000 };
 * const breaker = createCircuitBreaker(options);
 * ```
 */
export interface CircuitBreakerOptions extends Partial<BreakerConfig> {
  /** Where circuit state lives. Defaults to a new {@link createMemoryBreakerStore}; pass a Redis store to share it between instances. */
  store?: BreakerStore;
  /** Defaults to {@link systemClock}. */
  clock?: Clock;
  /** Decides how an error counts. Defaults to {@link classifyBreakerError}. Must not throw. */
  classify?: (error: unknown) => BreakerErrorClass;
  /**
   * Called when the store fails (e.g. Redis is unreachable). The breaker then serves that one
   * call from an in-memory store of its own and tries the store again on the next call, so a
   * store outage never fails a request. Without this option the breaker logs one
   * `console.warn` per outage. Configure a command timeout on a network store (ioredis
   * `commandTimeout`) so a slow store fails fast instead of delaying requests.
   */
  onStoreError?: (error: unknown, context: { operation: BreakerStoreOperation; target: string }) => void;
}

/**
 * Admission for one call through a circuit. Report how the call ended with exactly one of
 * `success()` or `failure(error)`; only the first report counts, later ones do nothing.
 *
 * @example
 * ```ts
 * const permit = await breaker.acquire('anthropic:claude-sonnet-4-5');
 * try {
 *   const answer = await callModel();
 *   await permit.success();
 *   return answer;
 * } catch (error) {
 *   await permit.failure(error);
 *   throw error;
 * }
 * ```
 */
export interface BreakerPermit {
  readonly target: string;
  /** True when this call is one of the half-open probes that decide whether the circuit closes. */
  readonly isProbe: boolean;
  success(): Promise<void>;
  /** Classifies `error` (see {@link CircuitBreakerOptions.classify}) and records it. */
  failure(error: unknown): Promise<void>;
}

/**
 * What a circuit breaker instance knows: the latest state of each target it has touched.
 * A new object after every change, never mutated.
 *
 * @example
 * ```ts
 * const open = Object.values(breaker.getSnapshot().targets).filter((target) => target.state !== 'closed');
 * ```
 */
export interface BreakerSnapshot {
  readonly targets: Readonly<Record<string, Readonly<BreakerTargetSnapshot>>>;
}

/**
 * A circuit breaker over many targets (e.g. `anthropic:claude-sonnet-4-5`). Each target's
 * circuit opens after too many failures in a window or too high a failure rate, stays open for
 * a growing time, then lets a few probe calls decide whether it closes again. See
 * {@link createCircuitBreaker}.
 */
export interface CircuitBreaker {
  /**
   * Admits a call to `target`.
   *
   * @throws FragmentkitError `PROVIDER_UNAVAILABLE` (retryable, `details: { target, state, retryAt, retryAfterMs }`)
   * when the circuit is open or every half-open probe slot is taken; `PROVIDER_AUTH` when an
   * authentication error disabled the target.
   */
  acquire(target: string): Promise<BreakerPermit>;
  /** Reads the target's current state from the store (shared state included) and updates the snapshot. */
  getState(target: string): Promise<BreakerTargetSnapshot>;
  /** The latest state of each target seen through this instance; stable until the next change. */
  getSnapshot(): BreakerSnapshot;
  /** Calls `listener` after every change to {@link CircuitBreaker.getSnapshot}. @returns a function that unsubscribes. */
  subscribe(listener: () => void): () => void;
  /** Closes the target's circuit and forgets its history, e.g. after fixing a disabled target's credentials. */
  reset(target: string): Promise<void>;
  /**
   * The earliest time at which one of `targets` admits a call, from the snapshot: a target's
   * `retryAt`, or now for a target that admits calls already. Disabled targets are skipped;
   * `undefined` when every target is disabled.
   */
  earliestRetryAt(targets: readonly string[]): number | undefined;
}

const maxErrorMessageLength = 500;

/**
 * Creates a {@link CircuitBreaker}. Defaults: opens after 5 failures within 60 s, or at a
 * failure rate of 50% once 10 calls are in the window; stays open 30 s, doubling on each
 * consecutive open up to 5 min; then admits 1 probe at a time and closes after 2 probe
 * successes in a row. A 429 with `retryAfterMs` opens the circuit for exactly that long; a
 * 401/403 disables the target until {@link CircuitBreaker.reset}.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when an option is out of range.
 *
 * @example
 * ```ts
 * import { createCircuitBreaker } from '@fragmentkit/core';
 * import { createRedisBreakerStore } from '@fragmentkit/core/redis';
 * import { Redis } from 'ioredis';
 *
 * const breaker = createCircuitBreaker({
 *   store: createRedisBreakerStore(new Redis(process.env.REDIS_URL!)),
 *   onStoreError: (error) => logger.warn({ error }, 'breaker store down; using local state'),
 * });
 *
 * const permit = await breaker.acquire('anthropic:claude-sonnet-4-5'); // throws while open
 * try {
 *   const answer = await callModel();
 *   await permit.success();
 *   return answer;
 * } catch (error) {
 *   await permit.failure(error);
 *   throw error;
 * }
 * ```
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const config = resolveConfig(options);
  const store = options.store ?? createMemoryBreakerStore();
  const clock = options.clock ?? systemClock;
  const classify = options.classify ?? classifyBreakerError;
  const listeners = new Set<() => void>();
  let snapshot: BreakerSnapshot = Object.freeze({ targets: Object.freeze({}) });
  let fallbackStore: BreakerStore | undefined;
  let storeHealthy = true;

  function reportStoreError(error: unknown, operation: BreakerStoreOperation, target: string): void {
    if (options.onStoreError) {
      options.onStoreError(error, { operation, target });
    } else if (storeHealthy) {
      console.warn(
        `[fragmentkit] The circuit breaker store failed (${operation} ${target}); using in-memory state until it answers again.`,
        error,
      );
    }
    storeHealthy = false;
  }

  /** Runs one store operation, on the in-memory fallback when the store fails. */
  async function withStore<T>(
    operation: BreakerStoreOperation,
    target: string,
    run: (store: BreakerStore) => Promise<T>,
  ): Promise<{ result: T; fromFallback: boolean }> {
    try {
      const result = await run(store);
      storeHealthy = true;
      return { result, fromFallback: false };
    } catch (error) {
      reportStoreError(error, operation, target);
      fallbackStore ??= createMemoryBreakerStore();
      return { result: await run(fallbackStore), fromFallback: true };
    }
  }

  function publish(target: BreakerTargetSnapshot): void {
    const previous = snapshot.targets[target.target];
    if (previous && sameTargetSnapshot(previous, target)) return;
    const entry = Object.freeze({ ...target, lastError: target.lastError && Object.freeze({ ...target.lastError }) });
    snapshot = Object.freeze({ targets: Object.freeze({ ...snapshot.targets, [target.target]: entry }) });
    for (const listener of [...listeners]) listener();
  }

  function createPermit(target: string, ticket: BreakerTicket, fromFallback: boolean): BreakerPermit {
    let reported = false;
    async function report(outcomeOf: () => BreakerOutcome): Promise<void> {
      if (reported) return;
      reported = true;
      const outcome = outcomeOf();
      const now = clock.now();
      // A ticket means something only to the store that issued it.
      const result =
        fromFallback && fallbackStore
          ? await fallbackStore.recordResult(target, ticket, outcome, now, config)
          : (
              await withStore('recordResult', target, (current) =>
                current.recordResult(target, ticket, outcome, now, config),
              )
            ).result;
      publish(result);
    }
    return {
      target,
      isProbe: ticket.kind === 'probe',
      success: () => report(() => ({ type: 'success' })),
      failure: (error: unknown) => report(() => toOutcome(classify(error), error)),
    };
  }

  return {
    async acquire(target) {
      const now = clock.now();
      const { result, fromFallback } = await withStore('tryAcquire', target, (current) =>
        current.tryAcquire(target, now, config),
      );
      publish(result.snapshot);
      if (!result.allowed) throw deniedError(result.snapshot, now, config);
      return createPermit(target, result.ticket, fromFallback);
    },
    async getState(target) {
      const now = clock.now();
      const { result } = await withStore('get', target, (current) => current.get(target, now, config));
      publish(result);
      return result;
    },
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async reset(target) {
      const now = clock.now();
      const { result, fromFallback } = await withStore('reset', target, (current) =>
        current.reset(target, now, config),
      );
      // The fallback may hold state from an outage; a reset must clear it too.
      if (!fromFallback && fallbackStore) await fallbackStore.reset(target, now, config);
      publish(result);
    },
    earliestRetryAt(targets) {
      let earliest: number | undefined;
      for (const target of targets) {
        const entry = snapshot.targets[target];
        if (entry?.state === 'disabled') continue;
        const at = entry?.retryAt ?? clock.now();
        earliest = earliest === undefined ? at : Math.min(earliest, at);
      }
      return earliest;
    },
  };
}

function toOutcome(errorClass: BreakerErrorClass, error: unknown): BreakerOutcome {
  const summary = summarizeError(error);
  switch (errorClass) {
    case 'failure':
      return { type: 'failure', error: summary };
    case 'rate-limited': {
      const retryAfterMs = readRetryAfterMs(error);
      return retryAfterMs === undefined
        ? { type: 'failure', error: summary }
        : { type: 'rate-limited', retryAfterMs, error: summary };
    }
    case 'disable':
      return { type: 'disable', error: summary };
    case 'ignore':
      return { type: 'ignore' };
  }
}

function summarizeError(error: unknown): BreakerErrorSummary {
  const code = FragmentkitError.isInstance(error) ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
  const message = error instanceof Error ? error.message : String(error);
  return { code, message: message.slice(0, maxErrorMessageLength) };
}

function deniedError(target: BreakerTargetSnapshot, now: number, config: BreakerConfig): FragmentkitError {
  if (target.state === 'disabled') {
    const reason = target.lastError ? ` (${target.lastError.message})` : '';
    return new FragmentkitError(
      'PROVIDER_AUTH',
      `Circuit for ${target.target} is disabled after an authentication error${reason}; fix its credentials, then call reset('${target.target}') on the circuit breaker.`,
      {
        details: {
          target: target.target,
          state: target.state,
          ...(target.lastError ? { lastError: target.lastError } : {}),
        },
      },
    );
  }
  const retryAt = target.retryAt ?? now;
  const when = new Date(retryAt).toISOString();
  const message =
    target.state === 'half-open'
      ? `Circuit for ${target.target} is half-open and its ${config.halfOpenMaxProbes} probe slot(s) are in use; retry after ${when}`
      : `Circuit for ${target.target} is open; retry after ${when}`;
  return new FragmentkitError('PROVIDER_UNAVAILABLE', message, {
    isRetryable: true,
    details: { target: target.target, state: target.state, retryAt, retryAfterMs: Math.max(0, retryAt - now) },
  });
}

function sameTargetSnapshot(a: BreakerTargetSnapshot, b: BreakerTargetSnapshot): boolean {
  return (
    a.state === b.state &&
    a.failures === b.failures &&
    a.calls === b.calls &&
    a.openedAt === b.openedAt &&
    a.retryAt === b.retryAt &&
    a.consecutiveOpens === b.consecutiveOpens &&
    a.probesInFlight === b.probesInFlight &&
    a.probeSuccesses === b.probeSuccesses &&
    a.lastError?.code === b.lastError?.code &&
    a.lastError?.message === b.lastError?.message
  );
}

const integerOptions = [
  ['failureThreshold', 1],
  ['windowMs', 1],
  ['minimumVolume', 1],
  ['resetTimeoutMs', 1],
  ['maxResetTimeoutMs', 1],
  ['halfOpenMaxProbes', 1],
  ['successesToClose', 1],
  ['probeTimeoutMs', 1],
] as const satisfies ReadonlyArray<readonly [keyof BreakerConfig, number]>;

function resolveConfig(options: CircuitBreakerOptions): BreakerConfig {
  const config: BreakerConfig = {
    failureThreshold: options.failureThreshold ?? defaultBreakerConfig.failureThreshold,
    windowMs: options.windowMs ?? defaultBreakerConfig.windowMs,
    failureRateThreshold: options.failureRateThreshold ?? defaultBreakerConfig.failureRateThreshold,
    minimumVolume: options.minimumVolume ?? defaultBreakerConfig.minimumVolume,
    resetTimeoutMs: options.resetTimeoutMs ?? defaultBreakerConfig.resetTimeoutMs,
    maxResetTimeoutMs:
      options.maxResetTimeoutMs ?? Math.max(defaultBreakerConfig.maxResetTimeoutMs, options.resetTimeoutMs ?? 0),
    halfOpenMaxProbes: options.halfOpenMaxProbes ?? defaultBreakerConfig.halfOpenMaxProbes,
    successesToClose: options.successesToClose ?? defaultBreakerConfig.successesToClose,
    probeTimeoutMs: options.probeTimeoutMs ?? defaultBreakerConfig.probeTimeoutMs,
  };
  for (const [name, minimum] of integerOptions) {
    const value = config[name];
    if (!Number.isSafeInteger(value) || value < minimum) {
      throw invalidOption(name, value, `a whole number of at least ${minimum}`);
    }
  }
  const rate = config.failureRateThreshold;
  if (typeof rate !== 'number' || !(rate > 0 && rate <= 1)) {
    throw invalidOption('failureRateThreshold', rate, 'a share above 0 and at most 1 (0.5 means 50%)');
  }
  if (config.maxResetTimeoutMs < config.resetTimeoutMs) {
    throw invalidOption(
      'maxResetTimeoutMs',
      config.maxResetTimeoutMs,
      `at least resetTimeoutMs (${config.resetTimeoutMs})`,
    );
  }
  return config;
}

function invalidOption(option: string, value: unknown, expected: string): FragmentkitError {
  return new FragmentkitError(
    'INVALID_REQUEST',
    `Circuit breaker option ${option} must be ${expected}; got ${String(value)}.`,
    { details: { option, value: typeof value === 'number' ? value : String(value) } },
  );
}
