import { FragmentkitError } from '../errors.js';
import { type CircuitBreaker, createCircuitBreaker } from '../router/circuitBreaker.js';
import { type Clock, systemClock } from '../router/clock.js';
import type { SandboxAcquireOptions, SandboxProvider } from '../sandbox/sandboxProvider.js';
import { classifySandboxError, toE2BError } from './e2bErrors.js';
import { E2BSandboxSession, type E2BSessionContext } from './e2bSandboxSession.js';
import { type E2BSandboxHandle, type E2BSdk, e2bSdk } from './e2bSdk.js';
import { type E2BTemplateOptions, fragmentsE2BTemplates } from './e2bTemplates.js';

/**
 * The warm pool: sandboxes created ahead of demand, so `acquire` skips E2B's cold start.
 * A pooled sandbox is created before anyone asks for it, so its E2B metadata can only say
 * `pooled: 'true'` (E2B cannot change metadata later); the `assigned` event of `onEvent`
 * records who got it. Set `size: 0` (the default) where per-user metadata is required.
 *
 * @example
 * ```ts
 * const pool: E2BPoolOptions = { size: { 'nextjs-developer': 2, 'code-interpreter-v1': 1 }, maxAgeMs: 240_000 };
 * ```
 */
export interface E2BPoolOptions {
  /** Sandboxes kept ready per template: one number for every template, or per template id. Default 0. */
  size?: number | Readonly<Record<string, number>>;
  /** Pooled sandboxes older than this are discarded, never handed out. Default 4 min. */
  maxAgeMs?: number;
  /** Create a replacement in the background whenever one is handed out or discarded. Default true. */
  refill?: boolean;
}

/**
 * Retries of `Sandbox.create`.
 *
 * @example
 * ```ts
 * const retry: E2BRetryOptions = { attempts: 3, baseDelayMs: 500, maxDelayMs: 4000 };
 * ```
 */
export interface E2BRetryOptions {
  /** Attempts in total, the first included. Default 3. */
  attempts?: number;
  /** Backoff before retry n is `baseDelayMs * 2^(n-1)`, at most `maxDelayMs`. Defaults 500 and 4000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * What the provider did, for logs, metrics and audit trails. `assigned` says which user got a
 * pooled sandbox, which its E2B metadata cannot say.
 *
 * @example
 * ```ts
 * createE2BSandboxProvider({ onEvent: (event) => logger.info(event, `e2b ${event.type}`) });
 * ```
 */
export type E2BProviderEvent =
  | { type: 'created'; sandboxId: string; template: string; pooled: boolean; attempts: number }
  | {
      type: 'assigned';
      sandboxId: string;
      template: string;
      source: 'pool' | 'new' | 'conversation';
      userId?: string;
      teamId?: string;
      conversationId?: string;
    }
  | { type: 'discarded'; sandboxId: string; template: string; reason: 'max-age' | 'not-running' | 'expired' }
  | { type: 'create-failed'; template: string; attempt: number; error: FragmentkitError; willRetry: boolean };

/**
 * Options of {@link createE2BSandboxProvider}.
 *
 * @example
 * ```ts
 * const options: E2BSandboxProviderOptions = {
 *   apiKey: process.env.E2B_API_KEY,
 *   pool: { size: { 'nextjs-developer': 2 } },
 *   conversationTtlMs: 15 * 60_000,
 * };
 * ```
 */
export interface E2BSandboxProviderOptions {
  /** Default: the SDK reads `E2B_API_KEY`. */
  apiKey?: string;
  domain?: string;
  /** E2B API base URL (self-hosted E2B, tests). */
  apiUrl?: string;
  /** Base URL of the sandboxes' own API (self-hosted E2B, tests). */
  sandboxUrl?: string;
  /** Templates by fragmentkit template id. Default {@link fragmentsE2BTemplates}. */
  templates?: Readonly<Record<string, E2BTemplateOptions>>;
  pool?: E2BPoolOptions;
  /** E2B lifetime of a handed-out sandbox; extended by `extendTtl`. Default 10 min. */
  sandboxTimeoutMs?: number;
  /** How long a sandbox released for a conversation is kept for its next run. Default 10 min. */
  conversationTtlMs?: number;
  retry?: E2BRetryOptions;
  /**
   * Circuit breaker around `Sandbox.create`. Default: a new one with
   * {@link classifySandboxError}; pass a shared one (created with that `classify`) to share
   * E2B's health between instances.
   */
  breaker?: CircuitBreaker;
  /** The breaker target. Default `e2b`. */
  breakerTarget?: string;
  /** Timeout of the liveness check before a pooled or kept sandbox is handed out. Default 5 s. */
  livenessTimeoutMs?: number;
  /** Default wall-clock limit of `run()`. Default 60 s. */
  runTimeoutMs?: number;
  installTimeoutMs?: number;
  startTimeoutMs?: number;
  /** Bytes of stdout and of stderr kept per command. Default 1 MiB. */
  outputBytes?: number;
  /** How often expired sandboxes are cleaned up in the background; 0 turns it off (call `sweep`). Default 30 s. */
  cleanupIntervalMs?: number;
  clock?: Clock;
  /** Waits between retries and port probes. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Default {@link e2bSdk}, the real SDK. */
  sdk?: E2BSdk;
  onEvent?: (event: E2BProviderEvent) => void;
}

/**
 * What the E2B provider holds right now. A new object after every change.
 *
 * @example
 * ```ts
 * const { pools } = provider.getSnapshot();
 * console.log(pools['nextjs-developer']); // { ready: 2, creating: 0 }
 * ```
 */
export interface E2BProviderSnapshot {
  readonly pools: Readonly<Record<string, { readonly ready: number; readonly creating: number }>>;
  /** Sandboxes kept for conversations. */
  readonly conversations: number;
}

/**
 * The E2B sandbox provider, see {@link createE2BSandboxProvider}.
 *
 * @example
 * ```ts
 * const provider: E2BSandboxProvider = createE2BSandboxProvider({ pool: { size: 1 } });
 * await provider.warm();
 * ```
 */
export interface E2BSandboxProvider extends SandboxProvider {
  /** Fills the pool of `template` (or of every pooled template) and waits until it is full. */
  warm(template?: string): Promise<void>;
  /** Kills over-age pooled sandboxes and conversation sandboxes whose TTL passed. @returns how many. */
  sweep(): Promise<number>;
  /** Resolves when no background creation is in flight. */
  idle(): Promise<void>;
  /** Stops background work and kills every sandbox: pooled, kept and handed out. */
  close(): Promise<void>;
  getSnapshot(): E2BProviderSnapshot;
  /** @returns a function that unsubscribes. */
  subscribe(listener: () => void): () => void;
}

interface Pooled {
  handle: E2BSandboxHandle;
  createdAt: number;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Creates a sandbox provider on E2B cloud sandboxes (Firecracker microVMs), through the `e2b`
 * and `@e2b/code-interpreter` SDKs (optional peer dependencies). It adds what a product
 * needs around `Sandbox.create`:
 * - a warm pool per template with a maximum age, background refill and a liveness check
 *   (`isRunning` and a timeout extension) before a pooled sandbox is handed out;
 * - conversation affinity: a session released with a `conversationId` is kept (TTL) and the
 *   next acquire of that conversation gets the same sandbox, so edits re-run where the
 *   dependencies are installed and the dev server runs;
 * - 3 attempts with exponential backoff on create, behind the team's circuit breaker; when
 *   E2B is down or the circuit is open, `acquire` throws `SANDBOX_UNAVAILABLE` (with
 *   `details.retryAfterMs` when known) and `runFragment` reports the preview as unavailable;
 * - `userId`, `teamId` and `conversationId` in the sandbox metadata of sandboxes created on
 *   demand.
 *
 * @example
 * ```ts
 * import { runFragment } from '@fragmentkit/core';
 * import { createE2BSandboxProvider } from '@fragmentkit/core/e2b';
 *
 * const provider = createE2BSandboxProvider({
 *   apiKey: process.env.E2B_API_KEY,
 *   pool: { size: { 'nextjs-developer': 2 } },
 * });
 * void provider.warm();
 * const result = await runFragment(provider, fragment, { conversationId, userId, teamId });
 * if (result.status === 'serving') iframe.src = result.url!;
 * ```
 */
export function createE2BSandboxProvider(options: E2BSandboxProviderOptions = {}): E2BSandboxProvider {
  const templates = options.templates ?? fragmentsE2BTemplates;
  const sdk = options.sdk ?? e2bSdk;
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? defaultSleep;
  const breaker = options.breaker ?? createCircuitBreaker({ classify: classifySandboxError, clock });
  const breakerTarget = options.breakerTarget ?? 'e2b';
  const attempts = wholeNumber('retry.attempts', options.retry?.attempts ?? 3, 1);
  const baseDelayMs = wholeNumber('retry.baseDelayMs', options.retry?.baseDelayMs ?? 500, 0);
  const maxDelayMs = wholeNumber('retry.maxDelayMs', options.retry?.maxDelayMs ?? 4000, 0);
  const maxAgeMs = wholeNumber('pool.maxAgeMs', options.pool?.maxAgeMs ?? 240_000, 1);
  const refillEnabled = options.pool?.refill ?? true;
  const sandboxTimeoutMs = wholeNumber('sandboxTimeoutMs', options.sandboxTimeoutMs ?? 600_000, 1);
  const conversationTtlMs = wholeNumber('conversationTtlMs', options.conversationTtlMs ?? 600_000, 1);
  const livenessTimeoutMs = wholeNumber('livenessTimeoutMs', options.livenessTimeoutMs ?? 5_000, 1);
  const cleanupIntervalMs = wholeNumber('cleanupIntervalMs', options.cleanupIntervalMs ?? 30_000, 0);
  const connection = Object.fromEntries(
    Object.entries({
      apiKey: options.apiKey,
      domain: options.domain,
      apiUrl: options.apiUrl,
      sandboxUrl: options.sandboxUrl,
    }).filter(([, value]) => value !== undefined),
  ) as Pick<E2BSandboxProviderOptions, 'apiKey' | 'domain' | 'apiUrl' | 'sandboxUrl'>;

  const pools = new Map<string, Pooled[]>();
  const creating = new Map<string, number>();
  const conversations = new Map<string, E2BSandboxSession>();
  const live = new Set<E2BSandboxSession>();
  const background = new Set<Promise<unknown>>();
  const listeners = new Set<() => void>();
  let snapshot: E2BProviderSnapshot = Object.freeze({ pools: Object.freeze({}), conversations: 0 });
  let cleanupTimer: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const emit = (event: E2BProviderEvent) => options.onEvent?.(event);

  function publish(): void {
    const poolEntries: Record<string, { ready: number; creating: number }> = {};
    for (const template of new Set([...pools.keys(), ...creating.keys()])) {
      poolEntries[template] = Object.freeze({
        ready: pools.get(template)?.length ?? 0,
        creating: creating.get(template) ?? 0,
      });
    }
    snapshot = Object.freeze({ pools: Object.freeze(poolEntries), conversations: conversations.size });
    for (const listener of [...listeners]) listener();
  }

  function poolSize(template: string): number {
    const size = options.pool?.size;
    const value = typeof size === 'number' ? size : (size?.[template] ?? 0);
    return Math.max(0, Math.floor(value));
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    background.add(promise);
    void promise.finally(() => background.delete(promise)).catch(() => undefined);
    return promise;
  }

  function startCleanup(): void {
    if (cleanupTimer || closed || cleanupIntervalMs === 0) return;
    cleanupTimer = setInterval(() => void sweep(), cleanupIntervalMs);
    (cleanupTimer as { unref?: () => void }).unref?.();
  }

  function templateOptions(template: string): E2BTemplateOptions {
    const found = Object.hasOwn(templates, template) ? templates[template] : undefined;
    if (!found) {
      throw new FragmentkitError(
        'INVALID_REQUEST',
        `Template ${JSON.stringify(template)} is not configured for E2B; configured: ${Object.keys(templates).join(', ')}.`,
        { details: { template } },
      );
    }
    return found;
  }

  /** `Sandbox.create` with retries and backoff, each attempt admitted by the circuit breaker. */
  async function create(
    template: string,
    metadata: Record<string, string>,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<E2BSandboxHandle> {
    const config = templateOptions(template);
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortError(signal);
      let permit: Awaited<ReturnType<CircuitBreaker['acquire']>>;
      try {
        permit = await breaker.acquire(breakerTarget);
      } catch (error) {
        throw circuitOpenError(error, template);
      }
      if (signal?.aborted) {
        const aborted = abortError(signal);
        await permit.failure(aborted);
        throw aborted;
      }
      try {
        const handle = await sdk.create(config.template, {
          metadata,
          timeoutMs,
          codeInterpreter: config.codeInterpreter ?? false,
          ...connection,
          ...(signal ? { signal } : {}),
        });
        await permit.success();
        emit({
          type: 'created',
          sandboxId: handle.sandboxId,
          template,
          pooled: metadata.pooled === 'true',
          attempts: attempt,
        });
        return handle;
      } catch (raw) {
        const error = toE2BError(raw, 'Sandbox.create');
        await permit.failure(error);
        const willRetry = error.isRetryable && attempt < attempts && !signal?.aborted;
        emit({ type: 'create-failed', template, attempt, error, willRetry });
        if (error.code === 'ABORTED' || signal?.aborted) throw abortError(signal, error);
        if (!willRetry) throw withAttempts(error, attempt);
        await sleep(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)), signal);
      }
    }
  }

  function refill(template: string): void {
    if (!refillEnabled || closed) return;
    const missing = poolSize(template) - (pools.get(template)?.length ?? 0) - (creating.get(template) ?? 0);
    for (let index = 0; index < missing; index++) {
      creating.set(template, (creating.get(template) ?? 0) + 1);
      publish();
      const metadata = { createdBy: 'fragmentkit', template, pooled: 'true' };
      track(
        create(template, metadata, maxAgeMs + 60_000, undefined)
          .then(async (handle) => {
            if (closed) return handle.kill().catch(() => undefined);
            const pool = pools.get(template) ?? [];
            pool.push({ handle, createdAt: clock.now() });
            pools.set(template, pool);
            startCleanup();
          })
          .catch(() => undefined)
          .finally(() => {
            creating.set(template, (creating.get(template) ?? 1) - 1);
            publish();
          }),
      );
    }
  }

  /** True when the sandbox answers and accepted its new lifetime. */
  async function isAlive(handle: E2BSandboxHandle, timeoutMs: number): Promise<boolean> {
    try {
      const [running] = await Promise.all([
        handle.isRunning({ requestTimeoutMs: livenessTimeoutMs }),
        handle.setTimeout(timeoutMs),
      ]);
      return running;
    } catch {
      return false;
    }
  }

  function discard(handle: E2BSandboxHandle, template: string, reason: 'max-age' | 'not-running' | 'expired'): void {
    emit({ type: 'discarded', sandboxId: handle.sandboxId, template, reason });
    track(handle.kill().catch(() => undefined));
  }

  const sessionContext: E2BSessionContext = {
    clock,
    sleep,
    outputBytes: wholeNumber('outputBytes', options.outputBytes ?? 1024 * 1024, 1),
    runTimeoutMs: wholeNumber('runTimeoutMs', options.runTimeoutMs ?? 60_000, 1),
    installTimeoutMs: wholeNumber('installTimeoutMs', options.installTimeoutMs ?? 300_000, 1),
    startTimeoutMs: wholeNumber('startTimeoutMs', options.startTimeoutMs ?? 90_000, 1),
    async keep(session) {
      const conversationId = session.conversationId as string;
      const expiresAt = clock.now() + conversationTtlMs;
      // E2B must not kill it before the conversation TTL does.
      const alive = await session.handle.setTimeout(conversationTtlMs + 60_000).then(
        () => true,
        () => false,
      );
      if (!alive || closed) return session.kill();
      const previous = conversations.get(conversationId);
      if (previous && previous !== session) void previous.kill();
      session.markKept(expiresAt);
      conversations.set(conversationId, session);
      startCleanup();
      publish();
    },
    forget(session) {
      live.delete(session);
      for (const [conversationId, kept] of conversations) {
        if (kept === session) conversations.delete(conversationId);
      }
      publish();
    },
  };

  function newSession(handle: E2BSandboxHandle, template: string, acquire: SandboxAcquireOptions): E2BSandboxSession {
    const session = new E2BSandboxSession({
      handle,
      template,
      options: templateOptions(template),
      conversationId: acquire.conversationId,
      context: sessionContext,
    });
    live.add(session);
    return session;
  }

  async function sweep(): Promise<number> {
    const now = clock.now();
    let count = 0;
    for (const [template, pool] of pools) {
      const fresh = pool.filter((entry) => now - entry.createdAt <= maxAgeMs);
      for (const entry of pool) {
        if (fresh.includes(entry)) continue;
        count += 1;
        discard(entry.handle, template, 'max-age');
      }
      pools.set(template, fresh);
      if (fresh.length < pool.length) refill(template);
    }
    const kills: Promise<void>[] = [];
    for (const [conversationId, session] of conversations) {
      if ((session.getSnapshot().expiresAt ?? 0) > now) continue;
      count += 1;
      conversations.delete(conversationId);
      emit({ type: 'discarded', sandboxId: session.id, template: session.template, reason: 'expired' });
      kills.push(session.kill());
    }
    publish();
    await Promise.all(kills);
    return count;
  }

  async function idle(): Promise<void> {
    while (background.size > 0) await Promise.allSettled([...background]);
  }

  return {
    name: 'e2b',
    async acquire(acquireOptions) {
      const { template, conversationId, userId, teamId, signal } = acquireOptions;
      if (signal?.aborted) throw abortError(signal);
      if (closed) {
        throw new FragmentkitError('SANDBOX_UNAVAILABLE', 'The E2B sandbox provider was closed.', {
          details: { provider: 'e2b' },
        });
      }
      templateOptions(template);
      track(sweep());
      const who = {
        ...(userId === undefined ? {} : { userId }),
        ...(teamId === undefined ? {} : { teamId }),
        ...(conversationId === undefined ? {} : { conversationId }),
      };

      const kept = conversationId === undefined ? undefined : conversations.get(conversationId);
      if (kept && kept.template === template) {
        conversations.delete(conversationId as string);
        publish();
        if (await isAlive(kept.handle, sandboxTimeoutMs)) {
          kept.reacquire();
          emit({ type: 'assigned', sandboxId: kept.id, template, source: 'conversation', ...who });
          return kept;
        }
        emit({ type: 'discarded', sandboxId: kept.id, template, reason: 'not-running' });
        void kept.kill();
      }

      const pool = pools.get(template) ?? [];
      while (pool.length > 0) {
        const entry = pool.shift() as Pooled;
        publish();
        if (clock.now() - entry.createdAt > maxAgeMs) {
          discard(entry.handle, template, 'max-age');
          continue;
        }
        if (!(await isAlive(entry.handle, sandboxTimeoutMs))) {
          discard(entry.handle, template, 'not-running');
          continue;
        }
        refill(template);
        emit({ type: 'assigned', sandboxId: entry.handle.sandboxId, template, source: 'pool', ...who });
        return newSession(entry.handle, template, acquireOptions);
      }

      const metadata: Record<string, string> = { createdBy: 'fragmentkit', template, ...who };
      const handle = await create(template, metadata, sandboxTimeoutMs, signal);
      refill(template);
      emit({ type: 'assigned', sandboxId: handle.sandboxId, template, source: 'new', ...who });
      return newSession(handle, template, acquireOptions);
    },
    async warm(template) {
      const targets = template === undefined ? Object.keys(templates).filter((id) => poolSize(id) > 0) : [template];
      for (const id of targets) {
        templateOptions(id);
        refill(id);
      }
      startCleanup();
      await idle();
    },
    sweep,
    idle,
    async close() {
      closed = true;
      if (cleanupTimer) clearInterval(cleanupTimer);
      cleanupTimer = undefined;
      await idle();
      const handles = [...pools.values()].flat().map((entry) => entry.handle);
      pools.clear();
      const sessions = [...live];
      conversations.clear();
      publish();
      await Promise.all([
        ...handles.map((handle) => handle.kill().catch(() => undefined)),
        ...sessions.map((session) => session.kill()),
      ]);
    },
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

function circuitOpenError(error: unknown, template: string): FragmentkitError {
  const details = FragmentkitError.isInstance(error) ? (error.details ?? {}) : {};
  const retryAfterMs = typeof details.retryAfterMs === 'number' ? details.retryAfterMs : undefined;
  const disabled = FragmentkitError.isInstance(error) && error.code === 'PROVIDER_AUTH';
  return new FragmentkitError(
    'SANDBOX_UNAVAILABLE',
    disabled
      ? 'E2B sandboxes are disabled after E2B rejected the credentials; fix E2B_API_KEY and reset the circuit breaker.'
      : `E2B sandboxes are unavailable (circuit ${String(details.state ?? 'open')}); previews resume${
          retryAfterMs === undefined ? ' later' : ` in about ${Math.ceil(retryAfterMs / 1000)} s`
        }.`,
    {
      cause: error,
      isRetryable: !disabled,
      details: {
        template,
        reason: disabled ? 'auth' : 'circuit-open',
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
    },
  );
}

function withAttempts(error: FragmentkitError, attempts: number): FragmentkitError {
  return new FragmentkitError(
    error.code,
    attempts > 1 ? `${error.message} (after ${attempts} attempts)` : error.message,
    {
      cause: error.cause,
      isRetryable: error.isRetryable,
      details: { ...error.details, attempts },
      ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
    },
  );
}

function abortError(signal: AbortSignal | undefined, cause?: unknown): FragmentkitError {
  if (FragmentkitError.isInstance(cause) && cause.code === 'ABORTED') return cause;
  return new FragmentkitError('ABORTED', 'Acquiring an E2B sandbox was aborted.', { cause: cause ?? signal?.reason });
}

function wholeNumber(name: string, value: number, minimum: number): number {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `E2B provider option ${name} must be a whole number of at least ${minimum}; got ${String(value)}.`,
      { details: { option: name, value: String(value) } },
    );
  }
  return value;
}
