import { describe, expect, it, vi } from 'vitest';
import { FragmentkitError } from '../errors.js';
import type { LanguageModel } from '../providers/types.js';
import {
  answer,
  drain,
  errors,
  rejectionOf,
  type ScriptedModel,
  type ScriptStep,
  scriptedModel,
} from './__fixtures__/scriptedModel.js';
import { createCircuitBreaker } from './circuitBreaker.js';
import { createManualClock, type ManualClock } from './manualClock.js';
import { createRouter } from './router.js';
import type { RouterOptions, RouterStreamEvent } from './routerTypes.js';
import type { RouterTarget } from './routeTarget.js';

const start = Date.UTC(2025, 0, 1);
const request = { system: 'You write code.', messages: [{ role: 'user' as const, content: 'A counter' }] };

function setup(
  scripts: Record<string, ScriptStep[]>,
  options: Partial<RouterOptions> & { targetOptions?: Record<string, Partial<RouterTarget>> } = {},
) {
  const clock = createManualClock(start);
  const models: Record<string, ScriptedModel> = {};
  const targets: Record<string, RouterTarget> = {};
  for (const [id, script] of Object.entries(scripts)) {
    models[id] = scriptedModel(`provider-${id}`, `model-${id}`, script);
    targets[id] = { model: models[id]!, ...options.targetOptions?.[id] };
  }
  const logs: Array<{ level: string; fields: Record<string, unknown>; message: string | undefined }> = [];
  const { targetOptions: _, ...routerOptions } = options;
  const router = createRouter({
    targets,
    routes: { generate: Object.keys(scripts) },
    clock,
    random: () => 0.5,
    logger: {
      info: (fields, message) => logs.push({ level: 'info', fields, message }),
      warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
    },
    ...routerOptions,
  });
  return { clock, models, router, logs };
}

/** Waits (in real time, for promise chains and p-retry's 0 ms timer) until the clock has exactly these timers pending. */
async function timersPending(clock: ManualClock, expected: number[]): Promise<void> {
  await vi.waitFor(() => expect(clock.pendingTimers()).toEqual(expected), { interval: 1, timeout: 2000 });
}

function texts(events: RouterStreamEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
}

function types(events: RouterStreamEvent[]): string[] {
  return events.map((event) => event.type);
}

describe('createRouter: answering', () => {
  it('streams the first target’s answer behind a start event and sends the request upstream', async () => {
    const { router, models } = setup({ primary: [answer('Hel', 'lo')], fallback: [answer('no')] });

    const { events, error } = await drain(
      await router.stream('generate', { ...request, temperature: 0.2, userKeys: { other: 'sk-x' } }),
    );

    expect(error).toBeUndefined();
    expect(events[0]).toEqual({
      type: 'start',
      targetId: 'primary',
      provider: 'provider-primary',
      model: 'model-primary',
    });
    expect(types(events)).toEqual(['start', 'text-delta', 'text-delta', 'finish']);
    expect(texts(events)).toBe('Hello');
    expect(models.primary!.requests).toHaveLength(1);
    const sent = models.primary!.requests[0]!;
    expect(sent).toMatchObject({ system: request.system, messages: request.messages, temperature: 0.2 });
    expect(sent).not.toHaveProperty('userKeys');
    expect(sent.signal).toBeInstanceOf(AbortSignal);
    expect(models.fallback!.requests).toHaveLength(0);
  });

  it('generate() collects the answer with its usage, target and attempts', async () => {
    const { router } = setup({ primary: [{ text: ['a', 'b'], usage: { inputTokens: 7, outputTokens: 2 } }] });

    const result = await router.generate('generate', request);

    expect(result).toEqual({
      text: 'ab',
      usage: { inputTokens: 7, outputTokens: 2 },
      finishReason: 'stop',
      targetId: 'primary',
      provider: 'provider-primary',
      model: 'model-primary',
      attempts: [
        { targetId: 'primary', provider: 'provider-primary', model: 'model-primary', outcome: 'ok', durationMs: 0 },
      ],
    });
  });

  it('resolves stream() only once the first token is in hand', async () => {
    const { router, clock } = setup(
      { primary: [{ text: ['late'], hangFirst: true }] },
      { timeouts: { firstTokenMs: 500 } },
    );
    let resolved = false;

    const pending = router.stream('generate', request).then((stream) => {
      resolved = true;
      return stream;
    });
    // Headers arrived at once; only the first-token timer is left.
    await timersPending(clock, [500]);

    expect(resolved).toBe(false);
    clock.advance(500);
    expect((await rejectionOf(pending)).code).toBe('PROVIDER_TIMEOUT');
  });
});

describe('createRouter: retries', () => {
  it('retries a 503 on the same target after full-jitter backoff on the clock', async () => {
    const { router, models, clock } = setup({ primary: [{ reject: errors.unavailable() }, answer('ok')] });

    const result = router.generate('generate', request);
    // minDelayMs 500 × random 0.5 for the first retry.
    await timersPending(clock, [250]);
    expect(models.primary!.requests).toHaveLength(1);
    clock.advance(249);
    await timersPending(clock, [1]);
    expect(models.primary!.requests).toHaveLength(1);
    clock.advance(1);

    const answered = await result;
    expect(answered.text).toBe('ok');
    expect(models.primary!.requests).toHaveLength(2);
    expect(answered.attempts.map((attempt) => attempt.outcome)).toEqual(['PROVIDER_UNAVAILABLE', 'ok']);
  });

  it('waits exactly the Retry-After of a 429 that is within the cap', async () => {
    const { router, models, clock } = setup({ primary: [{ reject: errors.rateLimited(3000) }, answer('ok')] });

    const result = router.generate('generate', request);
    await timersPending(clock, [3000]);
    clock.advance(2999);
    await timersPending(clock, [1]);
    expect(models.primary!.requests).toHaveLength(1);
    clock.advance(1);

    expect((await result).text).toBe('ok');
    expect((await result).attempts[0]).toMatchObject({ outcome: 'PROVIDER_RATE_LIMITED', retryAfterMs: 3000 });
  });

  it('moves to the next target at once when Retry-After is longer than the cap', async () => {
    const { router, models } = setup(
      { primary: [{ reject: errors.rateLimited(30_000) }], fallback: [answer('fallback')] },
      { retry: { maxRetryAfterMs: 20_000 } },
    );

    const result = await router.generate('generate', request);

    expect(result.targetId).toBe('fallback');
    expect(models.primary!.requests).toHaveLength(1);
  });

  it('gives each target a bounded number of attempts, then falls back', async () => {
    const { router, models, clock } = setup(
      { primary: [{ reject: errors.unavailable() }], fallback: [answer('fallback')] },
      { retry: { attempts: 3, minDelayMs: 100, maxDelayMs: 150 } },
    );

    const result = router.generate('generate', request);
    await timersPending(clock, [50]);
    clock.advance(50);
    // The second retry's ceiling is min(150, 100 × 2) = 150, half of it with random 0.5.
    await timersPending(clock, [75]);
    clock.advance(75);

    expect((await result).targetId).toBe('fallback');
    expect(models.primary!.requests).toHaveLength(3);
  });

  it('does not retry a bad request on the same model but tries the next target', async () => {
    const { router, models } = setup({ primary: [{ reject: errors.badRequest() }], fallback: [answer('ok')] });

    const result = await router.generate('generate', request);

    expect(result.targetId).toBe('fallback');
    expect(models.primary!.requests).toHaveLength(1);
  });

  it('moves on from a model that throws something other than a FragmentkitError, counting it against the target', async () => {
    const breaker = createCircuitBreaker();
    const broken: LanguageModel = {
      provider: 'custom',
      modelId: 'broken',
      stream: () => {
        throw new TypeError('fetch failed');
      },
    };
    const router = createRouter({
      targets: { primary: { model: broken }, fallback: { model: scriptedModel('openai', 'gpt-test', [answer('ok')]) } },
      routes: { generate: ['primary', 'fallback'] },
      breaker,
    });

    const result = await router.generate('generate', request);

    expect(result.attempts[0]).toMatchObject({ targetId: 'primary', outcome: 'INTERNAL' });
    expect(result.targetId).toBe('fallback');
    expect((await breaker.getState('primary')).failures).toBe(1);
  });

  it('stops on a content-policy refusal without trying other targets', async () => {
    const { router, models } = setup({
      primary: [{ reject: errors.badRequest('content_policy') }],
      fallback: [answer('x')],
    });

    const error = await rejectionOf(router.stream('generate', request));

    expect(error.code).toBe('PROVIDER_BAD_REQUEST');
    expect(error.details).toMatchObject({ reason: 'content_policy', attempts: [{ targetId: 'primary' }] });
    expect(models.fallback!.requests).toHaveLength(0);
  });

  it('after a context-length error tries only targets with a larger context window', async () => {
    const { router, models } = setup(
      {
        small: [{ reject: errors.badRequest('context_length') }],
        smaller: [answer('never')],
        unknown: [answer('never')],
        large: [answer('fits')],
      },
      {
        targetOptions: {
          small: { contextWindow: 32_000 },
          smaller: { contextWindow: 16_000 },
          large: { contextWindow: 200_000 },
        },
      },
    );

    const result = await router.generate('generate', request);

    expect(result.targetId).toBe('large');
    expect(models.small!.requests).toHaveLength(1);
    expect(models.smaller!.requests).toHaveLength(0);
    expect(models.unknown!.requests).toHaveLength(0);
  });

  it('fails with the context-length error when no larger target is left', async () => {
    const { router } = setup(
      { large: [{ reject: errors.badRequest('context_length') }], small: [answer('never')] },
      { targetOptions: { large: { contextWindow: 200_000 }, small: { contextWindow: 8_000 } } },
    );

    const error = await rejectionOf(router.stream('generate', request));

    expect(error.code).toBe('PROVIDER_BAD_REQUEST');
    expect(error.details).toMatchObject({ reason: 'context_length', attempts: [{ targetId: 'large' }] });
  });

  it('disables a target through the breaker on an authentication error and moves on', async () => {
    const { router, models } = setup({ primary: [{ reject: errors.auth() }], fallback: [answer('ok')] });

    expect((await router.generate('generate', request)).targetId).toBe('fallback');
    const second = await router.generate('generate', request);

    expect(models.primary!.requests).toHaveLength(1);
    expect(second.attempts[0]).toMatchObject({
      targetId: 'primary',
      outcome: 'PROVIDER_AUTH',
      reason: 'circuit-disabled',
    });
    expect(router.getSnapshot().targets.primary?.circuit).toBe('disabled');
  });
});

describe('createRouter: timeouts', () => {
  it('gives up on headers after headersMs, aborts the upstream request and falls back', async () => {
    const { router, models, clock } = setup({ primary: [{ hang: true }], fallback: [answer('ok')] });

    const result = router.generate('generate', request);
    await timersPending(clock, [10_000, 15_000]);
    clock.advance(10_000);

    const answered = await result;
    expect(answered.targetId).toBe('fallback');
    expect(answered.attempts[0]).toMatchObject({ outcome: 'PROVIDER_TIMEOUT', reason: 'headers', durationMs: 10_000 });
    expect(models.primary!.requests[0]!.signal!.aborted).toBe(true);
    expect(models.primary!.requests).toHaveLength(1);
  });

  it('gives up on the first token after firstTokenMs, with per-target overrides', async () => {
    const { router, clock } = setup(
      { primary: [{ text: ['x'], hangFirst: true }], fallback: [answer('ok')] },
      { targetOptions: { primary: { timeouts: { firstTokenMs: 2000 } } } },
    );

    const result = router.generate('generate', request);
    await timersPending(clock, [2000]);
    clock.advance(2000);

    expect((await result).attempts[0]).toMatchObject({ outcome: 'PROVIDER_TIMEOUT', reason: 'first-token' });
  });

  it('restarts on the next target when a stream stalls after output', async () => {
    const { router, models, clock } = setup({
      primary: [{ text: ['par', 'tial'], end: 'hang' }],
      fallback: [answer('whole')],
    });

    const stream = await router.stream('generate', request);
    const drained = drain(stream);
    await timersPending(clock, [30_000]);
    clock.advance(30_000);
    const { events, error } = await drained;

    expect(error).toBeUndefined();
    expect(types(events)).toEqual(['start', 'text-delta', 'text-delta', 'restart', 'text-delta', 'finish']);
    expect(events[3]).toEqual({
      type: 'restart',
      reason: 'PROVIDER_TIMEOUT',
      fromTargetId: 'primary',
      targetId: 'fallback',
      provider: 'provider-fallback',
      model: 'model-fallback',
    });
    expect(models.primary!.requests[0]!.signal!.aborted).toBe(true);
  });

  it('does not count a slow consumer against the idle timeout', async () => {
    const { router, clock } = setup({ primary: [answer('a', 'b')] }, { timeouts: { idleMs: 100 } });

    const reader = (await router.stream('generate', request)).getReader();
    await reader.read();
    await reader.read();
    clock.advance(10_000);
    const rest = [(await reader.read()).value, (await reader.read()).value];

    expect(rest.map((event) => event?.type)).toEqual(['text-delta', 'finish']);
  });
});

describe('createRouter: broken streams', () => {
  it('restarts after an in-band error, never gluing two answers, with usage from the answering target', async () => {
    const { router } = setup({
      primary: [{ text: ['Hel'], end: { error: errors.unavailable() }, usage: { inputTokens: 99, outputTokens: 99 } }],
      fallback: [{ text: ['Hello', ' world'], usage: { inputTokens: 5, outputTokens: 2 } }],
    });

    const result = await router.generate('generate', request);

    expect(result.text).toBe('Hello world');
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 2 });
    expect(result.attempts).toMatchObject([
      { targetId: 'primary', outcome: 'PROVIDER_UNAVAILABLE', partialOutput: true },
      { targetId: 'fallback', outcome: 'ok' },
    ]);
  });

  it('treats a stream that ends without finish as a failure', async () => {
    const { router, models } = setup({ primary: [{ text: ['cut'], end: 'close' }], fallback: [answer('whole')] });

    const { events } = await drain(await router.stream('generate', request));

    expect(types(events)).toEqual(['start', 'text-delta', 'restart', 'text-delta', 'finish']);
    expect(events[2]).toMatchObject({ reason: 'STREAM_INCOMPLETE' });
    expect(models.primary!.requests).toHaveLength(1);
  });

  it('retries a stream that broke before any output on the same target, without restart', async () => {
    const { router, models, clock } = setup({ primary: [{ text: [], end: 'close' }, answer('ok')] });

    const result = router.stream('generate', request);
    await timersPending(clock, [250]);
    clock.advance(250);
    const { events } = await drain(await result);

    expect(types(events)).toEqual(['start', 'text-delta', 'finish']);
    expect(models.primary!.requests).toHaveLength(2);
  });

  it('errors the stream with one typed error when every target fails after output, never finishing', async () => {
    const { router } = setup({
      primary: [{ text: ['a'], end: { error: errors.incomplete() } }],
      fallback: [{ text: ['b'], end: { error: errors.incomplete() } }],
    });

    const { events, error } = await drain(await router.stream('generate', request));

    expect(types(events)).toEqual(['start', 'text-delta', 'restart', 'text-delta']);
    expect(error?.code).toBe('STREAM_INCOMPLETE');
    expect(error?.details?.attempts).toMatchObject([
      { targetId: 'primary', outcome: 'STREAM_INCOMPLETE', partialOutput: true },
      { targetId: 'fallback', outcome: 'STREAM_INCOMPLETE', partialOutput: true },
    ]);
  });
});

describe('createRouter: when everything fails', () => {
  it('rejects with one error listing every attempt; one shared code is kept', async () => {
    const { router, clock } = setup(
      { primary: [{ hang: true }], fallback: [{ hang: true }] },
      { timeouts: { headersMs: 100 } },
    );

    const pending = router.stream('generate', request);
    await timersPending(clock, [100, 15_000]);
    clock.advance(100);
    await timersPending(clock, [100, 15_000]);
    clock.advance(100);
    const error = await rejectionOf(pending);

    expect(error.code).toBe('PROVIDER_TIMEOUT');
    expect(error.isRetryable).toBe(true);
    expect(error.details?.attempts).toEqual([
      expect.objectContaining({ targetId: 'primary', outcome: 'PROVIDER_TIMEOUT', durationMs: 100 }),
      expect.objectContaining({ targetId: 'fallback', outcome: 'PROVIDER_TIMEOUT', durationMs: 100 }),
    ]);
  });

  it('answers mixed failures with PROVIDER_UNAVAILABLE naming each attempt', async () => {
    const { router } = setup({ primary: [{ reject: errors.auth() }], fallback: [{ reject: errors.badRequest() }] });

    const error = await rejectionOf(router.stream('generate', request));

    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.message).toContain('primary PROVIDER_AUTH, fallback PROVIDER_BAD_REQUEST');
    expect(error.details?.lastError).toMatchObject({ code: 'PROVIDER_BAD_REQUEST' });
  });

  it('fails fast when every circuit is open, saying when the earliest may recover', async () => {
    const breakerClock = createManualClock(start);
    const breaker = createCircuitBreaker({ clock: breakerClock, failureThreshold: 1, resetTimeoutMs: 30_000 });
    const { router, models } = setup(
      { primary: [{ reject: errors.badRequest() }], fallback: [answer('never')] },
      { breaker, retry: { attempts: 1 } },
    );
    for (const target of ['primary', 'fallback']) await (await breaker.acquire(target)).failure(errors.unavailable());

    const error = await rejectionOf(router.stream('generate', request));

    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.details).toMatchObject({ retryAt: start + 30_000, retryAfterMs: 30_000 });
    expect(error.message).toContain(new Date(start + 30_000).toISOString());
    expect(models.primary!.requests).toHaveLength(0);
    expect(models.fallback!.requests).toHaveLength(0);
  });

  it('waits for the earliest circuit when allowed to, then answers', async () => {
    const clock = createManualClock(start);
    const breaker = createCircuitBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 30_000 });
    const primary = scriptedModel('anthropic', 'primary', [answer('recovered')]);
    const router = createRouter({
      targets: { primary: { model: primary } },
      routes: { generate: ['primary'] },
      clock,
      breaker,
      allTargetsOpen: { waitUpToMs: 60_000 },
    });
    await (await breaker.acquire('primary')).failure(errors.unavailable());

    const result = router.generate('generate', request);
    await timersPending(clock, [30_000]);
    expect(primary.requests).toHaveLength(0);
    clock.advance(30_000);

    expect((await result).text).toBe('recovered');
    expect((await result).attempts.map((attempt) => attempt.reason ?? attempt.outcome)).toEqual(['circuit-open', 'ok']);
  });

  it('does not wait for a circuit further away than waitUpToMs', async () => {
    const clock = createManualClock(start);
    const breaker = createCircuitBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 30_000 });
    const router = createRouter({
      targets: { primary: { model: scriptedModel('anthropic', 'primary', [answer('never')]) } },
      routes: { generate: ['primary'] },
      clock,
      breaker,
      allTargetsOpen: { waitUpToMs: 29_999 },
    });
    await (await breaker.acquire('primary')).failure(errors.unavailable());

    const error = await rejectionOf(router.stream('generate', request));

    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { retryAfterMs: 30_000 } });
  });
});

describe('createRouter: aborts', () => {
  it('stops a backoff wait at once when the caller aborts, without counting a failure', async () => {
    const { router, models, clock } = setup({ primary: [{ reject: errors.unavailable() }, answer('never')] });
    const controller = new AbortController();

    const pending = router.stream('generate', { ...request, signal: controller.signal });
    await timersPending(clock, [250]);
    controller.abort();
    const error = await rejectionOf(pending);

    expect(error.code).toBe('ABORTED');
    expect(clock.pendingTimers()).toEqual([]);
    expect(models.primary!.requests).toHaveLength(1);
  });

  it('aborts the upstream request mid-stream and errors the stream with ABORTED', async () => {
    const { router, models, clock } = setup({ primary: [{ text: ['a'], end: 'hang' }], fallback: [answer('never')] });
    const controller = new AbortController();

    const stream = await router.stream('generate', { ...request, signal: controller.signal });
    const drained = drain(stream);
    await timersPending(clock, [30_000]);
    controller.abort();
    const { events, error } = await drained;

    expect(types(events)).toEqual(['start', 'text-delta']);
    expect(error?.code).toBe('ABORTED');
    expect(error?.details?.attempts).toMatchObject([{ targetId: 'primary', outcome: 'ABORTED', partialOutput: true }]);
    expect(models.primary!.requests[0]!.signal!.aborted).toBe(true);
    expect(models.fallback!.requests).toHaveLength(0);
    expect(router.getSnapshot().targets.primary).toMatchObject({
      circuit: 'closed',
      recentAttempts: 0,
      lastError: undefined,
    });
  });

  it('rejects an already aborted request without calling any model', async () => {
    const { router, models } = setup({ primary: [answer('never')] });

    const error = await rejectionOf(router.stream('generate', { ...request, signal: AbortSignal.abort() }));

    expect(error.code).toBe('ABORTED');
    expect(models.primary!.requests).toHaveLength(0);
  });

  it('cancels the upstream request when the consumer cancels the stream', async () => {
    const { router, models, clock } = setup({ primary: [answer('a', 'b', 'c')] });

    const reader = (await router.stream('generate', request)).getReader();
    await reader.read();
    await reader.cancel();

    expect(models.primary!.requests[0]!.signal!.aborted).toBe(true);
    expect(clock.pendingTimers()).toEqual([]);
  });
});

describe('createRouter: bring your own key', () => {
  function byok(houseKey: string | undefined, onBuild: (apiKey: string | undefined) => void, script: ScriptStep[]) {
    return {
      model: (credentials?: { apiKey: string }): LanguageModel => {
        const apiKey = credentials?.apiKey ?? houseKey;
        if (!apiKey) throw new FragmentkitError('PROVIDER_NOT_CONFIGURED', 'The anthropic model needs `apiKey`.');
        onBuild(apiKey);
        return scriptedModel('anthropic', 'claude-test', script);
      },
      provider: 'anthropic',
      allowUserKey: true,
    } satisfies RouterTarget;
  }

  it('builds the model with the caller’s key for its provider, and the house model otherwise', async () => {
    const built: Array<string | undefined> = [];
    const router = createRouter({
      targets: { primary: byok('house-key', (key) => built.push(key), [answer('ok')]) },
      routes: { generate: ['primary'] },
    });

    const withKey = await router.generate('generate', { ...request, userKeys: { anthropic: 'user-key' } });
    await router.generate('generate', request);
    await router.generate('generate', request);

    expect(built).toEqual(['user-key', 'house-key']);
    expect(withKey.attempts[0]).toMatchObject({ userKey: true, outcome: 'ok' });
  });

  it('never disables the shared circuit because a user’s key was rejected', async () => {
    const breaker = createCircuitBreaker();
    const router = createRouter({
      targets: { primary: byok('house-key', () => {}, [{ reject: errors.auth() }]) },
      routes: { generate: ['primary'] },
      breaker,
    });

    const error = await rejectionOf(router.stream('generate', { ...request, userKeys: { anthropic: 'bad' } }));

    expect(error.code).toBe('PROVIDER_AUTH');
    expect((await breaker.getState('primary')).state).toBe('closed');
  });

  it('skips a user-key-only target for requests without a key', async () => {
    const router = createRouter({
      targets: {
        byok: byok(undefined, () => {}, [answer('user')]),
        house: { model: scriptedModel('openai', 'gpt-test', [answer('house')]) },
      },
      routes: { generate: ['byok', 'house'] },
    });

    const result = await router.generate('generate', request);

    expect(result.targetId).toBe('house');
    expect(result.attempts[0]).toMatchObject({ targetId: 'byok', outcome: 'PROVIDER_NOT_CONFIGURED' });
  });

  it('respects a circuit that is open because the target failed, even with the caller’s key', async () => {
    const clock = createManualClock(start);
    const breaker = createCircuitBreaker({ clock, failureThreshold: 1 });
    const built: Array<string | undefined> = [];
    const router = createRouter({
      targets: {
        primary: byok('house-key', (key) => built.push(key), [answer('never')]),
        fallback: { model: scriptedModel('openai', 'gpt-test', [answer('fallback')]) },
      },
      routes: { generate: ['primary', 'fallback'] },
      clock,
      breaker,
    });
    await (await breaker.acquire('primary')).failure(errors.unavailable());

    const result = await router.generate('generate', { ...request, userKeys: { anthropic: 'user-key' } });

    expect(result.targetId).toBe('fallback');
    expect(result.attempts[0]).toMatchObject({ targetId: 'primary', reason: 'circuit-open', userKey: true });
  });

  it('rejects allowUserKey on a model that is not a factory', () => {
    expect(() =>
      createRouter({
        targets: { primary: { model: scriptedModel('a', 'b', []), allowUserKey: true } },
        routes: { generate: ['primary'] },
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});

describe('createRouter: health snapshot', () => {
  it('reports who answered each task, with latency percentiles and error rates per target', async () => {
    const { router, clock } = setup(
      { primary: [{ reject: errors.badRequest() }, answer('a')], fallback: [{ text: ['x', 'y'], hangFirst: false }] },
      { retry: { attempts: 1 } },
    );

    await router.generate('generate', request);
    const snapshot = router.getSnapshot();

    expect(snapshot.lastAnsweredBy.generate).toEqual({
      targetId: 'fallback',
      provider: 'provider-fallback',
      model: 'model-fallback',
      fallback: true,
      at: clock.now(),
    });
    expect(snapshot.targets.fallback).toMatchObject({
      circuit: 'closed',
      recentErrorRate: 0,
      recentAttempts: 1,
      timeToFirstTokenMs: { p50: 0, p95: 0, samples: 1 },
      totalMs: { p50: 0, p95: 0, samples: 1 },
      lastError: undefined,
    });
    // A bad request is about the request, not the target's health.
    expect(snapshot.targets.primary).toMatchObject({
      recentAttempts: 0,
      lastError: { code: 'PROVIDER_BAD_REQUEST', at: clock.now() },
    });
    expect(Object.isFrozen(snapshot.targets.primary)).toBe(true);
  });

  it('measures time to first token and total time on the router clock', async () => {
    const clock = createManualClock(start);
    const gates: Array<() => void> = [];
    const gate = () => new Promise<void>((resolve) => gates.push(resolve));
    const model: LanguageModel = {
      provider: 'anthropic',
      modelId: 'gated',
      async stream() {
        let step = 0;
        return new ReadableStream(
          {
            async pull(controller) {
              step += 1;
              await gate();
              if (step === 1) controller.enqueue({ type: 'text-delta', text: 'x' });
              else {
                controller.enqueue({
                  type: 'finish',
                  finishReason: 'stop',
                  usage: { inputTokens: 1, outputTokens: 1 },
                });
                controller.close();
              }
            },
          },
          { highWaterMark: 0 },
        );
      },
    };
    const router = createRouter({ targets: { primary: { model } }, routes: { generate: ['primary'] }, clock });
    const answerAfter = async (firstTokenMs: number, restMs: number) => {
      const result = router.generate('generate', request);
      await vi.waitFor(() => expect(gates).toHaveLength(1), { interval: 1 });
      clock.advance(firstTokenMs);
      gates.shift()!();
      await vi.waitFor(() => expect(gates).toHaveLength(1), { interval: 1 });
      clock.advance(restMs);
      gates.shift()!();
      return result;
    };

    await answerAfter(1000, 500);
    await answerAfter(3000, 1000);

    expect(router.getSnapshot().targets.primary).toMatchObject({
      timeToFirstTokenMs: { p50: 1000, p95: 3000, samples: 2 },
      totalMs: { p50: 1500, p95: 4000, samples: 2 },
      recentErrorRate: 0,
      recentAttempts: 2,
    });
  });

  it('keeps the same snapshot until something changes and tells subscribers', async () => {
    const { router } = setup({ primary: [answer('a')] });
    const listener = vi.fn();
    const before = router.getSnapshot();

    expect(router.getSnapshot()).toBe(before);
    const unsubscribe = router.subscribe(listener);
    await router.generate('generate', request);
    const after = router.getSnapshot();
    unsubscribe();

    expect(listener).toHaveBeenCalled();
    expect(after).not.toBe(before);
    expect(router.getSnapshot()).toBe(after);
    expect(before.lastAnsweredBy).toEqual({});
  });

  it('uses the primary again once it recovers: half-open probes close the circuit', async () => {
    const clock = createManualClock(start);
    const breaker = createCircuitBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 10_000, successesToClose: 1 });
    const primary = scriptedModel('anthropic', 'primary', [{ reject: errors.unavailable() }, answer('back')]);
    const router = createRouter({
      targets: {
        primary: { model: primary },
        fallback: { model: scriptedModel('openai', 'fallback', [answer('fb')]) },
      },
      routes: { generate: ['primary', 'fallback'] },
      clock,
      breaker,
      retry: { attempts: 1 },
    });

    expect((await router.generate('generate', request)).targetId).toBe('fallback');
    expect(router.getSnapshot().targets.primary?.circuit).toBe('open');
    expect((await router.generate('generate', request)).targetId).toBe('fallback');
    expect(primary.requests).toHaveLength(1);
    clock.advance(10_000);
    const recovered = await router.generate('generate', request);

    expect(recovered.targetId).toBe('primary');
    expect(router.getSnapshot().targets.primary?.circuit).toBe('closed');
    expect(router.getSnapshot().lastAnsweredBy.generate).toMatchObject({ targetId: 'primary', fallback: false });
  });
});

describe('createRouter: hooks', () => {
  it('hands each complete answer to onAnswer before finish, with the answering target’s usage', async () => {
    const answers: unknown[] = [];
    const { router } = setup(
      {
        primary: [{ text: ['x'], end: 'close', usage: { inputTokens: 50, outputTokens: 50 } }],
        fallback: [{ text: ['ok'], usage: { inputTokens: 3, outputTokens: 1 } }],
      },
      { onAnswer: (value) => void answers.push(value) },
    );

    await router.generate('generate', request);

    expect(answers).toEqual([
      expect.objectContaining({
        task: 'generate',
        text: 'ok',
        usage: { inputTokens: 3, outputTokens: 1 },
        targetId: 'fallback',
        userKey: false,
        cached: false,
        attempts: [expect.objectContaining({ targetId: 'primary' }), expect.objectContaining({ outcome: 'ok' })],
      }),
    ]);
  });

  it('logs an onAnswer hook that throws and still delivers the answer', async () => {
    const { router, logs } = setup(
      { primary: [answer('ok')] },
      {
        onAnswer: () => {
          throw new Error('quota store down');
        },
      },
    );

    expect((await router.generate('generate', request)).text).toBe('ok');
    expect(logs.filter((log) => log.level === 'warn')).toHaveLength(1);
  });

  it('serves a beforeRoute replay without calling a model, and lets beforeRoute refuse a request', async () => {
    const replay = {
      text: 'cached answer',
      usage: { inputTokens: 0, outputTokens: 0 },
      finishReason: 'stop' as const,
      targetId: 'primary',
      provider: 'provider-primary',
      model: 'model-primary',
    };
    const { router, models } = setup(
      { primary: [answer('fresh')] },
      {
        beforeRoute: ({ request: routed }) => {
          if (routed.messages[0]?.content === 'over quota')
            throw new FragmentkitError('QUOTA_EXCEEDED', 'No tokens left.');
          return routed.messages[0]?.content === 'cached' ? replay : undefined;
        },
      },
    );

    const { events } = await drain(
      await router.stream('generate', { ...request, messages: [{ role: 'user', content: 'cached' }] }),
    );
    const refused = await rejectionOf(
      router.stream('generate', { ...request, messages: [{ role: 'user', content: 'over quota' }] }),
    );

    expect(events).toEqual([
      { type: 'start', targetId: 'primary', provider: 'provider-primary', model: 'model-primary', cached: true },
      { type: 'text-delta', text: 'cached answer' },
      { type: 'finish', finishReason: 'stop', usage: replay.usage },
    ]);
    expect(refused.code).toBe('QUOTA_EXCEEDED');
    expect(models.primary!.requests).toHaveLength(0);
  });
});

describe('createRouter: validation', () => {
  const model = scriptedModel('a', 'b', [answer('x')]);

  it.each([
    ['no targets', { targets: {}, routes: { generate: ['a'] } }],
    ['an unknown target in a route', { targets: { a: { model } }, routes: { generate: ['a', 'b'] } }],
    ['an empty route', { targets: { a: { model } }, routes: { generate: [] } }],
    ['a target listed twice', { targets: { a: { model } }, routes: { generate: ['a', 'a'] } }],
    ['a bad timeout', { targets: { a: { model, timeouts: { idleMs: -1 } } }, routes: { generate: ['a'] } }],
    ['a bad context window', { targets: { a: { model, contextWindow: 0 } }, routes: { generate: ['a'] } }],
    ['zero attempts', { targets: { a: { model } }, routes: { generate: ['a'] }, retry: { attempts: 0 } }],
    ['a bad allTargetsOpen', { targets: { a: { model } }, routes: { generate: ['a'] }, allTargetsOpen: 'wait' }],
  ])('rejects %s with INVALID_REQUEST', (_, options) => {
    expect(() => createRouter(options as RouterOptions)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it('rejects an unknown task and a malformed request with INVALID_REQUEST', async () => {
    const router = createRouter({ targets: { a: { model } }, routes: { generate: ['a'] } });

    expect((await rejectionOf(router.stream('edit', request))).details).toMatchObject({ tasks: ['generate'] });
    expect((await rejectionOf(router.stream('generate', { system: '' } as never))).code).toBe('INVALID_REQUEST');
    expect(model.requests).toHaveLength(0);
  });
});
