import type { FinishReason, ModelRequest, ModelStreamEvent } from '../providers/types.js';
import type { QuotaSubject } from '../quota/types.js';
import type { Usage } from '../usage.js';
import type { CircuitBreaker } from './circuitBreaker.js';
import type { RetryOptions } from './retryPolicy.js';
import type { RouterAttempt } from './routerAttempt.js';
import type { RouterSnapshot } from './routerHealth.js';
import type { RouterLogger } from './routerLogger.js';
import type { RouterTarget } from './routeTarget.js';
import type { StreamTimeouts } from './streamTimeouts.js';
import type { TimerClock } from './timerClock.js';

/**
 * A request to the router: a {@link ModelRequest}, plus the caller's own API keys by provider
 * name for targets that allow them, extra fallback targets, and what hooks need to know about
 * the caller. Only the {@link ModelRequest} part reaches the models.
 *
 * @example
 * ```ts
 * const request: RouterRequest = {
 *   system: 'You write React.',
 *   messages: [{ role: 'user', content: 'A counter' }],
 *   userKeys: { anthropic: userSettings.anthropicKey },
 *   fallbacks: ['local'],
 *   subject: { userId: session.userId, teamId: session.teamId },
 * };
 * ```
 */
export interface RouterRequest extends ModelRequest {
  /** Provider name → the caller's API key. Used only by targets with `allowUserKey`. */
  userKeys?: Readonly<Record<string, string>>;
  /**
   * Target ids to try after the task's route, in order; ids already on the route are skipped.
   * An unknown id is an `INVALID_REQUEST`. Pass only ids the caller may spend on (a gateway
   * checks them against an allow-list first).
   */
  fallbacks?: readonly string[];
  /** Who the answer is for. The router ignores it; hooks such as `createRouterHooks` charge quotas to it. */
  subject?: QuotaSubject;
  /** `'bypass'` asks hooks neither to serve nor to store a cached answer (e.g. "regenerate"). Default `'default'`. */
  cache?: 'default' | 'bypass';
}

/**
 * One target a request is about to be tried on, as `beforeRoute` sees it.
 *
 * @example
 * ```ts
 * const target: RouterTargetInfo = { targetId: 'primary', provider: 'anthropic', model: 'claude-sonnet-4-5' };
 * ```
 */
export interface RouterTargetInfo {
  targetId: string;
  /** Unknown until a factory target has built its first model. */
  provider: string | undefined;
  model: string | undefined;
}

/**
 * What `beforeRoute` receives: the task, the request, and the targets it will be tried on, in order.
 *
 * @example
 * ```ts
 * const beforeRoute = ({ targets }: RouterBeforeRouteContext) => {
 *   console.log(`will try ${targets.map((target) => target.targetId).join(' → ')}`);
 *   return undefined;
 * };
 * ```
 */
export interface RouterBeforeRouteContext {
  task: string;
  request: RouterRequest;
  /** The route's targets, then the request's `fallbacks`. */
  targets: readonly RouterTargetInfo[];
}

/**
 * An event of a routed answer: the model's events, plus who is answering. A stream opens with
 * `start`. `restart` means the target that was answering failed after part of its answer was
 * streamed and another target starts over: discard everything received since the last
 * `start`/`restart`. The stream ends with exactly one `finish`, or errors with a
 * {@link FragmentkitError}; a truncated answer never ends with `finish`.
 *
 * @example
 * ```ts
 * let text = '';
 * for await (const event of await router.stream('generate', request)) {
 *   if (event.type === 'restart') text = '';
 *   if (event.type === 'text-delta') text += event.text;
 * }
 * ```
 */
export type RouterStreamEvent =
  | ModelStreamEvent
  | { type: 'start'; targetId: string; provider: string; model: string; cached?: boolean }
  | { type: 'restart'; reason: string; fromTargetId: string; targetId: string; provider: string; model: string };

/**
 * A complete answer, as `router.generate()` returns it.
 *
 * @example
 * ```ts
 * const { text, usage, targetId, attempts } = await router.generate('summarize', request);
 * ```
 */
export interface RouterGenerateResult {
  text: string;
  /** Usage of the target that answered; failed attempts report none. */
  usage: Usage;
  finishReason: FinishReason;
  targetId: string;
  provider: string;
  model: string;
  /** Every attempt, failed ones first, the answering one last. */
  attempts: readonly RouterAttempt[];
}

/**
 * What the `onAnswer` hook receives once an answer is complete, before its `finish` reaches
 * the caller: enough to count usage and cost, consume a quota or fill a cache.
 *
 * @example
 * ```ts
 * const onAnswer = async (answer: RouterAnswer) => {
 *   if (!answer.cached && !answer.userKey) await quotas.consume(answer.usage);
 * };
 * ```
 */
export interface RouterAnswer extends RouterGenerateResult {
  task: string;
  request: RouterRequest;
  /** True when the host's key was not used: the caller's own key paid for it. */
  userKey: boolean;
  /** True when `beforeRoute` served the answer and no model ran. */
  cached: boolean;
}

/**
 * An answer `beforeRoute` serves instead of the models, e.g. from a cache. The router streams
 * it as `start` (with `cached: true`), one `text-delta` and `finish`.
 *
 * @example
 * ```ts
 * const replay: RouterReplay = { text, usage, finishReason: 'stop', targetId: 'primary', provider: 'anthropic', model: 'claude-sonnet-4-5' };
 * ```
 */
export interface RouterReplay {
  text: string;
  usage: Usage;
  finishReason: FinishReason;
  targetId: string;
  provider: string;
  model: string;
}

/**
 * Options of {@link createRouter}.
 *
 * @example
 * ```ts
 * const options: RouterOptions = {
 *   targets: { primary: { model: sonnet }, fallback: { model: mini } },
 *   routes: { generate: ['primary', 'fallback'], summarize: ['fallback'] },
 *   retry: { attempts: 2, maxRetryAfterMs: 10_000 },
 *   timeouts: { firstTokenMs: 20_000 },
 * };
 * ```
 */
export interface RouterOptions {
  /** Target id → provider × model. */
  targets: Readonly<Record<string, RouterTarget>>;
  /** Task (`generate`, `edit`, `summarize`, `draft`, or any name) → target ids, in the order to try them. */
  routes: Readonly<Record<string, readonly string[]>>;
  /**
   * Circuit state per target (the target id is the circuit's name). Defaults to a new
   * in-memory breaker on the router's clock; pass one with a Redis store to share circuits
   * between instances.
   */
  breaker?: CircuitBreaker;
  /** Time and timers for timeouts, backoff and latencies. Defaults to {@link systemTimerClock}. */
  clock?: TimerClock;
  /** Source of backoff jitter, in [0, 1). Defaults to `Math.random`. */
  random?: () => number;
  retry?: RetryOptions;
  /** Stream timeouts for every target; a target's own `timeouts` override them. */
  timeouts?: Partial<StreamTimeouts>;
  /**
   * When every target's circuit is open: fail at once with the time the earliest may recover
   * (`fail-fast`, the default), or wait for it when that is at most `waitUpToMs` away.
   */
  allTargetsOpen?: 'fail-fast' | { waitUpToMs: number };
  logger?: RouterLogger;
  /** Recent attempts and answers kept per target for error rates and latency percentiles. Defaults to 100. */
  sampleSize?: number;
  /**
   * Runs before any target is tried. Throw a {@link FragmentkitError} (e.g. `QUOTA_EXCEEDED`)
   * to refuse the request; return a {@link RouterReplay} to answer it without a model (a
   * cache hit); return nothing to route it.
   */
  beforeRoute?: (context: RouterBeforeRouteContext) => Promise<RouterReplay | undefined> | RouterReplay | undefined;
  /**
   * Runs once per complete answer, before its `finish` is delivered, with the usage of the
   * target that answered. Errors are logged, never passed to the caller.
   */
  onAnswer?: (answer: RouterAnswer) => Promise<void> | void;
}

/**
 * Routes tasks to models with retries, fallback and circuit breakers. See {@link createRouter}.
 *
 * @example
 * ```ts
 * const stream = await router.stream('generate', { system, messages, signal });
 * ```
 */
export interface Router {
  /**
   * Streams an answer. Resolves once the answer has begun (its first token is in hand), with a
   * stream that opens with `start`; rejects with one {@link FragmentkitError} when every
   * target failed before answering (`details.attempts` lists what was tried). A failure after
   * that errors the stream instead, after `restart` when another target takes over.
   */
  stream(task: string, request: RouterRequest): Promise<ReadableStream<RouterStreamEvent>>;
  /** Routes like {@link Router.stream} and collects the answer. */
  generate(task: string, request: RouterRequest): Promise<RouterGenerateResult>;
  /** Health per target and who answered each task last; the same object until something changes. */
  getSnapshot(): RouterSnapshot;
  /** Calls `listener` after every change of {@link Router.getSnapshot}. @returns a function that unsubscribes. */
  subscribe(listener: () => void): () => void;
}
