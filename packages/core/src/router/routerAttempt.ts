import { type ErrorCode, FragmentkitError, toFragmentkitError } from '../errors.js';
import { incompleteStreamError } from '../providers/modelStream.js';
import type { ModelRequest, ModelStreamEvent } from '../providers/types.js';
import type { BreakerPermit, CircuitBreaker } from './circuitBreaker.js';
import { classifyBreakerError, readRetryAfterMs } from './circuitBreakerClassify.js';
import type { RouterHealth } from './routerHealth.js';
import type { RouterLogger } from './routerLogger.js';
import type { RouteTarget } from './routeTarget.js';
import { createStreamWatchdog, type StreamWatchdog } from './streamTimeouts.js';
import { abortedError, type TimerClock } from './timerClock.js';

/**
 * One try of one target, as listed in `details.attempts` of a router error and in
 * `router.generate()`'s result.
 *
 * @example
 * ```ts
 * const attempt: RouterAttempt = {
 *   targetId: 'primary',
 *   provider: 'anthropic',
 *   model: 'claude-sonnet-4-5',
 *   outcome: 'PROVIDER_RATE_LIMITED',
 *   durationMs: 212,
 *   retryAfterMs: 1000,
 * };
 * ```
 */
export interface RouterAttempt {
  targetId: string;
  provider: string;
  model: string;
  /** `ok`, or the code of the error that ended the attempt. */
  outcome: ErrorCode | 'ok';
  durationMs: number;
  /** How long the provider (or an open circuit) asked to wait. */
  retryAfterMs?: number;
  /**
   * Why, when the code alone does not say: `circuit-open` / `circuit-disabled` (no request was
   * sent), the timeout phase (`headers`, `first-token`, `idle`), or the provider's reason
   * (`context_length`, `content_policy`, `malformed_chunk`).
   */
  reason?: string;
  /** True when part of the answer had been streamed before the attempt failed. */
  partialOutput?: boolean;
  /** True when the caller's own API key was used. */
  userKey?: boolean;
}

/**
 * What every attempt of one router shares.
 *
 * @example
 * ```ts
 * const environment: AttemptEnvironment = { clock, breaker, health, logger: defaultRouterLogger };
 * ```
 */
export interface AttemptEnvironment {
  clock: TimerClock;
  breaker: CircuitBreaker;
  health: RouterHealth;
  logger: RouterLogger;
}

/**
 * One request making its way along a route.
 *
 * @example
 * ```ts
 * const run: RouteRun = { task: 'generate', request, userKeys: undefined, signal, attempts: [], errors: [] };
 * ```
 */
export interface RouteRun {
  task: string;
  /** What each model receives; the signal is set per attempt. */
  request: Omit<ModelRequest, 'signal'>;
  userKeys: Readonly<Record<string, string>> | undefined;
  /** Aborts when the caller aborts or cancels the stream. */
  signal: AbortSignal;
  attempts: RouterAttempt[];
  /** The error of each failed attempt, in the order of `attempts`. */
  errors: FragmentkitError[];
}

/**
 * An attempt whose answer has begun: the provider answered and the first event is in hand.
 * Exactly one of `complete`, `fail` settles it.
 *
 * @example
 * ```ts
 * const pending = [...attempt.buffered];
 * const event = pending.shift() ?? (await attempt.next());
 * if (event.type === 'finish') await attempt.complete();
 * ```
 */
export interface OpenAttempt {
  readonly targetId: string;
  readonly provider: string;
  readonly model: string;
  readonly userKey: boolean;
  /** Events read while waiting for the first token: any `usage`, then one `text-delta` or `finish`. */
  readonly buffered: readonly ModelStreamEvent[];
  /** The next event, within the idle timeout. Throws a {@link FragmentkitError} when the stream breaks. */
  next(): Promise<ModelStreamEvent>;
  /** Records the success once `finish` was read. */
  complete(): Promise<RouterAttempt>;
  /** Records the failure, cancels the upstream request and returns the error as the router reports it. */
  fail(error: unknown, partialOutput: boolean): Promise<FragmentkitError>;
}

/**
 * What {@link openAttempt} ends with.
 *
 * @example
 * ```ts
 * const result: OpenResult = await openAttempt(environment, run, target);
 * if (!result.ok && result.circuitDenied) console.log('circuit open, no request sent');
 * ```
 */
export type OpenResult =
  | { ok: true; attempt: OpenAttempt }
  | { ok: false; error: FragmentkitError; circuitDenied: boolean };

/**
 * Sends the request to one target and waits for the first token: picks the model (the
 * caller's key or the host's), passes the circuit breaker, arms the header and first-token
 * timeouts. Every failure is recorded (attempt list, health, breaker) before it returns.
 *
 * @example
 * ```ts
 * const result = await openAttempt(environment, run, target);
 * if (result.ok) for (const event of result.attempt.buffered) emit(event);
 * ```
 */
export async function openAttempt(
  environment: AttemptEnvironment,
  run: RouteRun,
  target: RouteTarget,
): Promise<OpenResult> {
  const { clock, breaker } = environment;
  let resolved: ReturnType<RouteTarget['resolve']>;
  try {
    resolved = target.resolve(run.userKeys);
  } catch (error) {
    const failure = toFragmentkitError(error);
    const known = target.describe();
    record(
      environment,
      run,
      {
        targetId: target.id,
        provider: known.provider ?? 'unknown',
        model: known.model ?? 'unknown',
        outcome: failure.code,
        durationMs: 0,
      },
      failure,
    );
    return { ok: false, error: failure, circuitDenied: false };
  }
  const { model, userKey } = resolved;
  const base = {
    targetId: target.id,
    provider: model.provider,
    model: model.modelId,
    ...(userKey ? { userKey: true } : {}),
  };

  const denial = await admit(breaker, target.id, userKey, clock.now());
  if (denial.type === 'denied') {
    record(
      environment,
      run,
      {
        ...base,
        outcome: denial.error.code,
        durationMs: 0,
        reason: denial.error.code === 'PROVIDER_AUTH' ? 'circuit-disabled' : 'circuit-open',
        ...retryAfterOf(denial.error),
      },
      denial.error,
    );
    return { ok: false, error: denial.error, circuitDenied: true };
  }
  const permit = denial.permit;

  const startedAt = clock.now();
  const upstream = new AbortController();
  const watchdog = createStreamWatchdog({
    clock,
    timeouts: target.timeouts,
    upstream,
    signal: run.signal,
    describe: base,
  });
  let reader: ReadableStreamDefaultReader<ModelStreamEvent> | undefined;
  let settled = false;

  const settleFailure = async (error: unknown, partialOutput: boolean): Promise<FragmentkitError> => {
    const failure = run.signal.aborted
      ? abortedError(run.signal.reason)
      : (watchdog.error ?? toFragmentkitError(error));
    if (settled) return failure;
    settled = true;
    watchdog.dispose();
    upstream.abort(failure);
    reader?.cancel(failure).catch(() => {});
    // A non-fragmentkit error from the model goes to the breaker as thrown, so its classifier sees e.g. a TypeError.
    const thrownByModel = !run.signal.aborted && !watchdog.error && !FragmentkitError.isInstance(error);
    await permit?.failure(thrownByModel ? error : failure);
    // A caller who gave up says nothing about the target, not even as its last error.
    if (failure.code !== 'ABORTED') {
      environment.health.record(target.id, {
        type: 'failure',
        code: failure.code,
        message: failure.message,
        countsAgainstTarget: classifyBreakerError(failure) !== 'ignore',
      });
    }
    record(
      environment,
      run,
      {
        ...base,
        outcome: failure.code,
        durationMs: clock.now() - startedAt,
        ...reasonOf(failure),
        ...retryAfterOf(failure),
        ...(partialOutput ? { partialOutput: true } : {}),
      },
      failure,
    );
    return failure;
  };

  try {
    watchdog.arm('headers');
    watchdog.arm('first-token');
    const stream = await watchdog.race(
      Promise.resolve().then(() => model.stream({ ...run.request, signal: upstream.signal })),
    );
    watchdog.disarm('headers');
    reader = stream.getReader();
    const buffered: ModelStreamEvent[] = [];
    for (;;) {
      const event = await readEvent(watchdog, reader, model.provider);
      buffered.push(event);
      if (event.type !== 'usage') break;
    }
    watchdog.disarm('first-token');
    const firstTokenAt = clock.now();
    const openReader = reader;

    return {
      ok: true,
      attempt: {
        ...base,
        userKey,
        buffered,
        async next() {
          watchdog.arm('idle');
          try {
            return await readEvent(watchdog, openReader, model.provider);
          } finally {
            watchdog.disarm('idle');
          }
        },
        async complete() {
          settled = true;
          watchdog.dispose();
          await permit?.success();
          const finishedAt = clock.now();
          environment.health.record(target.id, {
            type: 'success',
            timeToFirstTokenMs: firstTokenAt - startedAt,
            totalMs: finishedAt - startedAt,
          });
          return record(environment, run, { ...base, outcome: 'ok', durationMs: finishedAt - startedAt });
        },
        fail: settleFailure,
      },
    };
  } catch (error) {
    return { ok: false, error: await settleFailure(error, false), circuitDenied: false };
  }
}

/**
 * Reads one event. A stream that ends without `finish` is incomplete whatever the provider
 * says: a truncated answer must never pass for a whole one.
 */
async function readEvent(
  watchdog: StreamWatchdog,
  reader: ReadableStreamDefaultReader<ModelStreamEvent>,
  provider: string,
): Promise<ModelStreamEvent> {
  const result = await watchdog.race(reader.read());
  if (result.done) throw incompleteStreamError(provider);
  return result.value;
}

type Admission = { type: 'admitted'; permit: BreakerPermit | undefined } | { type: 'denied'; error: FragmentkitError };

/**
 * Passes the circuit breaker. A call with the caller's own key never takes a permit: its 401
 * or 429 says something about that key, not about the target, so it must not disable or open
 * the shared circuit. It still respects a circuit that is open because the target failed
 * (not one opened by a rate limit on the host's key).
 */
async function admit(breaker: CircuitBreaker, targetId: string, userKey: boolean, now: number): Promise<Admission> {
  if (userKey) {
    const state = await breaker.getState(targetId);
    if (state.state === 'open' && state.lastError?.code !== 'PROVIDER_RATE_LIMITED') {
      const retryAt = state.retryAt ?? now;
      return {
        type: 'denied',
        error: new FragmentkitError(
          'PROVIDER_UNAVAILABLE',
          `Circuit for ${targetId} is open after repeated failures; retry after ${new Date(retryAt).toISOString()}`,
          {
            isRetryable: true,
            details: { target: targetId, state: state.state, retryAt, retryAfterMs: Math.max(0, retryAt - now) },
          },
        ),
      };
    }
    return { type: 'admitted', permit: undefined };
  }
  try {
    return { type: 'admitted', permit: await breaker.acquire(targetId) };
  } catch (error) {
    return { type: 'denied', error: toFragmentkitError(error) };
  }
}

function record(
  environment: AttemptEnvironment,
  run: RouteRun,
  attempt: RouterAttempt,
  error?: FragmentkitError,
): RouterAttempt {
  run.attempts.push(attempt);
  if (error) run.errors.push(error);
  if (attempt.outcome !== 'ok') {
    environment.logger.info({ task: run.task, ...attempt }, `Router attempt on target '${attempt.targetId}' failed`);
  }
  return attempt;
}

function reasonOf(error: FragmentkitError): { reason?: string } {
  const reason = error.details?.phase ?? error.details?.reason;
  return typeof reason === 'string' ? { reason } : {};
}

function retryAfterOf(error: FragmentkitError): { retryAfterMs?: number } {
  const retryAfterMs = readRetryAfterMs(error);
  return retryAfterMs === undefined ? {} : { retryAfterMs };
}
