import { FragmentkitError } from '@fragmentkit/core';
import { describe, expect, it } from 'vitest';
import { createDeferred } from '../../test/deferred.js';
import type { FragmentkitLogger } from '../logger.js';
import { createFakeClock } from '../store/__fixtures__/storeTestData.js';
import { createIdempotency, type IdempotentCall } from './idempotency.js';
import type { IdempotencyStore } from './idempotencyStore.js';
import { createMemoryIdempotencyStore } from './memoryIdempotencyStore.js';
import { hashRequestBody } from './requestHash.js';

const owner = { teamId: 'team-1', userId: 'alice' };
const silentLogger: FragmentkitLogger = { info() {}, warn() {}, error() {} };

function call(body: unknown, headers: Record<string, string> = { 'idempotency-key': 'k' }): IdempotentCall {
  const request = new Request('http://localhost/api/fragmentkit/tasks', { method: 'POST', headers });
  return { request, owner, scope: 'POST /tasks', body, requestId: `request-${Math.random()}` };
}

function countingWork() {
  let runs = 0;
  return {
    get runs() {
      return runs;
    },
    work: async () => {
      runs += 1;
      const headers = new Headers({ 'content-type': 'application/json' });
      headers.append('set-cookie', 'session=1');
      return new Response(JSON.stringify({ task: runs }), { status: 201, headers });
    },
  };
}

/** A store that fails while `down` is true, like Redis during an outage. */
function flakyStore(): IdempotencyStore & { down: boolean } {
  const inner = createMemoryIdempotencyStore();
  const guard = <T>(work: () => Promise<T>) => (flaky.down ? Promise.reject(new Error('ECONNREFUSED')) : work());
  const flaky = {
    down: false,
    begin: (...args: Parameters<IdempotencyStore['begin']>) => guard(() => inner.begin(...args)),
    complete: (...args: Parameters<IdempotencyStore['complete']>) => guard(() => inner.complete(...args)),
    get: (...args: Parameters<IdempotencyStore['get']>) => guard(() => inner.get(...args)),
  };
  return flaky;
}

describe('createIdempotency().run', () => {
  it('runs the work once per key and replays its status, headers and body, without cookies', async () => {
    const idempotency = createIdempotency({ store: createMemoryIdempotencyStore(), logger: silentLogger });
    const counter = countingWork();
    const first = await idempotency.run(call({ name: 'build' }), counter.work);
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ task: 1 });
    const again = await idempotency.run(call({ name: 'build' }), counter.work);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toBe('application/json');
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.json()).toEqual({ task: 1 });
    expect(counter.runs).toBe(1);
  });

  it('runs the work every time when the request has no key', async () => {
    const idempotency = createIdempotency({ store: createMemoryIdempotencyStore(), logger: silentLogger });
    const counter = countingWork();
    await idempotency.run(call({ name: 'build' }, {}), counter.work);
    await idempotency.run(call({ name: 'build' }, {}), counter.work);
    expect(counter.runs).toBe(2);
  });

  it('throws IDEMPOTENCY_IN_FLIGHT while the first request runs and IDEMPOTENCY_KEY_REUSED for another body', async () => {
    const idempotency = createIdempotency({ store: createMemoryIdempotencyStore(), logger: silentLogger });
    const release = createDeferred();
    const running = idempotency.run(call({ name: 'build' }), async () => {
      await release.promise;
      return new Response('done');
    });
    const conflict = await idempotency
      .run(call({ name: 'build' }), countingWork().work)
      .catch((error: unknown) => error);
    expect(FragmentkitError.isInstance(conflict) && conflict.code).toBe('IDEMPOTENCY_IN_FLIGHT');
    expect(FragmentkitError.isInstance(conflict) && conflict.details).toEqual({ retryAfterSeconds: 1 });
    const reused = await idempotency
      .run(call({ name: 'deploy' }), countingWork().work)
      .catch((error: unknown) => error);
    expect(FragmentkitError.isInstance(reused) && reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
    release.resolve();
    expect(await (await running).text()).toBe('done');
  });

  it('records an error the work throws, rethrows it, and replays it as a JSON error', async () => {
    const idempotency = createIdempotency({ store: createMemoryIdempotencyStore(), logger: silentLogger });
    const failure = new FragmentkitError('SANDBOX_UNAVAILABLE', 'No sandbox is free.');
    await expect(idempotency.run(call({ name: 'build' }), async () => Promise.reject(failure))).rejects.toBe(failure);
    const replay = await idempotency.run(call({ name: 'build' }), countingWork().work);
    expect(replay.status).toBe(503);
    expect(await replay.json()).toEqual({ error: { code: 'SANDBOX_UNAVAILABLE', message: 'No sandbox is free.' } });
  });

  it('rejects a key that is too long or not printable ASCII', async () => {
    const idempotency = createIdempotency({ store: createMemoryIdempotencyStore(), logger: silentLogger });
    const error = await idempotency
      .run(call({}, { 'idempotency-key': 'k'.repeat(256) }), countingWork().work)
      .catch((thrown: unknown) => thrown);
    expect(FragmentkitError.isInstance(error) && error.code).toBe('INVALID_REQUEST');
  });

  it('keeps keys in memory while the store is down, and finds them there after it recovered', async () => {
    const store = flakyStore();
    const warnings: string[] = [];
    const logger: FragmentkitLogger = { ...silentLogger, warn: (_fields, message) => warnings.push(message ?? '') };
    const idempotency = createIdempotency({ store, logger });
    const counter = countingWork();
    store.down = true;
    expect((await idempotency.run(call({ name: 'build' }), counter.work)).status).toBe(201);
    expect(warnings).toEqual([expect.stringContaining('idempotency store failed')]);
    store.down = false;
    const replay = await idempotency.run(call({ name: 'build' }), counter.work);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(counter.runs).toBe(1);
  });

  it('records the response in the store that took the key, and logs when it cannot', async () => {
    const store = flakyStore();
    const errors: string[] = [];
    const logger: FragmentkitLogger = { ...silentLogger, error: (_fields, message) => errors.push(message ?? '') };
    const idempotency = createIdempotency({ store, logger });
    const response = await idempotency.run(call({ name: 'build' }), async () => {
      // The store took the key, then goes down before the response is recorded.
      store.down = true;
      return new Response('done');
    });
    expect(await response.text()).toBe('done');
    expect(errors).toEqual([expect.stringContaining('could not record the response')]);
    store.down = false;
    // Not recorded in the in-memory insurance instead: the key stays in flight where it was taken.
    expect((await store.get(owner, { scope: 'POST /tasks', key: 'k' }))?.status).toBe('in_flight');
    const retry = await idempotency.run(call({ name: 'build' }), countingWork().work).catch((error: unknown) => error);
    expect(FragmentkitError.isInstance(retry) && retry.code).toBe('IDEMPOTENCY_IN_FLIGHT');
  });

  it('frees the key of a request that never completed when its lease ends, and keeps a completed one for the TTL', async () => {
    const clock = createFakeClock();
    const idempotency = createIdempotency({
      store: createMemoryIdempotencyStore({ clock }),
      inFlightTtlMs: 60_000,
      logger: silentLogger,
    });
    // The first instance "crashed": its work never settles.
    void idempotency.run(call({ name: 'build' }), () => new Promise<Response>(() => {}));
    await Promise.resolve();
    const during = await idempotency.run(call({ name: 'build' }), countingWork().work).catch((error: unknown) => error);
    expect(FragmentkitError.isInstance(during) && during.code).toBe('IDEMPOTENCY_IN_FLIGHT');
    clock.advance(60_000);
    const counter = countingWork();
    expect((await idempotency.run(call({ name: 'build' }), counter.work)).status).toBe(201);
    clock.advance(23 * 60 * 60 * 1000);
    const replayed = await idempotency.run(call({ name: 'build' }), counter.work);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(counter.runs).toBe(1);
  });

  it('rejects a ttlMs that is not a whole number of at least 1', () => {
    expect(() => createIdempotency({ store: createMemoryIdempotencyStore(), ttlMs: 0 })).toThrow(/ttlMs/);
  });
});

describe('hashRequestBody', () => {
  it('hashes the same JSON the same whatever the key order, and different JSON differently', async () => {
    const hash = await hashRequestBody({ input: 'a', options: { b: 1, a: [1, { y: 2, x: 1 }] } });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashRequestBody({ options: { a: [1, { x: 1, y: 2 }], b: 1 }, input: 'a' })).toBe(hash);
    expect(await hashRequestBody({ input: 'a', options: { b: 1, a: [{ y: 2, x: 1 }, 1] } })).not.toBe(hash);
    expect(await hashRequestBody({ input: 'b', options: { b: 1, a: [1, { y: 2, x: 1 }] } })).not.toBe(hash);
  });
});
