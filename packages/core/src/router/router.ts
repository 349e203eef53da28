import pRetry, { AbortError as StopRetrying } from 'p-retry';
import { FragmentkitError, toFragmentkitError } from '../errors.js';
import { createCircuitBreaker } from './circuitBreaker.js';
import { decideAfterFailure, type FailureAction, resolveRetryOptions } from './retryPolicy.js';
import { type AttemptEnvironment, type OpenAttempt, openAttempt, type RouteRun } from './routerAttempt.js';
import { routeFailedError } from './routerFailure.js';
import { createRouterHealth } from './routerHealth.js';
import { defaultRouterLogger } from './routerLogger.js';
import {
  resolveAllTargetsOpen,
  resolveFallbacks,
  resolveRoutes,
  resolveSampleSize,
  resolveTargets,
  validateRequest,
} from './routerOptions.js';
import type {
  Router,
  RouterAnswer,
  RouterOptions,
  RouterReplay,
  RouterRequest,
  RouterStreamEvent,
} from './routerTypes.js';
import type { RouteTarget } from './routeTarget.js';
import { abortedError, sleep, systemTimerClock } from './timerClock.js';

/**
 * Creates a {@link Router}: each task goes to its route's targets in order. On each target
 * the router passes the circuit breaker, then retries transient failures (5xx, overload,
 * connection errors, rate limits, streams that broke before any output) with full-jitter
 * backoff, or after exactly the provider's `Retry-After` when that is within
 * `retry.maxRetryAfterMs` (a longer one moves to the next target). It moves on at once after
 * a timeout (headers, first token, or a gap between chunks, each aborting the upstream
 * request), an authentication error (which disables the target in the breaker) or a bad
 * request; after a context-length error it only tries targets with a larger `contextWindow`;
 * a content-policy refusal or the caller's abort ends the request. An answer that breaks
 * after output was streamed restarts on the next target behind a `restart` event, so two
 * answers are never glued together and a truncated one never passes as complete.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when the options are invalid.
 *
 * @example
 * ```ts
 * import { createRouter } from '@fragmentkit/core';
 * import { createAnthropicModel, createOpenAIModel } from '@fragmentkit/core/providers';
 *
 * const router = createRouter({
 *   targets: {
 *     sonnet: { model: createAnthropicModel({ apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' }), contextWindow: 200_000 },
 *     mini: { model: createOpenAIModel({ apiKey: process.env.OPENAI_API_KEY, model: 'gpt-4o-mini' }), contextWindow: 128_000 },
 *   },
 *   routes: { generate: ['sonnet', 'mini'], summarize: ['mini', 'sonnet'] },
 * });
 *
 * const stream = await router.stream('generate', { system, messages, signal: request.signal });
 * for await (const event of stream) {
 *   if (event.type === 'start') console.log(`answering with ${event.model}`);
 *   if (event.type === 'restart') discardPartialOutput();
 *   if (event.type === 'text-delta') render(event.text);
 * }
 *
 * const { text } = await router.generate('summarize', { system: 'Summarize.', messages });
 * ```
 */
export function createRouter(options: RouterOptions): Router {
  const clock = options.clock ?? systemTimerClock;
  const random = options.random ?? Math.random;
  const retry = resolveRetryOptions(options.retry);
  const waitForOpenCircuitsMs = resolveAllTargetsOpen(options.allTargetsOpen);
  const targets = resolveTargets(options);
  const routes = resolveRoutes(options.routes, targets);
  const breaker = options.breaker ?? createCircuitBreaker({ clock });
  const logger = options.logger ?? defaultRouterLogger;
  const health = createRouterHealth({
    targets: [...targets.values()],
    breaker,
    now: () => clock.now(),
    sampleSize: resolveSampleSize(options.sampleSize),
  });
  const environment: AttemptEnvironment = { clock, breaker, health, logger };

  /** Opens one target, retrying it per the retry policy; p-retry runs the loop, the clock the waits. */
  async function openWithRetries(
    run: RouteRun,
    target: RouteTarget,
  ): Promise<{ ok: true; attempt: OpenAttempt } | { ok: false; error: FragmentkitError; action: FailureAction }> {
    let last: { error: FragmentkitError; action: FailureAction } | undefined;
    try {
      const attempt = await pRetry(
        async (attemptNumber) => {
          const result = await openAttempt(environment, run, target);
          if (result.ok) return result.attempt;
          const action: FailureAction = result.circuitDenied
            ? { type: 'next-target' }
            : decideAfterFailure(result.error, { attemptNumber, retry, random });
          last = { error: result.error, action };
          if (action.type === 'retry') throw result.error;
          throw new StopRetrying(result.error);
        },
        {
          retries: retry.attempts - 1,
          // p-retry's own timer cannot be injected: it waits 0 ms, and the backoff runs on the router's clock.
          minTimeout: 0,
          maxTimeout: 0,
          randomize: false,
          onFailedAttempt: async () => {
            if (last?.action.type === 'retry') await sleep(clock, last.action.delayMs, run.signal);
          },
        },
      );
      return { ok: true, attempt };
    } catch (error) {
      if (run.signal.aborted) return { ok: false, error: abortedError(run.signal.reason), action: { type: 'stop' } };
      if (!last) return { ok: false, error: toFragmentkitError(error), action: { type: 'next-target' } };
      return {
        ok: false,
        error: last.error,
        action: last.action.type === 'retry' ? { type: 'next-target' } : last.action,
      };
    }
  }

  /** The routed answer as events; throws the route's one error when it fails. */
  async function* route(run: RouteRun, request: RouterRequest, targetIds: readonly string[]) {
    let restartFrom: { targetId: string; reason: string } | undefined;
    let waitedForCircuits = false;
    const fail = (stoppedBy?: FragmentkitError) =>
      routeFailedError({
        task: run.task,
        attempts: run.attempts,
        errors: run.errors,
        ...(stoppedBy ? { stoppedBy } : {}),
        earliestRetryAt: breaker.earliestRetryAt(targetIds),
        now: clock.now(),
      });

    for (;;) {
      const passStart = run.attempts.length;
      let contextFloor: number | undefined;
      for (const targetId of targetIds) {
        const target = targets.get(targetId)!;
        if (contextFloor !== undefined && !((target.contextWindow ?? 0) > contextFloor)) continue;
        const opened = await openWithRetries(run, target);
        if (!opened.ok) {
          if (opened.action.type === 'stop') throw fail(opened.error);
          if (opened.action.type === 'larger-context' && target.contextWindow !== undefined) {
            contextFloor = Math.max(contextFloor ?? 0, target.contextWindow);
          }
          continue;
        }

        const attempt = opened.attempt;
        const answering = { targetId, provider: attempt.provider, model: attempt.model };
        let outputEmitted = false;
        let settled = false;
        let text = '';
        try {
          yield restartFrom
            ? ({
                type: 'restart',
                reason: restartFrom.reason,
                fromTargetId: restartFrom.targetId,
                ...answering,
              } as const)
            : ({ type: 'start', ...answering } as const);
          restartFrom = undefined;
          const pending = [...attempt.buffered];
          for (;;) {
            const event = pending.shift() ?? (await attempt.next());
            if (event.type === 'finish') {
              settled = true;
              const record = await attempt.complete();
              health.answered(run.task, { ...answering, fallback: targetId !== targetIds[0], at: clock.now() });
              await notifyAnswer({
                task: run.task,
                request,
                text,
                usage: event.usage,
                finishReason: event.finishReason,
                ...answering,
                attempts: [...run.attempts],
                userKey: attempt.userKey,
                cached: false,
              });
              logger.info(
                { task: run.task, ...record },
                `Router answered task '${run.task}' with target '${targetId}'`,
              );
              yield event;
              return;
            }
            yield event;
            if (event.type === 'text-delta') {
              outputEmitted = true;
              if (options.onAnswer) text += event.text;
            }
          }
        } catch (error) {
          settled = true;
          const failure = await attempt.fail(error, outputEmitted);
          const action = decideAfterFailure(failure, { attemptNumber: 1, retry, random, outputEmitted });
          if (action.type === 'stop') throw fail(failure);
          if (outputEmitted) restartFrom = { targetId, reason: failure.code };
        } finally {
          // The consumer cancelled while an event was out: give the attempt up as aborted.
          if (!settled) await attempt.fail(abortedError(run.signal.reason), outputEmitted);
        }
      }

      const pass = run.attempts.slice(passStart);
      const allOpen = pass.length > 0 && pass.every((attempt) => attempt.reason === 'circuit-open');
      const earliest = breaker.earliestRetryAt(targetIds);
      const waitMs = earliest === undefined ? undefined : Math.max(0, earliest - clock.now());
      if (
        allOpen &&
        !waitedForCircuits &&
        waitForOpenCircuitsMs !== undefined &&
        waitMs !== undefined &&
        waitMs <= waitForOpenCircuitsMs
      ) {
        waitedForCircuits = true;
        await sleep(clock, waitMs, run.signal);
        continue;
      }
      if (run.signal.aborted) throw fail(abortedError(run.signal.reason));
      throw fail();
    }
  }

  async function notifyAnswer(answer: RouterAnswer): Promise<void> {
    if (!options.onAnswer) return;
    try {
      await options.onAnswer(answer);
    } catch (error) {
      logger.warn({ task: answer.task, targetId: answer.targetId, error }, 'The router’s onAnswer hook threw');
    }
  }

  async function* replay(run: RouteRun, request: RouterRequest, served: RouterReplay) {
    const { text, usage, finishReason, targetId, provider, model } = served;
    yield { type: 'start', targetId, provider, model, cached: true } as const;
    if (text) yield { type: 'text-delta', text } as const;
    await notifyAnswer({
      task: run.task,
      request,
      text,
      usage,
      finishReason,
      targetId,
      provider,
      model,
      attempts: [],
      userKey: false,
      cached: true,
    });
    yield { type: 'finish', finishReason, usage } as const;
  }

  async function* answer(
    run: RouteRun,
    request: RouterRequest,
    targetIds: readonly string[],
    release: () => void,
  ): AsyncGenerator<RouterStreamEvent, void, undefined> {
    try {
      const served = await options.beforeRoute?.({
        task: run.task,
        request,
        targets: targetIds.map((targetId) => ({ targetId, ...targets.get(targetId)!.describe() })),
      });
      if (run.signal.aborted) throw abortedError(run.signal.reason);
      if (served) yield* replay(run, request, served);
      else yield* route(run, request, targetIds);
    } catch (error) {
      throw run.signal.aborted && !FragmentkitError.isInstance(error)
        ? abortedError(run.signal.reason)
        : toFragmentkitError(error);
    } finally {
      release();
    }
  }

  async function open(task: string, request: RouterRequest) {
    const routeIds = routes.get(task);
    if (!routeIds) {
      throw new FragmentkitError(
        'INVALID_REQUEST',
        `Unknown task '${task}'. Known tasks: ${[...routes.keys()].join(', ')}. Add a route for it in createRouter({ routes }).`,
        { details: { task, tasks: [...routes.keys()] } },
      );
    }
    validateRequest(request);
    const targetIds = resolveFallbacks(routeIds, request.fallbacks, targets);
    // Fallbacks, subject and cache are for the router and its hooks; the models get the rest.
    const {
      signal: callerSignal,
      userKeys,
      fallbacks: _fallbacks,
      subject: _subject,
      cache: _cache,
      ...modelRequest
    } = request;
    if (callerSignal?.aborted) throw abortedError(callerSignal.reason);
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(callerSignal?.reason);
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const run: RouteRun = {
      task,
      request: modelRequest,
      userKeys,
      signal: controller.signal,
      attempts: [],
      errors: [],
    };
    const events = answer(run, request, targetIds, () => callerSignal?.removeEventListener('abort', onCallerAbort));
    const first = await events.next();
    let prefetched: IteratorResult<RouterStreamEvent> | undefined = first;
    const stream = new ReadableStream<RouterStreamEvent>(
      {
        async pull(streamController) {
          const result = prefetched ?? (await events.next());
          prefetched = undefined;
          if (result.done) streamController.close();
          else streamController.enqueue(result.value);
        },
        async cancel(reason) {
          controller.abort(
            new FragmentkitError('ABORTED', 'The consumer cancelled the answer stream.', {
              ...(reason === undefined ? {} : { cause: reason }),
            }),
          );
          await events.return(undefined);
        },
      },
      { highWaterMark: 0 },
    );
    return { stream, attempts: run.attempts };
  }

  return {
    async stream(task, request) {
      return (await open(task, request)).stream;
    },
    async generate(task, request) {
      const { stream, attempts } = await open(task, request);
      let text = '';
      let answeredBy: { targetId: string; provider: string; model: string } | undefined;
      const reader = stream.getReader();
      for (let result = await reader.read(); !result.done; result = await reader.read()) {
        const event = result.value;
        if (event.type === 'start' || event.type === 'restart') {
          answeredBy = { targetId: event.targetId, provider: event.provider, model: event.model };
          text = '';
        } else if (event.type === 'text-delta') {
          text += event.text;
        } else if (event.type === 'finish' && answeredBy) {
          return { text, usage: event.usage, finishReason: event.finishReason, ...answeredBy, attempts: [...attempts] };
        }
      }
      throw new FragmentkitError('STREAM_INCOMPLETE', `The answer to task '${task}' ended without finishing.`, {
        isRetryable: true,
        details: { task, attempts: [...attempts] },
      });
    },
    getSnapshot: () => health.getSnapshot(),
    subscribe: (listener) => health.subscribe(listener),
  };
}
