import { FragmentkitError } from '@fragmentkit/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFakeClock, newTenant } from './__fixtures__/storeTestData.js';
import { describeEachEngine, openTestDatabase, type TestDatabase } from './__fixtures__/testDatabases.js';
import { createFragmentStore, type FragmentStore } from './fragmentStore.js';

describeEachEngine('audit log', (engine) => {
  let database: TestDatabase;
  let store: FragmentStore;
  const clock = createFakeClock(Date.UTC(2025, 2, 1));

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = createFragmentStore(database.db, { clock });
  });
  afterAll(async () => {
    await database.close();
  });

  it('appends entries and lists them newest first, by user and by literal subject prefix', async () => {
    const alice = newTenant('alice');
    const bob = newTenant('bob', alice.teamId);
    const created = await store.audit(alice, {
      action: 'conversation.create',
      subject: 'conversation/1',
      data: { title: 'Counter', nested: { ok: true } },
    });
    clock.advance(1000);
    const renamed = await store.audit(bob, { action: 'conversation.rename', subject: 'conversation/1' });
    clock.advance(1000);
    const key = await store.audit(alice, { action: 'key.rotate', subject: 'api_key/1' });
    clock.advance(1000);
    // '%' and '_' in a prefix are characters, not wildcards.
    const odd = await store.audit(alice, { action: 'file.write', subject: 'files/100%_done' });

    expect(created).toEqual({
      id: expect.any(String),
      userId: 'alice',
      action: 'conversation.create',
      subject: 'conversation/1',
      data: { title: 'Counter', nested: { ok: true } },
      createdAt: new Date(Date.UTC(2025, 2, 1)),
    });
    expect(renamed.data).toEqual({});
    expect(await store.listAudit(alice)).toEqual([odd, key, renamed, created]);
    expect(await store.listAudit(alice, { userId: 'alice' })).toEqual([odd, key, created]);
    expect(await store.listAudit(alice, { subjectPrefix: 'conversation/' })).toEqual([renamed, created]);
    expect(await store.listAudit(alice, { subjectPrefix: 'conversation/', userId: 'bob' })).toEqual([renamed]);
    expect(await store.listAudit(alice, { subjectPrefix: 'files/100%' })).toEqual([odd]);
    expect(await store.listAudit(alice, { subjectPrefix: 'files/1_0' })).toEqual([]);
    expect(await store.listAudit(alice, { subjectPrefix: 'conv%' })).toEqual([]);
    expect(await store.listAudit(alice, { limit: 2 })).toEqual([odd, key]);
  });

  it('refuses limits out of range and empty actions', async () => {
    const tenant = newTenant();
    for (const promise of [
      store.listAudit(tenant, { limit: 0 }),
      store.listAudit(tenant, { limit: 501 }),
      store.audit(tenant, { action: '', subject: 'x' }),
    ]) {
      const error = await promise.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(FragmentkitError.isInstance(error) && error.code).toBe('INVALID_REQUEST');
    }
  });
});
