/**
 * Options of {@link createStoreFailover}.
 *
 * @example
 * ```ts
 * import { createStoreFailover, type StoreFailoverOptions } from '@fragmentkit/core';
 *
 * const options: StoreFailoverOptions<RateLimitStore, { operation: string }> = {
 *   primary: redisStore,
 *   createFallback: () => createMemoryRateLimitStore(),
 *   onFailure: (error, { outageStarted }) => {
 *     if (outageStarted) logger.warn({ error }, 'store down; using in-memory state');
 *   },
 * };
 * const failover = createStoreFailover(options);
 * ```
 */
export interface StoreFailoverOptions<Store, Context> {
  /** The shared store, typically one backed by Redis. Every call tries it first. */
  primary: Store;
  /** Makes the in-memory insurance store. Called once, at the first failure of the primary. */
  createFallback: () => Store;
  /**
   * Called for every call the primary failed. `outageStarted` is true for the first failure
   * since the primary last answered, so a warning logged only then appears once per outage.
   * Must not throw.
   */
  onFailure?: (error: unknown, event: { context: Context; outageStarted: boolean }) => void;
  /** Called when the primary answers again after an outage. Must not throw. */
  onRecovery?: (context: Context) => void;
}

/**
 * What {@link StoreFailover.run} answers: the result, and whether the insurance store gave it.
 *
 * @example
 * ```ts
 * const { result, fromFallback } = await failover.run({ operation: 'get' }, (store) => store.get(key));
 * if (fromFallback) metrics.fallbackReads += 1;
 * ```
 */
export interface StoreFailoverResult<T> {
  result: T;
  /** True when the primary failed and the in-memory insurance store answered instead. */
  fromFallback: boolean;
}

/**
 * A shared store with in-memory insurance. See {@link createStoreFailover}.
 *
 * @example
 * ```ts
 * const { result } = await failover.run({ operation: 'consume' }, (store) => store.consume(key, 1));
 * ```
 */
export interface StoreFailover<Store, Context> {
  /**
   * Runs `call` on the primary store and, when that rejects, on the insurance store. Rejects
   * only when the insurance store rejects too.
   */
  run<T>(context: Context, call: (store: Store) => Promise<T>): Promise<StoreFailoverResult<T>>;
  /**
   * The insurance store, once a failure created it. State kept there (a ticket, a permit) must
   * go back to it rather than to the primary.
   */
  readonly fallback: Store | undefined;
  /** False from a failure of the primary until its next success. */
  isHealthy(): boolean;
}

/**
 * Wraps a shared store (e.g. Redis) so that an outage never fails a request: while the store
 * is unreachable, calls are answered from an in-memory store of this process, and the shared
 * store is tried again on every call, so it takes over again as soon as it answers. State
 * written to the insurance store during an outage is not copied back.
 *
 * Give a network store a short command timeout (ioredis `commandTimeout`,
 * `enableOfflineQueue: false`) so that calls fail fast instead of waiting while it is down.
 *
 * @example
 * ```ts
 * import { createStoreFailover } from '@fragmentkit/core';
 *
 * const failover = createStoreFailover({
 *   primary: createRedisRateLimitStore(redis),
 *   createFallback: () => createMemoryRateLimitStore(),
 *   onFailure: (error, { context, outageStarted }) => {
 *     if (outageStarted) logger.warn({ error, ...context }, 'rate limit store down; limiting in memory');
 *   },
 *   onRecovery: () => logger.info({}, 'rate limit store answers again'),
 * });
 * const { result, fromFallback } = await failover.run({ operation: 'consume' }, (store) =>
 *   store.consume(key, rule, request),
 * );
 * ```
 */
export function createStoreFailover<Store, Context>(
  options: StoreFailoverOptions<Store, Context>,
): StoreFailover<Store, Context> {
  let fallback: Store | undefined;
  let healthy = true;

  return {
    async run<T>(context: Context, call: (store: Store) => Promise<T>): Promise<StoreFailoverResult<T>> {
      let result: T;
      try {
        result = await call(options.primary);
      } catch (error) {
        const outageStarted = healthy;
        healthy = false;
        options.onFailure?.(error, { context, outageStarted });
        fallback ??= options.createFallback();
        return { result: await call(fallback), fromFallback: true };
      }
      if (!healthy) {
        healthy = true;
        options.onRecovery?.(context);
      }
      return { result, fromFallback: false };
    },
    get fallback() {
      return fallback;
    },
    isHealthy: () => healthy,
  };
}
