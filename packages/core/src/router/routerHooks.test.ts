import { describe, expect, it } from 'vitest';
import { createMemoryResponseCache } from '../cache/memoryResponseCache.js';
import type { CachedResponse, ResponseCache } from '../cache/responseCache.js';
import { responseCacheKey } from '../cache/responseCacheKey.js';
import { createPriceTable } from '../cost/priceTable.js';
import { createQuota } from '../quota/quota.js';
import {
  answer,
  drain,
  rejectionOf,
  type ScriptedModel,
  type ScriptStep,
  scriptedModel,
} from './__fixtures__/scriptedModel.js';
import { createManualClock } from './manualClock.js';
import { createRouter } from './router.js';
import { createRouterHooks, type RouterHooksOptions } from './routerHooks.js';
import type { RouterAnswer, RouterRequest } from './routerTypes.js';

const start = Date.UTC(2025, 0, 1);
const request: RouterRequest = {
  system: 'You write code.',
  messages: [{ role: 'user', content: 'A counter' }],
  subject: { userId: 'u1', teamId: 't1' },
};
// Prices per million tokens: 1 USD in, 2 USD out.
const prices = createPriceTable(
  { 'model-primary': { input: 1, output: 2 }, 'model-fallback': { input: 1, output: 2 } },
  { base: {} },
);

function setup(scripts: Record<string, ScriptStep[]>, hooks: RouterHooksOptions) {
  const clock = createManualClock(start);
  const models: Record<string, ScriptedModel> = {};
  for (const [id, script] of Object.entries(scripts))
    models[id] = scriptedModel(`provider-${id}`, `model-${id}`, script);
  const warnings: unknown[] = [];
  const router = createRouter({
    targets: Object.fromEntries(Object.entries(models).map(([id, model]) => [id, { model }])),
    routes: { generate: Object.keys(scripts) },
    clock,
    random: () => 0.5,
    logger: { info() {}, warn: (fields) => void warnings.push(fields) },
    ...createRouterHooks({ clock, ...hooks }),
  });
  return { router, models, clock, warnings };
}

/** A cache that records what it is asked, so tests see every key looked up and every entry stored. */
function recordingCache() {
  const inner = createMemoryResponseCache();
  const gets: string[] = [];
  const sets: Array<{ key: string; value: CachedResponse; ttlMs: number | undefined }> = [];
  const cache: ResponseCache = {
    get: (key) => {
      gets.push(key);
      return inner.get(key);
    },
    set: (key, value, ttlMs) => {
      sets.push({ key, value, ttlMs });
      return inner.set(key, value, ttlMs);
    },
  };
  return { cache, gets, sets };
}

const keyFor = (target: string, routed: RouterRequest = request) =>
  responseCacheKey({
    provider: `provider-${target}`,
    model: `model-${target}`,
    system: routed.system,
    messages: routed.messages,
  });

describe('createRouterHooks: cache', () => {
  it('stores a complete answer under its target’s key, then serves the same request from the cache at zero usage', async () => {
    const { cache, sets } = recordingCache();
    const { router, models } = setup({ primary: [answer('Hel', 'lo')] }, { cache, cacheTtlMs: 60_000 });

    const first = await router.generate('generate', request);
    const second = await drain(await router.stream('generate', { ...request, signal: new AbortController().signal }));

    expect(first.text).toBe('Hello');
    expect(sets).toEqual([
      {
        key: await keyFor('primary'),
        ttlMs: 60_000,
        value: {
          events: [
            { type: 'text-delta', text: 'Hello' },
            { type: 'finish', finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 2 } },
          ],
          createdAt: start,
          provider: 'provider-primary',
          model: 'model-primary',
        },
      },
    ]);
    expect(second.events).toEqual([
      { type: 'start', targetId: 'primary', provider: 'provider-primary', model: 'model-primary', cached: true },
      { type: 'text-delta', text: 'Hello' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 0 } },
    ]);
    expect(models.primary!.requests).toHaveLength(1);
  });

  it('looks the request up under each target of the route in order and serves the first hit', async () => {
    const { cache, gets } = recordingCache();
    await cache.set(await keyFor('fallback'), {
      events: [
        { type: 'text-delta', text: 'from the fallback, earlier' },
        { type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } },
      ],
      createdAt: start,
      provider: 'provider-fallback',
      model: 'model-fallback',
    });
    const { router, models } = setup({ primary: [answer('fresh')], fallback: [answer('fresh')] }, { cache });

    const result = await router.generate('generate', request);

    expect(gets).toEqual([await keyFor('primary'), await keyFor('fallback')]);
    expect(result).toMatchObject({ text: 'from the fallback, earlier', targetId: 'fallback', attempts: [] });
    expect(models.primary!.requests).toHaveLength(0);
  });

  it("skips lookup and write with cache: 'bypass'", async () => {
    const { cache, gets, sets } = recordingCache();
    const { router, models } = setup({ primary: [answer('fresh')] }, { cache });

    await router.generate('generate', request);
    await router.generate('generate', { ...request, cache: 'bypass' });

    expect(gets).toHaveLength(1);
    expect(sets).toHaveLength(1);
    expect(models.primary!.requests).toHaveLength(2);
  });

  it('never stores an answer that was restarted after another target broke off, nor one cut by the output limit', async () => {
    const { cache, sets } = recordingCache();
    const restarted = setup(
      { primary: [{ text: ['par', 'tial'], end: 'close' }], fallback: [answer('whole')] },
      { cache },
    );
    const truncated = setup({ primary: [answer('cut')] }, { cache });
    const lengthModel = truncated.models.primary!;
    const stream = lengthModel.stream.bind(lengthModel);
    lengthModel.stream = async (modelRequest) =>
      (await stream(modelRequest)).pipeThrough(
        new TransformStream({
          transform(event, controller) {
            controller.enqueue(event.type === 'finish' ? { ...event, finishReason: 'length' } : event);
          },
        }),
      );

    const restartedResult = await restarted.router.generate('generate', request);
    const truncatedResult = await truncated.router.generate('generate', request);

    expect(restartedResult).toMatchObject({ text: 'whole', targetId: 'fallback' });
    expect(truncatedResult.finishReason).toBe('length');
    expect(sets).toEqual([]);
  });

  it('keeps who asks, their keys and the routing out of the key', async () => {
    const { cache, gets } = recordingCache();
    const { router } = setup({ primary: [answer('x')] }, { cache });

    await router.generate('generate', { ...request, subject: { userId: 'other' }, userKeys: { any: 'sk' } });

    expect(gets).toEqual([await keyFor('primary')]);
  });
});

describe('createRouterHooks: cost and quota', () => {
  it('charges the answering target’s tokens and cost to the subject, and reports the cost', async () => {
    const clock = createManualClock(start);
    const quota = createQuota({ limits: { user: { dailyTokens: 1_000_000 } }, clock });
    const costs: Array<{ answer: RouterAnswer; totalUsd: number | undefined }> = [];
    const { router } = setup(
      {
        primary: [{ text: ['x'], end: 'close', usage: { inputTokens: 900, outputTokens: 900 } }],
        fallback: [{ text: ['ok'], usage: { inputTokens: 1_000, outputTokens: 500 } }],
      },
      { quota, prices, onCost: (answer, cost) => void costs.push({ answer, totalUsd: cost?.totalUsd }) },
    );

    await router.generate('generate', request);
    const decision = await quota.check({ userId: 'u1', teamId: 't1' });

    expect(costs).toEqual([{ answer: expect.objectContaining({ targetId: 'fallback' }), totalUsd: 0.002 }]);
    expect(decision.limits).toEqual([expect.objectContaining({ scope: 'user', metric: 'tokens', used: 1_500 })]);
  });

  it('refuses a used-up subject with QUOTA_EXCEEDED before any model or cache is asked', async () => {
    const clock = createManualClock(start);
    const quota = createQuota({ limits: { team: { dailyUsd: 0.001 } }, clock });
    const { cache, gets } = recordingCache();
    const { router, models } = setup(
      { primary: [{ text: ['ok'], usage: { inputTokens: 1_000, outputTokens: 0 } }] },
      {
        quota,
        prices,
        cache,
      },
    );

    await router.generate('generate', { ...request, cache: 'bypass' });
    const error = await rejectionOf(router.stream('generate', request));

    expect(error.code).toBe('QUOTA_EXCEEDED');
    expect(error.details).toMatchObject({ retryAt: Date.UTC(2025, 0, 2) });
    expect(models.primary!.requests).toHaveLength(1);
    expect(gets).toEqual([]);
  });

  it('charges nothing for a cache hit, an answer paid with the caller’s key, or a request without a subject', async () => {
    const recorded: unknown[] = [];
    const quota = {
      check: async () => ({ allowed: true, checkedAt: start, limits: [], exceeded: [] }),
      record: async (...args: unknown[]) => {
        recorded.push(args);
        return { allowed: true, checkedAt: start, limits: [], exceeded: [] };
      },
    };
    const { cache } = recordingCache();
    const userKeyModel = scriptedModel('provider-byok', 'model-byok', [answer('mine')]);
    const clock = createManualClock(start);
    const router = createRouter({
      targets: {
        primary: { model: scriptedModel('provider-primary', 'model-primary', [answer('ok')]) },
        byok: { model: () => userKeyModel, provider: 'provider-byok', allowUserKey: true },
      },
      routes: { generate: ['primary'], own: ['byok'] },
      clock,
      logger: { info() {}, warn() {} },
      ...createRouterHooks({ quota, cache, clock }),
    });

    await router.generate('generate', request);
    await router.generate('generate', request);
    await router.generate('own', { ...request, userKeys: { 'provider-byok': 'sk-user' } });
    await router.generate('generate', { ...request, subject: undefined, cache: 'bypass' });

    expect(recorded).toEqual([[request.subject, { tokens: 11 }]]);
  });
});
