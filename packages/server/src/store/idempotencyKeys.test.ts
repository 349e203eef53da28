import { FragmentkitError } from '@fragmentkit/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFakeClock, newTenant } from './__fixtures__/storeTestData.js';
import { describeEachEngine, openTestDatabase, type TestDatabase } from './__fixtures__/testDatabases.js';
import { createFragmentStore, type FragmentStore } from './fragmentStore.js';
import type { IdempotentResponse } from './idempotencyKeys.js';

const scope = 'POST /chat';
const minute = 60_000;

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  return FragmentkitError.isInstance(error) ? error.code : String(error);
}

describeEachEngine('idempotency keys', (engine) => {
  let database: TestDatabase;
  let store: FragmentStore;
  const clock = createFakeClock(Date.UTC(2025, 3, 1));

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = createFragmentStore(database.db, { clock });
  });
  afterAll(async () => {
    await database.close();
  });

  it('claims a new key, then reports it as in flight to everyone else', async () => {
    const tenant = newTenant();
    const begun = await store.idempotencyKeys.begin(tenant, {
      scope,
      key: 'k1',
      requestHash: 'hash-1',
      ttlMs: 10 * minute,
    });
    expect(begun).toEqual({
      outcome: 'acquired',
      record: {
        scope,
        key: 'k1',
        userId: tenant.userId,
        requestHash: 'hash-1',
        status: 'in_flight',
        response: null,
        createdAt: new Date(clock.now()),
        completedAt: null,
        expiresAt: new Date(clock.now() + 10 * minute),
      },
    });
    // A retry, and a different request reusing the key: both see the original, untouched.
    expect(await store.idempotencyKeys.begin(tenant, { scope, key: 'k1', requestHash: 'hash-1' })).toEqual({
      outcome: 'existing',
      record: begun.record,
    });
    expect(await store.idempotencyKeys.begin(tenant, { scope, key: 'k1', requestHash: 'other' })).toEqual({
      outcome: 'existing',
      record: begun.record,
    });
    // Scopes are separate namespaces.
    const otherScope = await store.idempotencyKeys.begin(tenant, {
      scope: 'POST /sandbox',
      key: 'k1',
      requestHash: 'h',
    });
    expect(otherScope.outcome).toBe('acquired');
  });

  it('stores a plain response or a stream of events and gives them back for replay', async () => {
    const tenant = newTenant();
    const plain: IdempotentResponse = {
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: '{"ok":true}',
    };
    const stream: IdempotentResponse = {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      events: [
        { id: '1', event: 'meta', data: '{"requestId":"r"}' },
        { id: '2', event: 'done', data: '{"fragment":{}}' },
      ],
    };
    await store.idempotencyKeys.begin(tenant, { scope, key: 'plain', requestHash: 'h' });
    await store.idempotencyKeys.begin(tenant, { scope, key: 'stream', requestHash: 'h' });
    clock.advance(1000);
    const completed = await store.idempotencyKeys.complete(tenant, { scope, key: 'plain', response: plain });
    expect(completed).toMatchObject({ status: 'completed', response: plain, completedAt: new Date(clock.now()) });
    await store.idempotencyKeys.complete(tenant, { scope, key: 'stream', response: stream });

    expect((await store.idempotencyKeys.get(tenant, { scope, key: 'plain' }))?.response).toEqual(plain);
    expect((await store.idempotencyKeys.get(tenant, { scope, key: 'stream' }))?.response).toEqual(stream);
    const again = await store.idempotencyKeys.begin(tenant, { scope, key: 'stream', requestHash: 'h' });
    expect(again).toMatchObject({ outcome: 'existing', record: { status: 'completed', response: stream } });

    // Completing twice, or a key never begun, is not possible.
    expect(await errorCode(store.idempotencyKeys.complete(tenant, { scope, key: 'plain', response: plain }))).toBe(
      'NOT_FOUND',
    );
    expect(await errorCode(store.idempotencyKeys.complete(tenant, { scope, key: 'never', response: plain }))).toBe(
      'NOT_FOUND',
    );
    expect(await store.idempotencyKeys.get(tenant, { scope, key: 'never' })).toBeNull();
  });

  it('lets exactly one of many concurrent requests claim a key', async () => {
    const tenant = newTenant();
    const instances = [store, createFragmentStore(database.openAnother(), { clock })];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        instances[index % 2]!.idempotencyKeys.begin(tenant, { scope, key: 'race', requestHash: `hash-${index}` }),
      ),
    );
    const acquired = results.filter((result) => result.outcome === 'acquired');
    expect(acquired).toHaveLength(1);
    for (const result of results) expect(result.record.requestHash).toBe(acquired[0]!.record.requestHash);
  });

  it('treats an expired key as free: invisible, taken over by the next begin, and purged', async () => {
    const tenant = newTenant();
    await store.idempotencyKeys.begin(tenant, { scope, key: 'short', requestHash: 'old', ttlMs: minute });
    await store.idempotencyKeys.begin(tenant, { scope, key: 'long', requestHash: 'h', ttlMs: 60 * minute });
    clock.advance(minute);
    expect(await store.idempotencyKeys.get(tenant, { scope, key: 'short' })).toBeNull();
    expect(
      await errorCode(
        store.idempotencyKeys.complete(tenant, {
          scope,
          key: 'short',
          response: { status: 200, headers: {}, body: '' },
        }),
      ),
    ).toBe('NOT_FOUND');
    const retaken = await store.idempotencyKeys.begin(tenant, {
      scope,
      key: 'short',
      requestHash: 'new',
      ttlMs: minute,
    });
    expect(retaken).toMatchObject({ outcome: 'acquired', record: { requestHash: 'new', status: 'in_flight' } });

    clock.advance(minute);
    expect(await store.idempotencyKeys.purgeExpired(tenant)).toBe(1);
    expect(await store.idempotencyKeys.purgeExpired(tenant)).toBe(0);
    expect(await store.idempotencyKeys.get(tenant, { scope, key: 'long' })).not.toBeNull();
    const { rows } = await database.db.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE team_id = $1', [
      tenant.teamId,
    ]);
    expect(rows).toEqual([{ key: 'long' }]);
  });

  it('refuses malformed keys and responses', async () => {
    const tenant = newTenant();
    expect(await errorCode(store.idempotencyKeys.begin(tenant, { scope, key: '', requestHash: 'h' }))).toBe(
      'INVALID_REQUEST',
    );
    expect(await errorCode(store.idempotencyKeys.begin(tenant, { scope, key: 'k', requestHash: 'h', ttlMs: 0 }))).toBe(
      'INVALID_REQUEST',
    );
    await store.idempotencyKeys.begin(tenant, { scope, key: 'k', requestHash: 'h' });
    for (const response of [
      { status: 42, headers: {}, body: '' },
      { status: 200, headers: { n: 1 }, body: '' },
      { status: 200, headers: {}, body: '', events: [] },
      { status: 200, headers: {} },
    ]) {
      expect(
        await errorCode(
          store.idempotencyKeys.complete(tenant, {
            scope,
            key: 'k',
            response: response as unknown as IdempotentResponse,
          }),
        ),
      ).toBe('INVALID_REQUEST');
    }
    expect((await store.idempotencyKeys.get(tenant, { scope, key: 'k' }))?.status).toBe('in_flight');
  });
});
