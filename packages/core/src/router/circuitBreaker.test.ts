import { afterEach, describe, expect, it, vi } from 'vitest';
import { FragmentkitError } from '../errors.js';
import type { BreakerOutcome, BreakerStore } from './breakerStore.js';
import { createMemoryBreakerStore } from './breakerStoreMemory.js';
import { type CircuitBreakerOptions, createCircuitBreaker } from './circuitBreaker.js';
import { classifyBreakerError } from './circuitBreakerClassify.js';

const start = Date.UTC(2025, 0, 1);
const target = 'anthropic:claude-sonnet-4-5';

const unavailable = () => new FragmentkitError('PROVIDER_UNAVAILABLE', '529 overloaded', { statusCode: 529 });
const rateLimited = (retryAfterMs?: number) =>
  new FragmentkitError('PROVIDER_RATE_LIMITED', '429 Too Many Requests', {
    statusCode: 429,
    ...(retryAfterMs === undefined ? {} : { details: { retryAfterMs } }),
  });

/** A memory store that records what the breaker sends it and can be made to fail. */
function recordingStore() {
  const inner = createMemoryBreakerStore();
  const outcomes: BreakerOutcome[] = [];
  const operations: string[] = [];
  const control = { failing: false };
  function guard(operation: string): void {
    operations.push(operation);
    if (control.failing) throw new Error('ECONNREFUSED 127.0.0.1:6379');
  }
  const store: BreakerStore = {
    async tryAcquire(...args) {
      guard('tryAcquire');
      return inner.tryAcquire(...args);
    },
    async recordResult(name, ticket, outcome, now, config) {
      guard('recordResult');
      outcomes.push(outcome);
      return inner.recordResult(name, ticket, outcome, now, config);
    },
    async get(...args) {
      guard('get');
      return inner.get(...args);
    },
    async reset(...args) {
      guard('reset');
      return inner.reset(...args);
    },
  };
  return { store, outcomes, operations, control };
}

function setup(options: CircuitBreakerOptions = {}) {
  const recording = recordingStore();
  let time = start;
  const breaker = createCircuitBreaker({ store: recording.store, clock: { now: () => time }, ...options });
  return {
    breaker,
    ...recording,
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
    async fail(error: unknown = unavailable(), name = target) {
      const permit = await breaker.acquire(name);
      await permit.failure(error);
    },
    async succeed(name = target) {
      const permit = await breaker.acquire(name);
      await permit.success();
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<FragmentkitError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!FragmentkitError.isInstance(error)) throw new Error(`expected a FragmentkitError, got ${String(error)}`);
  return error;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createCircuitBreaker with default settings', () => {
  it('opens after 5 failures within 60 s and fails fast saying when to retry', async () => {
    const { breaker, fail, advance, now } = setup();
    for (let index = 0; index < 4; index += 1) await fail();
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ state: 'closed', failures: 4 });
    advance(1_000);
    await fail();
    const openedAt = now();

    const error = await rejection(breaker.acquire(target));
    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.isRetryable).toBe(true);
    expect(error.message).toBe(
      `Circuit for ${target} is open; retry after ${new Date(openedAt + 30_000).toISOString()}`,
    );
    expect(error.details).toEqual({ target, state: 'open', retryAt: openedAt + 30_000, retryAfterMs: 30_000 });
  });

  it('forgets failures older than the 60 s window', async () => {
    const { breaker, fail, advance } = setup();
    for (let index = 0; index < 4; index += 1) await fail();
    advance(60_000);
    for (let index = 0; index < 4; index += 1) await fail();
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ state: 'closed', failures: 4, calls: 4 });
    await fail();
    expect(breaker.getSnapshot().targets[target]!.state).toBe('open');
  });

  it('opens at a 50% failure rate once 10 calls are in the window, not before', async () => {
    const { breaker, fail, succeed } = setup({ failureThreshold: 100 });
    for (let index = 0; index < 5; index += 1) await succeed();
    for (let index = 0; index < 4; index += 1) await fail();
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ state: 'closed', calls: 9, failures: 4 });
    await fail();
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ state: 'open', calls: 10, failureRate: 0.5 });
  });

  it('stays open 30 s, doubling on each failed probe up to 5 minutes, and starts at 30 s after a full close', async () => {
    const { breaker, fail, succeed, advance } = setup();
    for (let index = 0; index < 5; index += 1) await fail();
    const openTimes: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const snapshot = breaker.getSnapshot().targets[target]!;
      openTimes.push(snapshot.retryAt! - snapshot.openedAt!);
      advance(snapshot.retryAt! - snapshot.openedAt!);
      await fail();
    }
    expect(openTimes).toEqual([30_000, 60_000, 120_000, 240_000, 300_000]);
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ consecutiveOpens: 6 });

    advance(300_000);
    await succeed();
    await succeed();
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ state: 'closed', consecutiveOpens: 0 });
    for (let index = 0; index < 5; index += 1) await fail();
    const reopened = breaker.getSnapshot().targets[target]!;
    expect(reopened.retryAt! - reopened.openedAt!).toBe(30_000);
  });

  it('admits one probe at a time when half-open and closes after 2 probe successes', async () => {
    const { breaker, fail, advance, now } = setup();
    for (let index = 0; index < 5; index += 1) await fail();
    advance(30_000);

    const probe = await breaker.acquire(target);
    expect(probe.isProbe).toBe(true);
    const busy = await rejection(breaker.acquire(target));
    expect(busy.code).toBe('PROVIDER_UNAVAILABLE');
    expect(busy.message).toBe(
      `Circuit for ${target} is half-open and its 1 probe slot(s) are in use; retry after ${new Date(now() + 120_000).toISOString()}`,
    );
    expect(busy.details).toMatchObject({ state: 'half-open', retryAt: now() + 120_000 });

    await probe.success();
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ state: 'half-open', probeSuccesses: 1 });
    const second = await breaker.acquire(target);
    expect(second.isProbe).toBe(true);
    await second.success();
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ state: 'closed', calls: 0, failures: 0 });
    expect((await breaker.acquire(target)).isProbe).toBe(false);
  });

  it('re-opens for 60 s when a probe fails', async () => {
    const { breaker, fail, advance, now } = setup();
    for (let index = 0; index < 5; index += 1) await fail();
    advance(30_000);
    await fail();
    expect(breaker.getSnapshot().targets[target]).toMatchObject({
      state: 'open',
      openedAt: now(),
      retryAt: now() + 60_000,
      consecutiveOpens: 2,
    });
  });
});

describe('error classes', () => {
  it('opens for exactly the retryAfterMs of a 429', async () => {
    const { breaker, fail, advance, outcomes, now } = setup();
    await fail(rateLimited(7_500));
    expect(outcomes).toEqual([
      {
        type: 'rate-limited',
        retryAfterMs: 7_500,
        error: { code: 'PROVIDER_RATE_LIMITED', message: '429 Too Many Requests' },
      },
    ]);
    const error = await rejection(breaker.acquire(target));
    expect(error.details).toEqual({ target, state: 'open', retryAt: now() + 7_500, retryAfterMs: 7_500 });
    advance(7_499);
    await expect(breaker.acquire(target)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    advance(1);
    expect((await breaker.acquire(target)).isProbe).toBe(true);
  });

  it('counts a 429 without retryAfterMs as an ordinary failure', async () => {
    const { breaker, fail, outcomes } = setup();
    await fail(rateLimited());
    expect(outcomes).toEqual([
      { type: 'failure', error: { code: 'PROVIDER_RATE_LIMITED', message: '429 Too Many Requests' } },
    ]);
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ state: 'closed', failures: 1 });
  });

  it('never counts a 400, however many there are', async () => {
    const { breaker, fail, outcomes } = setup();
    const badRequest = new FragmentkitError('PROVIDER_BAD_REQUEST', 'prompt is too long', { statusCode: 400 });
    for (let index = 0; index < 20; index += 1) await fail(badRequest);
    expect(outcomes).toHaveLength(20);
    expect(outcomes.every((outcome) => outcome.type === 'ignore')).toBe(true);
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ state: 'closed', calls: 0, failures: 0 });
  });

  it('disables the target on a 401 until it is reset, naming it in a PROVIDER_AUTH error', async () => {
    const { breaker, fail, advance } = setup();
    await fail(new FragmentkitError('PROVIDER_AUTH', 'invalid x-api-key', { statusCode: 401 }));
    advance(24 * 3_600_000);
    const error = await rejection(breaker.acquire(target));
    expect(error.code).toBe('PROVIDER_AUTH');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain(
      `Circuit for ${target} is disabled after an authentication error (invalid x-api-key)`,
    );
    expect(error.details).toEqual({
      target,
      state: 'disabled',
      lastError: { code: 'PROVIDER_AUTH', message: 'invalid x-api-key' },
    });
    await breaker.reset(target);
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ state: 'closed', lastError: undefined });
    expect((await breaker.acquire(target)).isProbe).toBe(false);
  });

  it('uses a custom classify', async () => {
    const { breaker, fail, outcomes } = setup({ classify: () => 'disable' });
    await fail(new Error('whatever'));
    expect(outcomes).toEqual([{ type: 'disable', error: { code: 'Error', message: 'whatever' } }]);
    expect(breaker.getSnapshot().targets[target]!.state).toBe('disabled');
  });

  it('classifies errors by code by default', () => {
    const classes = Object.fromEntries(
      (
        [
          'PROVIDER_UNAVAILABLE',
          'PROVIDER_TIMEOUT',
          'STREAM_INCOMPLETE',
          'PROVIDER_AUTH',
          'PROVIDER_BAD_REQUEST',
          'ABORTED',
          'INVALID_REQUEST',
          'CONTEXT_TOO_LARGE',
          'PROVIDER_RATE_LIMITED',
        ] as const
      ).map((code) => [code, classifyBreakerError(new FragmentkitError(code, code))]),
    );
    expect(classes).toEqual({
      PROVIDER_UNAVAILABLE: 'failure',
      PROVIDER_TIMEOUT: 'failure',
      STREAM_INCOMPLETE: 'failure',
      PROVIDER_AUTH: 'disable',
      PROVIDER_BAD_REQUEST: 'ignore',
      ABORTED: 'ignore',
      INVALID_REQUEST: 'ignore',
      CONTEXT_TOO_LARGE: 'ignore',
      PROVIDER_RATE_LIMITED: 'failure',
    });
    expect(classifyBreakerError(rateLimited(1_000))).toBe('rate-limited');
    expect(classifyBreakerError(rateLimited(-1))).toBe('failure');
    const quota = Object.assign(new FragmentkitError('INVALID_REQUEST', 'quota'), { code: 'QUOTA_EXCEEDED' });
    expect(classifyBreakerError(quota)).toBe('ignore');
    expect(classifyBreakerError(new DOMException('stopped', 'AbortError'))).toBe('ignore');
    expect(classifyBreakerError(new TypeError('fetch failed'))).toBe('failure');
  });
});

describe('permits', () => {
  it('count only their first report', async () => {
    const { breaker, outcomes } = setup();
    const failed = await breaker.acquire(target);
    await failed.failure(unavailable());
    await failed.failure(unavailable());
    await failed.success();
    const succeeded = await breaker.acquire(target);
    await succeeded.success();
    await succeeded.failure(unavailable());
    expect(outcomes.map((outcome) => outcome.type)).toEqual(['failure', 'success']);
    expect(breaker.getSnapshot().targets[target]).toMatchObject({ calls: 2, failures: 1 });
  });
});

describe('snapshot and subscribe', () => {
  it('reports per-target counts, rate, times and the last error, as a frozen object stable between changes', async () => {
    const { breaker, fail, succeed } = setup();
    await fail();
    await fail(new FragmentkitError('PROVIDER_TIMEOUT', 'no first byte after 30 s'));
    await succeed();
    const snapshot = breaker.getSnapshot();
    expect(snapshot.targets[target]).toEqual({
      target,
      state: 'closed',
      failures: 2,
      calls: 3,
      failureRate: 2 / 3,
      openedAt: undefined,
      retryAt: undefined,
      consecutiveOpens: 0,
      probesInFlight: 0,
      probeSuccesses: 0,
      lastError: { code: 'PROVIDER_TIMEOUT', message: 'no first byte after 30 s' },
    });
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.targets[target])).toBe(true);
    await breaker.acquire(target);
    expect(breaker.getSnapshot()).toBe(snapshot);
  });

  it('notifies subscribers of each change until they unsubscribe', async () => {
    const { breaker, fail, advance } = setup({ failureThreshold: 2 });
    const states: string[] = [];
    const unsubscribe = breaker.subscribe(() => states.push(breaker.getSnapshot().targets[target]!.state));
    await fail();
    await fail();
    await expect(breaker.acquire(target)).rejects.toThrow();
    advance(30_000);
    expect(await breaker.getState(target)).toMatchObject({ state: 'half-open' });
    unsubscribe();
    await breaker.reset(target);
    expect(states).toEqual(['closed', 'closed', 'open', 'half-open']);
    expect(breaker.getSnapshot().targets[target]!.state).toBe('closed');
  });

  it('tells when the earliest of several targets may recover', async () => {
    const { breaker, fail, advance, now } = setup({ failureThreshold: 1 });
    await fail(unavailable(), 'a');
    advance(10_000);
    await fail(rateLimited(5_000), 'b');
    await fail(new FragmentkitError('PROVIDER_AUTH', '403'), 'c');
    expect(breaker.earliestRetryAt(['a', 'b', 'c'])).toBe(now() + 5_000);
    expect(breaker.earliestRetryAt(['a', 'c'])).toBe(now() + 20_000);
    expect(breaker.earliestRetryAt(['c'])).toBeUndefined();
    expect(breaker.earliestRetryAt(['a', 'never-used'])).toBe(now());
  });
});

describe('store failures', () => {
  it('serves a call from memory when the store fails, reports it, and uses the store again on the next call', async () => {
    const reports: unknown[] = [];
    const { breaker, control, operations, outcomes } = setup({
      onStoreError: (error, context) => reports.push({ message: (error as Error).message, ...context }),
    });
    control.failing = true;
    const fromFallback = await breaker.acquire(target);
    await fromFallback.failure(unavailable());
    expect(reports).toEqual([{ message: 'ECONNREFUSED 127.0.0.1:6379', operation: 'tryAcquire', target }]);
    expect(operations).toEqual(['tryAcquire']);

    control.failing = false;
    const fromStore = await breaker.acquire(target);
    await fromStore.failure(unavailable());
    expect(operations).toEqual(['tryAcquire', 'tryAcquire', 'recordResult']);
    expect(outcomes).toHaveLength(1);
    expect(reports).toHaveLength(1);
  });

  it('falls back when recording a result fails', async () => {
    const reports: string[] = [];
    const { breaker, control } = setup({ onStoreError: (_error, context) => reports.push(context.operation) });
    const permit = await breaker.acquire(target);
    control.failing = true;
    await expect(permit.failure(unavailable())).resolves.toBeUndefined();
    expect(reports).toEqual(['recordResult']);
  });

  it('warns on the console once per outage when no onStoreError is given', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { breaker, control } = setup();
    control.failing = true;
    await breaker.acquire(target);
    await breaker.acquire(target);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain('circuit breaker store failed (tryAcquire');
    control.failing = false;
    await breaker.acquire(target);
    control.failing = true;
    await breaker.acquire(target);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('clears in-memory fallback state on reset', async () => {
    const { breaker, control, fail } = setup({ failureThreshold: 1, onStoreError: () => {} });
    control.failing = true;
    await fail();
    await expect(breaker.acquire(target)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    control.failing = false;
    await breaker.reset(target);
    control.failing = true;
    expect((await breaker.acquire(target)).isProbe).toBe(false);
  });
});

describe('options', () => {
  it.each([
    [{ failureThreshold: 0 }, 'failureThreshold'],
    [{ windowMs: 1.5 }, 'windowMs'],
    [{ halfOpenMaxProbes: Number.NaN }, 'halfOpenMaxProbes'],
    [{ failureRateThreshold: 1.5 }, 'failureRateThreshold'],
    [{ failureRateThreshold: 0 }, 'failureRateThreshold'],
    [{ resetTimeoutMs: 60_000, maxResetTimeoutMs: 30_000 }, 'maxResetTimeoutMs'],
  ] as const)('rejects %o with INVALID_REQUEST naming %s', (options, option) => {
    expect(() => createCircuitBreaker(options)).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST', details: expect.objectContaining({ option }) }),
    );
  });

  it('lets a long resetTimeoutMs raise the default cap', async () => {
    const { breaker, fail } = setup({ resetTimeoutMs: 600_000, failureThreshold: 1 });
    await fail();
    const snapshot = breaker.getSnapshot().targets[target]!;
    expect(snapshot.retryAt! - snapshot.openedAt!).toBe(600_000);
  });
});
