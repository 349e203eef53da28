import type { Router, RouterTargetHealth } from '@fragmentkit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDeferred } from '../../test/deferred.js';
import { createScriptedModel } from '../../test/scriptedModel.js';
import { createFragmentkit } from '../fragmentkit.js';
import { createModelCatalog } from '../modelCatalog.js';
import { databaseHealthCheck, redisHealthCheck } from './dependencyHealthChecks.js';
import { type HealthReport, runHealthChecks } from './healthChecks.js';
import { providersHealthCheck } from './providersHealthCheck.js';

const silentLogger = { info() {}, warn() {}, error() {} };
const detailedUrl = 'http://localhost/api/fragmentkit/health/detailed';

/** A clock that only moves when a test check says it took time. */
function manualClock() {
  let now = 0;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('runHealthChecks', () => {
  it('reports each check with status and latency, and the worst as the overall status', async () => {
    const report = await runHealthChecks(
      {
        fine: async () => {},
        broken: async () => {
          throw new Error('connection refused');
        },
      },
      { now: () => 0 },
    );
    expect(report).toEqual({
      status: 'down',
      checks: {
        fine: { status: 'ok', latencyMs: 0, critical: true },
        broken: { status: 'down', latencyMs: 0, critical: true, message: 'connection refused' },
      },
    });
  });

  it('counts a check that succeeds slower than its threshold as degraded', async () => {
    const clock = manualClock();
    const slow = async () => clock.advance(250);
    const degraded = await runHealthChecks({ slow: { check: slow, degradedAfterMs: 100 } }, { now: clock.now });
    expect(degraded).toEqual({
      status: 'degraded',
      checks: {
        slow: { status: 'degraded', latencyMs: 250, critical: true, message: 'Answered in 250 ms, over 100 ms.' },
      },
    });
    const ok = await runHealthChecks({ slow: { check: slow, degradedAfterMs: 500 } }, { now: clock.now });
    expect(ok.checks.slow).toEqual({ status: 'ok', latencyMs: 250, critical: true });
  });

  it('lets a check that is not critical make the instance degraded, never down', async () => {
    const report = await runHealthChecks({
      redis: {
        critical: false,
        check: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
    });
    expect(report.status).toBe('degraded');
    expect(report.checks.redis).toMatchObject({ status: 'down', critical: false, message: 'ECONNREFUSED' });
  });

  it('passes on the status, message and details a check answers', async () => {
    const report = await runHealthChecks({
      replicas: async () => ({ status: 'degraded', message: '2 of 3 answer.', details: { answering: 2 } }),
    });
    expect(report.checks.replicas).toMatchObject({
      status: 'degraded',
      message: '2 of 3 answer.',
      details: { answering: 2 },
    });
  });

  it('times a hanging check out as down and aborts its signal', async () => {
    vi.useFakeTimers();
    let received: AbortSignal | undefined;
    const running = runHealthChecks({
      hanging: {
        timeoutMs: 300,
        check: (signal) => {
          received = signal;
          return new Promise<void>(() => {});
        },
      },
    });
    await vi.advanceTimersByTimeAsync(300);
    const report = await running;

    expect(report.status).toBe('down');
    expect(report.checks.hanging).toMatchObject({ status: 'down', message: 'No answer within 300 ms.' });
    expect(received?.aborted).toBe(true);
    expect(received?.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('masks credentials that driver errors quote', async () => {
    const report = await runHealthChecks({
      database: async () => {
        throw new Error(
          'connect to postgres://fragmentkit:hunter2@db.internal:5432/app failed (password=hunter2, Authorization: Bearer abc.def) key sk-live-12345678abcd',
        );
      },
    });
    const message = report.checks.database?.message ?? '';
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('abc.def');
    expect(message).not.toContain('sk-live-12345678abcd');
    expect(message).toContain('postgres://***@db.internal:5432/app');
  });
});

describe('dependency checks', () => {
  it('asks the database for SELECT 1 and Redis for PING', async () => {
    const statements: string[] = [];
    const db = {
      query: async <Row>(sql: string) => {
        statements.push(sql);
        return { rows: [] as Row[] };
      },
    };
    const ping = vi.fn(async () => 'PONG');
    const report = await runHealthChecks({ database: databaseHealthCheck(db), redis: redisHealthCheck({ ping }) });
    expect(statements).toEqual(['SELECT 1']);
    expect(ping).toHaveBeenCalledTimes(1);
    expect(report.status).toBe('ok');
  });
});

describe('providersHealthCheck', () => {
  function routerWith(circuits: Record<string, RouterTargetHealth['circuit']>): Router {
    const targets = Object.fromEntries(
      Object.entries(circuits).map(([targetId, circuit]): [string, RouterTargetHealth] => [
        targetId,
        {
          targetId,
          provider: 'anthropic',
          model: `model-${targetId}`,
          circuit,
          retryAt: undefined,
          recentErrorRate: circuit === 'closed' ? 0 : 1,
          recentAttempts: 4,
          timeToFirstTokenMs: undefined,
          totalMs: undefined,
          lastError: circuit === 'closed' ? undefined : { code: 'PROVIDER_UNAVAILABLE', message: 'key sk-x', at: 0 },
        },
      ]),
    );
    return { getSnapshot: () => ({ targets, lastAnsweredBy: {} }) } as unknown as Router;
  }

  function check(circuits: Record<string, RouterTargetHealth['circuit']>) {
    const catalog = createModelCatalog(
      undefined,
      {},
      { router: routerWith(circuits), tasks: { generate: 'g', edit: 'e' } },
    );
    return runHealthChecks({ providers: providersHealthCheck(catalog) });
  }

  it('is ok while every circuit is closed, degraded while some is not, down when none is usable', async () => {
    expect((await check({ primary: 'closed', fallback: 'closed' })).status).toBe('ok');

    const degraded = await check({ primary: 'open', fallback: 'closed' });
    expect(degraded.checks.providers).toMatchObject({
      status: 'degraded',
      message: 'Circuits not closed: primary.',
      details: { targets: [expect.objectContaining({ id: 'primary', circuit: 'open' }), expect.anything()] },
    });
    // Upstream messages can carry account details: only the code is reported.
    expect(JSON.stringify(degraded)).not.toContain('sk-x');

    expect((await check({ primary: 'open', fallback: 'disabled' })).status).toBe('down');
    expect((await check({ primary: 'half-open', fallback: 'open' })).status).toBe('degraded');
  });
});

describe('GET /health/detailed', () => {
  it('answers 503 when no model is configured', async () => {
    const response = await createFragmentkit({ logger: silentLogger }).handler(new Request(detailedUrl));
    expect(response.status).toBe(503);
    const report = (await response.json()) as HealthReport;
    expect(report.checks.providers).toMatchObject({ status: 'down', message: expect.stringMatching(/No model/) });
  });

  it('answers 200 with every check while ok or degraded, and 503 when a critical one is down', async () => {
    const model = createScriptedModel([], { provider: 'anthropic', modelId: 'claude-test' });
    let databaseUp = true;
    const { handler } = createFragmentkit({
      model,
      logger: silentLogger,
      healthChecks: {
        database: async () => {
          if (!databaseUp) throw new Error('terminating connection due to administrator command');
        },
        redis: { check: async () => Promise.reject(new Error('ECONNREFUSED')), critical: false },
      },
    });

    const degraded = await handler(new Request(detailedUrl));
    expect(degraded.status).toBe(200);
    expect(degraded.headers.get('cache-control')).toBe('no-store');
    expect(await degraded.json()).toEqual({
      status: 'degraded',
      checks: {
        providers: {
          status: 'ok',
          latencyMs: expect.any(Number),
          critical: true,
          details: {
            models: [{ id: 'default', provider: 'anthropic', model: 'claude-test' }],
            defaultModel: 'default',
          },
        },
        database: { status: 'ok', latencyMs: expect.any(Number), critical: true },
        redis: { status: 'down', latencyMs: expect.any(Number), critical: false, message: 'ECONNREFUSED' },
      },
    });

    databaseUp = false;
    const down = await handler(new Request(detailedUrl));
    expect(down.status).toBe(503);
    expect(((await down.json()) as HealthReport).checks.database?.status).toBe('down');
  });

  it('runs probes that arrive together once, and leaves GET /health alone', async () => {
    const gate = createDeferred();
    let runs = 0;
    const { handler } = createFragmentkit({
      model: createScriptedModel([]),
      logger: silentLogger,
      healthChecks: {
        database: async () => {
          runs += 1;
          await gate.promise;
        },
      },
    });

    const liveness = await handler(new Request('http://localhost/api/fragmentkit/health'));
    expect(liveness.status).toBe(200);
    expect(runs).toBe(0);

    const first = handler(new Request(detailedUrl));
    const second = handler(new Request(detailedUrl));
    await vi.waitFor(() => expect(runs).toBe(1));
    gate.resolve();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(runs).toBe(1);

    await handler(new Request(detailedUrl));
    expect(runs).toBe(2);
  });
});
