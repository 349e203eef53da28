import { afterEach, expect, it } from 'vitest';
import { sampleFragment } from '../../test/sampleFragment.js';
import { createFakeClock, dayMs, newTenant } from './__fixtures__/storeTestData.js';
import { describeEachEngine, openTestDatabase, type TestDatabase } from './__fixtures__/testDatabases.js';
import { createFragmentStore } from './fragmentStore.js';

describeEachEngine('retention', (engine) => {
  let database: TestDatabase | undefined;

  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it('deletes, across teams, conversations idle longer than the retention period, with their content', async () => {
    database = await openTestDatabase(engine);
    const start = Date.UTC(2025, 0, 1);
    const clock = createFakeClock(start);
    const store = createFragmentStore(database.db, { clock, retentionDays: 30 });
    const teamA = newTenant();
    const teamB = newTenant();

    const idle = await store.createConversation(teamA, 'idle');
    const message = await store.appendMessage(teamA, { conversationId: idle.id, role: 'assistant', content: '' });
    const fragment = await store.saveFragment(teamA, {
      conversationId: idle.id,
      messageId: message.id,
      fragment: sampleFragment,
    });
    await store.recordExecution(teamA, { fragmentId: fragment.id, stdout: '', stderr: '', exitCode: 0 });
    const idleOfB = await store.createConversation(teamB, 'idle too');
    const active = await store.createConversation(teamA, 'created long ago, used lately');
    await store.recordUsage(teamA, {
      requestId: 'r',
      provider: 'p',
      model: 'm',
      inputTokens: 1,
      outputTokens: 1,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.5,
    });
    await store.audit(teamA, { action: 'conversation.create', subject: `conversation/${idle.id}` });

    clock.set(start + 20 * dayMs);
    await store.appendMessage(teamA, { conversationId: active.id, role: 'user', content: 'still here' });
    const fresh = await store.createConversation(teamB, 'fresh');

    // Exactly at the limit nothing goes: only strictly older than 30 days.
    expect(await store.purgeExpired(new Date(start + 30 * dayMs))).toEqual({ conversations: 0, idempotencyKeys: 0 });

    clock.set(start + 31 * dayMs);
    expect(await store.purgeExpired()).toEqual({ conversations: 2, idempotencyKeys: 0 });
    expect(await store.getConversation(teamA, idle.id)).toBeNull();
    expect(await store.getConversation(teamB, idleOfB.id)).toBeNull();
    expect((await store.listConversations(teamA)).conversations.map((item) => item.id)).toEqual([active.id]);
    expect((await store.listConversations(teamB)).conversations.map((item) => item.id)).toEqual([fresh.id]);
    for (const table of ['messages', 'fragments', 'executions']) {
      const { rows } = await database.db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM ${table} WHERE team_id = $1`,
        [teamA.teamId],
      );
      expect(rows[0]!.count, table).toBe(table === 'messages' ? 1 : 0);
    }
    // Accounting outlives content.
    expect((await store.usageTotals(teamA, { since: new Date(0) })).costUsd).toBe(0.5);
    expect(await store.listAudit(teamA)).toHaveLength(1);
  });

  it('purges expired idempotency keys of every team and keeps live ones', async () => {
    database = await openTestDatabase(engine);
    const clock = createFakeClock(Date.UTC(2025, 0, 1));
    const store = createFragmentStore(database.db, { clock });
    const teamA = newTenant();
    const teamB = newTenant();
    await store.idempotencyKeys.begin(teamA, { scope: 's', key: 'a', requestHash: 'h', ttlMs: 1000 });
    await store.idempotencyKeys.begin(teamB, { scope: 's', key: 'b', requestHash: 'h', ttlMs: 1000 });
    await store.idempotencyKeys.begin(teamB, { scope: 's', key: 'live', requestHash: 'h', ttlMs: dayMs });
    clock.advance(1000);
    expect(await store.purgeExpired()).toEqual({ conversations: 0, idempotencyKeys: 2 });
    expect(await store.idempotencyKeys.get(teamB, { scope: 's', key: 'live' })).not.toBeNull();
  });

  it('defaults to 90 days', async () => {
    database = await openTestDatabase(engine);
    const start = Date.UTC(2025, 0, 1);
    const clock = createFakeClock(start);
    const store = createFragmentStore(database.db, { clock });
    await store.createConversation(newTenant(), 'old');
    expect(await store.purgeExpired(new Date(start + 90 * dayMs))).toEqual({ conversations: 0, idempotencyKeys: 0 });
    expect(await store.purgeExpired(new Date(start + 90 * dayMs + 1))).toEqual({
      conversations: 1,
      idempotencyKeys: 0,
    });
  });
});
