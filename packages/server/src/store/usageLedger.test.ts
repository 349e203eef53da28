import { FragmentkitError } from '@fragmentkit/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFakeClock, dayMs, newTenant } from './__fixtures__/storeTestData.js';
import { describeEachEngine, openTestDatabase, type TestDatabase } from './__fixtures__/testDatabases.js';
import { createFragmentStore, type FragmentStore } from './fragmentStore.js';
import type { RecordUsageInput } from './usageLedger.js';

const call: RecordUsageInput = {
  requestId: 'request-1',
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  inputTokens: 1200,
  outputTokens: 340,
  cachedInputTokens: 800,
  cacheWriteTokens: 100,
  costUsd: 0.0123456789,
};

describeEachEngine('usage ledger', (engine) => {
  let database: TestDatabase;
  let store: FragmentStore;
  const clock = createFakeClock(Date.UTC(2025, 0, 15));

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = createFragmentStore(database.db, { clock });
  });
  afterAll(async () => {
    await database.close();
  });

  it('records what a call cost and returns the entry as stored', async () => {
    const tenant = newTenant();
    const entry = await store.recordUsage(tenant, call);
    expect(entry).toEqual({ ...call, id: expect.any(String), userId: tenant.userId, createdAt: new Date(clock.now()) });
    const { rows } = await database.db.query<{ team_id: string; cost: string }>(
      'SELECT team_id, cost_usd::text AS cost FROM usage_ledger WHERE id = $1',
      [entry.id],
    );
    // numeric keeps the cost exact; only the totals are converted to a JS number.
    expect(rows).toEqual([{ team_id: tenant.teamId, cost: '0.0123456789' }]);
  });

  it('totals a team, or one user of it, since an instant, counting a fallback request once', async () => {
    const alice = newTenant('alice');
    const bob = newTenant('bob', alice.teamId);
    clock.set(Date.UTC(2025, 0, 31));
    await store.recordUsage(alice, { ...call, requestId: 'old', costUsd: 5 });
    clock.set(Date.UTC(2025, 1, 1));
    // One request that fell back from one provider to another: two entries, one request.
    await store.recordUsage(alice, { ...call, requestId: 'r1', provider: 'openai', costUsd: 0.5 });
    await store.recordUsage(alice, { ...call, requestId: 'r1', costUsd: 0.25 });
    clock.advance(dayMs);
    await store.recordUsage(bob, { ...call, requestId: 'r2', inputTokens: 10, outputTokens: 5, costUsd: 0.125 });

    const since = new Date(Date.UTC(2025, 1, 1));
    expect(await store.usageTotals(alice, { since })).toEqual({
      requests: 2,
      inputTokens: 2410,
      outputTokens: 685,
      cachedInputTokens: 2400,
      cacheWriteTokens: 300,
      costUsd: 0.875,
    });
    expect(await store.usageTotals(alice, { since, userId: 'alice' })).toMatchObject({ requests: 1, costUsd: 0.75 });
    expect(await store.usageTotals(bob, { since, userId: 'bob' })).toMatchObject({ requests: 1, inputTokens: 10 });
    expect(await store.usageTotals(alice, { since: new Date(Date.UTC(2025, 0, 1)) })).toMatchObject({ requests: 3 });
    expect(await store.usageTotals(alice, { since, userId: 'nobody' })).toEqual({
      requests: 0,
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0,
    });
  });

  it('keeps token counts beyond 32 bits exact', async () => {
    const tenant = newTenant();
    await store.recordUsage(tenant, { ...call, inputTokens: 3_000_000_000 });
    await store.recordUsage(tenant, { ...call, inputTokens: 3_000_000_000 });
    expect((await store.usageTotals(tenant, { since: new Date(0) })).inputTokens).toBe(6_000_000_000);
  });

  it('refuses negative, fractional or missing numbers', async () => {
    const tenant = newTenant();
    for (const bad of [
      { ...call, inputTokens: -1 },
      { ...call, outputTokens: 1.5 },
      { ...call, costUsd: -0.01 },
      { ...call, requestId: '' },
      { ...call, model: undefined } as unknown as RecordUsageInput,
    ]) {
      const error = await store.recordUsage(tenant, bad).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(FragmentkitError.isInstance(error) && error.code).toBe('INVALID_REQUEST');
    }
    const error = await store.usageTotals(tenant, { since: new Date(Number.NaN) }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(FragmentkitError.isInstance(error) && error.code).toBe('INVALID_REQUEST');
  });
});
