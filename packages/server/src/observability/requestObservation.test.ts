import { FragmentkitError, type Usage } from '@fragmentkit/core';
import { describe, expect, it } from 'vitest';
import { collectSse } from '../../test/readSse.js';
import { finishEvent, fragmentDeltas } from '../../test/sampleFragment.js';
import { createScriptedModel } from '../../test/scriptedModel.js';
import { createFragmentkit } from '../fragmentkit.js';
import { createRateLimiter } from '../rateLimit/rateLimiter.js';
import { createRequestLog } from '../requestLog.js';
import { createRequestObserver } from './requestObservation.js';
import { createServerMetrics } from './serverMetrics.js';

const chatUrl = 'http://localhost/api/fragmentkit/chat';

function postChat(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(chatUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string | undefined }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, message?: string) =>
    lines.push({ level, fields, message });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

const member = { userId: 'user-7', teamId: 'team-3', roles: ['member' as const] };
const costOf = (usage: Usage, model: { provider: string; modelId: string }) =>
  model.modelId === 'claude-test' ? usage.inputTokens * 0.001 + usage.outputTokens * 0.005 : undefined;

describe('the request log line', () => {
  it('carries request id, user, team, route, provider, model, tokens, cost, first event, latency and status', async () => {
    const { lines, logger } = recordingLogger();
    const model = createScriptedModel([...fragmentDeltas(), finishEvent], {
      provider: 'anthropic',
      modelId: 'claude-test',
    });
    const fragmentkit = createFragmentkit({
      model,
      logger,
      auth: async () => member,
      costOf,
      generateId: () => 'request-1',
    });

    const response = await fragmentkit.handler(postChat({ input: 'Make a counter' }));
    await collectSse(response.body!);

    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line?.level).toBe('info');
    expect(line?.message).toBe('fragmentkit request');
    expect(line?.fields).toEqual({
      requestId: 'request-1',
      method: 'POST',
      route: '/chat',
      status: 200,
      durationMs: expect.any(Number),
      userId: 'user-7',
      teamId: 'team-3',
      provider: 'anthropic',
      model: 'claude-test',
      outcome: 'done',
      timeToFirstEventMs: expect.any(Number),
      inputTokens: 120,
      outputTokens: 80,
      costUsd: 120 * 0.001 + 80 * 0.005,
    });
    expect(line?.fields.timeToFirstEventMs as number).toBeLessThanOrEqual(line?.fields.durationMs as number);
  });

  it('names the caller of a request the rate limiter refused', async () => {
    const { lines, logger } = recordingLogger();
    const rateLimit = createRateLimiter({
      policies: [
        {
          name: 'tiny',
          algorithm: 'token-bucket',
          limit: 1,
          windowMs: 60_000,
          key: (subject) => subject.userId ?? null,
        },
      ],
    });
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const fragmentkit = createFragmentkit({ model, logger, auth: async () => member, rateLimit });

    await collectSse((await fragmentkit.handler(postChat({ input: 'one' }))).body!);
    const refused = await fragmentkit.handler(postChat({ input: 'two' }));

    expect(refused.status).toBe(429);
    expect(lines[1]).toEqual({
      level: 'warn',
      message: 'fragmentkit request',
      fields: expect.objectContaining({ status: 429, userId: 'user-7', teamId: 'team-3', outcome: 'RATE_LIMITED' }),
    });
    expect(model.requests).toHaveLength(1);
  });

  it('leaves the caller out of public routes', async () => {
    const { lines, logger } = recordingLogger();
    await createFragmentkit({ logger, auth: async () => member }).handler(
      new Request('http://localhost/api/fragmentkit/health'),
    );
    expect(lines[0]?.fields).not.toHaveProperty('userId');
    expect(lines[0]?.fields).toMatchObject({ route: '/health', status: 200 });
  });
});

describe('fragmentkit.metrics', () => {
  it('counts requests per route, provider calls and their errors, tokens and cost', async () => {
    const { logger } = recordingLogger();
    const failing = createScriptedModel([], {
      provider: 'anthropic',
      modelId: 'claude-test',
      reject: new FragmentkitError('PROVIDER_UNAVAILABLE', 'Overloaded.', { isRetryable: true }),
    });
    const working = createScriptedModel([...fragmentDeltas(), finishEvent], {
      provider: 'anthropic',
      modelId: 'claude-test',
    });
    const fragmentkit = createFragmentkit({ models: { working, failing }, logger, costOf });

    await collectSse((await fragmentkit.handler(postChat({ input: 'one', model: 'working' }))).body!);
    const failed = await fragmentkit.handler(postChat({ input: 'two', model: 'failing' }));
    await fragmentkit.handler(new Request('http://localhost/api/fragmentkit/health'));

    const snapshot = fragmentkit.metrics.snapshot();
    expect(failed.status).toBe(503);
    expect(snapshot.requests.total).toBe(3);
    expect(snapshot.requests.inFlight).toBe(0);
    expect(snapshot.requests.byRoute['POST /chat']).toMatchObject({ count: 2, serverErrors: 1 });
    expect(snapshot.requests.byRoute['POST /chat']?.latencyMs.count).toBe(2);
    expect(snapshot.requests.byRoute['GET /health']).toMatchObject({ count: 1, serverErrors: 0 });
    expect(snapshot.providers).toEqual({ anthropic: { calls: 2, errors: 1, errorRate: 0.5 } });
    expect(snapshot.tokens).toEqual({ input: 120, output: 80, cachedInput: 0, cacheWrite: 0 });
    expect(snapshot.costUsd).toBeCloseTo(0.52, 10);
    expect(snapshot.timeToFirstEventMs.count).toBe(1);
    expect(snapshot.rateLimit).toBeUndefined();
  });

  it('reads the rate limiter counters, fallback decisions included', async () => {
    const rateLimit = createRateLimiter({
      policies: [
        { name: 'ip', algorithm: 'token-bucket', limit: 1, windowMs: 60_000, key: (subject) => subject.ip ?? 'all' },
      ],
    });
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const fragmentkit = createFragmentkit({ model, rateLimit, logger: recordingLogger().logger });
    await collectSse((await fragmentkit.handler(postChat({ input: 'one' }))).body!);
    await fragmentkit.handler(postChat({ input: 'two' }));

    expect(fragmentkit.metrics.snapshot().rateLimit).toEqual({
      checks: 2,
      allowed: 1,
      denied: 1,
      fallbackDecisions: 0,
      storeErrors: 0,
    });
    expect(fragmentkit.metrics.toPrometheus()).toContain('fragmentkit_rate_limit_checks_total{decision="denied"} 1');
  });
});

describe('createRequestObserver', () => {
  it('records latency, first event, cache lookups and outcomes from each line, on its own clock', () => {
    const server = createServerMetrics();
    let now = 0;
    const observer = createRequestObserver({ metrics: server, now: () => now });
    const silent = { info() {}, warn() {}, error() {} };
    const answer = (elapsedMs: number, fields: Parameters<ReturnType<typeof createRequestLog>['write']>[1]) => {
      const log = createRequestLog({ logger: silent, requestId: 'r', method: 'POST', route: '/chat', observer });
      now += elapsedMs;
      log.write(200, fields);
    };

    // Latencies of 0.2 s, 0.2 s, 0.2 s and 4 s: three in (0.1, 0.25], one in (2.5, 5].
    answer(200, { provider: 'openai', outcome: 'done', cacheHit: true, timeToFirstEventMs: 150 });
    answer(200, { provider: 'openai', outcome: 'done', cacheHit: false, timeToFirstEventMs: 150 });
    answer(200, { provider: 'openai', outcome: 'PROVIDER_TIMEOUT', cacheHit: false });
    answer(4000, { provider: 'openai', outcome: 'ABORTED' });

    const snapshot = server.metrics.snapshot();
    const latency = snapshot.requests.byRoute['POST /chat']?.latencyMs;
    expect(latency?.count).toBe(4);
    // Rank 2 of 4 falls 2/3 into (0.1, 0.25]; rank 3.8 falls 0.8 into (2.5, 5].
    expect(latency?.p50).toBeCloseTo(200, 6);
    expect(latency?.p95).toBeCloseTo(4500, 6);
    // Both first events in (0.1, 0.25]: the median is halfway.
    expect(snapshot.timeToFirstEventMs).toMatchObject({ count: 2, p50: 175 });
    expect(snapshot.cache).toEqual({ hits: 1, misses: 2, hitRate: 1 / 3 });
    expect(server.metrics.toPrometheus()).toContain(
      'fragmentkit_request_outcomes_total{route="/chat",outcome="PROVIDER_TIMEOUT"} 1',
    );
  });
});
