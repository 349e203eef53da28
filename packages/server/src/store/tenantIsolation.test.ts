import { FragmentkitError } from '@fragmentkit/core';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleFragment } from '../../test/sampleFragment.js';
import { createFakeClock, dayMs, newTenant } from './__fixtures__/storeTestData.js';
import {
  databaseUrl,
  describeEachEngine,
  openTestDatabase,
  type TestDatabase,
  uniqueName,
} from './__fixtures__/testDatabases.js';
import { defaultAppRole } from './appRole.js';
import type { Database, Queryable } from './database.js';
import { createFragmentStore, type FragmentStore } from './fragmentStore.js';
import { tenantTables } from './schema.sql.js';
import type { Tenant } from './tenantTransaction.js';

const usage = {
  requestId: 'request-b',
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  inputTokens: 1000,
  outputTokens: 200,
  cachedInputTokens: 50,
  cacheWriteTokens: 10,
  costUsd: 0.25,
};

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the operation to fail');
    },
    (error: unknown) => error,
  );
}

async function expectNotFound(promise: Promise<unknown>): Promise<void> {
  const error = await failure(promise);
  expect(FragmentkitError.isInstance(error) && error.code).toBe('NOT_FOUND');
}

/** Runs raw SQL the way the store does: as the app role, with a team set (or none). */
function asAppRole<Result>(
  db: Database,
  teamId: string | null,
  work: (transaction: Queryable) => Promise<Result>,
): Promise<Result> {
  return db.transaction(async (transaction) => {
    await transaction.query(`SET LOCAL ROLE ${defaultAppRole}`);
    if (teamId !== null) await transaction.query("SELECT set_config('fragmentkit.team_id', $1, true)", [teamId]);
    return work(transaction);
  });
}

async function count(queryable: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await queryable.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${sql}`, params);
  return rows[0]!.count;
}

describeEachEngine('tenant isolation', (engine) => {
  let database: TestDatabase;
  let store: FragmentStore;
  const clock = createFakeClock(Date.UTC(2025, 6, 1));
  // Same user id in both teams: only the team separates them.
  const teamA: Tenant = newTenant('same-user');
  const teamB: Tenant = newTenant('same-user');
  const seeded = {} as {
    conversationId: string;
    messageId: string;
    fragmentId: string;
  };

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = createFragmentStore(database.db, { clock });
    const conversation = await store.createConversation(teamB, 'Secret plan');
    const message = await store.appendMessage(teamB, {
      conversationId: conversation.id,
      role: 'assistant',
      content: 'secret',
    });
    const fragment = await store.saveFragment(teamB, {
      conversationId: conversation.id,
      messageId: message.id,
      fragment: sampleFragment,
    });
    await store.recordExecution(teamB, { fragmentId: fragment.id, stdout: 'secret', stderr: '', exitCode: 0 });
    await store.recordUsage(teamB, usage);
    await store.audit(teamB, { action: 'conversation.create', subject: `conversation/${conversation.id}`, data: {} });
    await store.idempotencyKeys.begin(teamB, { scope: 'POST /chat', key: 'key-1', requestHash: 'hash-b' });
    await store.idempotencyKeys.complete(teamB, {
      scope: 'POST /chat',
      key: 'key-1',
      response: { status: 200, headers: {}, body: 'secret' },
    });
    Object.assign(seeded, { conversationId: conversation.id, messageId: message.id, fragmentId: fragment.id });
    // Team A has rows too, so "sees nothing of B" is not just "sees nothing".
    const own = await store.createConversation(teamA, 'A');
    const ownMessage = await store.appendMessage(teamA, { conversationId: own.id, role: 'assistant', content: 'a' });
    const ownFragment = await store.saveFragment(teamA, {
      conversationId: own.id,
      messageId: ownMessage.id,
      fragment: sampleFragment,
    });
    await store.recordExecution(teamA, { fragmentId: ownFragment.id, stdout: '', stderr: '', exitCode: 0 });
    await store.recordUsage(teamA, { ...usage, requestId: 'request-a' });
    await store.audit(teamA, { action: 'conversation.create', subject: `conversation/${own.id}` });
    await store.idempotencyKeys.begin(teamA, { scope: 'POST /chat', key: 'key-a', requestHash: 'hash-a' });
  });
  afterAll(async () => {
    await database.close();
  });

  async function snapshotOfB() {
    return {
      detail: await store.getConversation(teamB, seeded.conversationId),
      list: await store.listConversations(teamB),
      usage: await store.usageTotals(teamB, { since: new Date(0) }),
      audit: await store.listAudit(teamB),
      key: await store.idempotencyKeys.get(teamB, { scope: 'POST /chat', key: 'key-1' }),
    };
  }

  it("keeps team B's rows out of every store method called for team A", async () => {
    const before = await snapshotOfB();
    expect(before.detail?.messages).toHaveLength(1);
    expect(before.key?.status).toBe('completed');

    expect(await store.getConversation(teamA, seeded.conversationId)).toBeNull();
    const listed = await store.listConversations(teamA, { limit: 100 });
    expect(listed.conversations.map((conversation) => conversation.title)).toEqual(['A']);
    await expectNotFound(store.renameConversation(teamA, seeded.conversationId, 'mine now'));
    await expectNotFound(store.deleteConversation(teamA, seeded.conversationId));
    await expectNotFound(
      store.appendMessage(teamA, { conversationId: seeded.conversationId, role: 'user', content: 'x' }),
    );
    await expectNotFound(
      store.saveFragment(teamA, {
        conversationId: seeded.conversationId,
        messageId: seeded.messageId,
        fragment: sampleFragment,
      }),
    );
    await expectNotFound(
      store.recordExecution(teamA, { fragmentId: seeded.fragmentId, stdout: '', stderr: '', exitCode: 0 }),
    );
    expect(await store.usageTotals(teamA, { since: new Date(0) })).toEqual({
      requests: 1,
      inputTokens: 1000,
      outputTokens: 200,
      cachedInputTokens: 50,
      cacheWriteTokens: 10,
      costUsd: 0.25,
    });
    expect(await store.usageTotals(teamA, { since: new Date(0), userId: 'same-user' })).toMatchObject({ requests: 1 });
    const auditOfA = await store.listAudit(teamA, { subjectPrefix: 'conversation/', limit: 500 });
    expect(auditOfA.map((entry) => entry.subject)).not.toContain(`conversation/${seeded.conversationId}`);
    expect(auditOfA).toHaveLength(1);
    expect(await store.idempotencyKeys.get(teamA, { scope: 'POST /chat', key: 'key-1' })).toBeNull();
    await expectNotFound(
      store.idempotencyKeys.complete(teamA, {
        scope: 'POST /chat',
        key: 'key-1',
        response: { status: 500, headers: {}, body: 'overwritten' },
      }),
    );
    // The same key name is a different key in another team.
    const begun = await store.idempotencyKeys.begin(teamA, {
      scope: 'POST /chat',
      key: 'key-1',
      requestHash: 'hash-a',
    });
    expect(begun.outcome).toBe('acquired');
    expect(await store.idempotencyKeys.purgeExpired(teamA, new Date(clock.now() + 400 * dayMs))).toBe(2);

    expect(await snapshotOfB()).toEqual(before);
  });

  it('shows the app role with team A set none of team B rows, and lets it change none', async () => {
    const rowsOfB: Record<string, number> = {};
    for (const table of tenantTables) {
      rowsOfB[table.name] = await count(database.db, `${table.name} WHERE team_id = $1`, [teamB.teamId]);
      expect(rowsOfB[table.name], table.name).toBeGreaterThan(0);
    }

    for (const table of tenantTables) {
      const visible = await asAppRole(database.db, teamA.teamId, async (transaction) => ({
        ofB: await count(transaction, `${table.name} WHERE team_id = $1`, [teamB.teamId]),
        notOfA: await count(transaction, `${table.name} WHERE team_id <> $1`, [teamA.teamId]),
      }));
      expect(visible, table.name).toEqual({ ofB: 0, notOfA: 0 });

      if (table.privileges.includes('UPDATE')) {
        const changed = await asAppRole(database.db, teamA.teamId, async (transaction) => ({
          updated: (await transaction.query(`UPDATE ${table.name} SET user_id = 'thief' RETURNING 1`)).rows.length,
          deleted: (await transaction.query(`DELETE FROM ${table.name} WHERE team_id = $1 RETURNING 1`, [teamB.teamId]))
            .rows.length,
        }));
        // The UPDATE had no WHERE: it may reach A's rows, never B's.
        expect(changed.deleted, table.name).toBe(0);
      } else {
        // Usage and audit are append-only for the app role.
        const update = await failure(
          asAppRole(database.db, teamA.teamId, (transaction) =>
            transaction.query(`UPDATE ${table.name} SET user_id = 'x'`),
          ),
        );
        expect(String(update), table.name).toMatch(/permission denied/);
        const remove = await failure(
          asAppRole(database.db, teamA.teamId, (transaction) => transaction.query(`DELETE FROM ${table.name}`)),
        );
        expect(String(remove), table.name).toMatch(/permission denied/);
      }
    }

    for (const table of tenantTables) {
      expect(await count(database.db, `${table.name} WHERE team_id = $1`, [teamB.teamId]), table.name).toBe(
        rowsOfB[table.name],
      );
      expect(await count(database.db, `${table.name} WHERE team_id = $1 AND user_id = 'thief'`, [teamB.teamId])).toBe(
        0,
      );
    }
  });

  it("rejects rows written into team B's name, or moved there, under team A's setting", async () => {
    const insert = await failure(
      asAppRole(database.db, teamA.teamId, (transaction) =>
        transaction.query('INSERT INTO conversations (team_id, user_id) VALUES ($1, $2)', [teamB.teamId, 'x']),
      ),
    );
    expect(String(insert)).toMatch(/row-level security/);
    const audit = await failure(
      asAppRole(database.db, teamA.teamId, (transaction) =>
        transaction.query("INSERT INTO audit_log (team_id, user_id, action, subject) VALUES ($1, 'x', 'forged', '')", [
          teamB.teamId,
        ]),
      ),
    );
    expect(String(audit)).toMatch(/row-level security/);
    const move = await failure(
      asAppRole(database.db, teamA.teamId, (transaction) =>
        transaction.query('UPDATE conversations SET team_id = $1', [teamB.teamId]),
      ),
    );
    expect(String(move)).toMatch(/row-level security/);
    expect(await count(database.db, 'audit_log WHERE action = $1', ['forged'])).toBe(0);
  });

  it("refuses, even for the owner, a child row of team A that points at team B's conversation", async () => {
    // Foreign key checks bypass row-level security, so the composite key (team_id, id) is what
    // stops a message of team A from hanging off team B's conversation.
    const error = await failure(
      database.db.query(
        "INSERT INTO messages (team_id, user_id, conversation_id, position, role, content) VALUES ($1, 'x', $2, 99, 'user', '')",
        [teamA.teamId, seeded.conversationId],
      ),
    );
    expect(String(error)).toMatch(/foreign key/);
  });

  it('shows nothing when no team is set, also on a connection that served a team before', async () => {
    const single = database.openAnother({ maxConnections: 1 });
    for (const table of tenantTables) {
      expect(await asAppRole(single, null, (transaction) => count(transaction, table.name)), table.name).toBe(0);
    }
    const used = await asAppRole(single, teamA.teamId, (transaction) => count(transaction, 'conversations'));
    expect(used).toBeGreaterThan(0);
    const afterwards = await asAppRole(single, null, async (transaction) => {
      const { rows } = await transaction.query<{ team: string | null }>(
        "SELECT current_setting('fragmentkit.team_id', true) AS team",
      );
      return { team: rows[0]!.team, conversations: await count(transaction, 'conversations') };
    });
    // The setting is now '' rather than NULL; it must still match no row.
    expect(afterwards.team === null || afterwards.team === '').toBe(true);
    expect(afterwards.conversations).toBe(0);
    if (single !== database.db) await single.close();
  });
});

describeEachEngine('row-level security for a table owner that is not a superuser', (engine) => {
  let database: TestDatabase;
  let owner: Database;
  let store: FragmentStore;
  const ownerRole = uniqueName('fk_test_owner');
  const clock = createFakeClock(Date.UTC(2025, 0, 1));

  /** Every transaction runs as the owner role: what a plain application user would be. */
  function asOwner(db: Database): Database {
    const enter = (transaction: Queryable) => transaction.query(`SET LOCAL ROLE "${ownerRole}"`);
    return {
      query: (sql, params) =>
        db.transaction(async (transaction) => {
          await enter(transaction);
          return transaction.query(sql, params);
        }),
      transaction: (work) =>
        db.transaction(async (transaction) => {
          await enter(transaction);
          return work(transaction);
        }),
      close: () => db.close(),
    };
  }

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const { db } = database;
    await db.query(`CREATE ROLE "${ownerRole}" NOLOGIN`);
    // What an administrator does once: the app role exists and the owner may switch to it.
    await db.query(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${defaultAppRole}') THEN CREATE ROLE ${defaultAppRole} NOLOGIN; END IF; END $$`,
    );
    await db.query(`GRANT ${defaultAppRole} TO "${ownerRole}"`);
    await db.query(`ALTER SCHEMA "${database.location}" OWNER TO "${ownerRole}"`);
    owner = asOwner(db);
    store = createFragmentStore(owner, { clock, retentionDays: 30 });
  });
  afterAll(async () => {
    await database.close();
    // Roles belong to the whole server; PGlite's go with its instance.
    if (engine === 'postgres') {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP ROLE "${ownerRole}"`);
      await client.end();
    }
  });

  it('migrates as the owner, holds the owner to the policies, and lets only its maintenance mode purge', async () => {
    await store.migrate();
    const { rows } = await database.db.query<{ owner: string }>(
      "SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'conversations' AND schemaname = current_schema()",
    );
    expect(rows[0]?.owner).toBe(ownerRole);

    const teamA = newTenant();
    const teamB = newTenant();
    await store.createConversation(teamA, 'a');
    await store.createConversation(teamB, 'b');
    await store.idempotencyKeys.begin(teamA, { scope: 's', key: 'k', requestHash: 'h', ttlMs: 1000 });

    // FORCE ROW LEVEL SECURITY: the owner, outside tenant transactions and maintenance, sees nothing.
    expect(await count(owner, 'conversations')).toBe(0);
    expect(await count(owner, 'idempotency_keys')).toBe(0);
    // The app role is not covered by the maintenance policy, whatever it sets.
    const forged = await asAppRole(database.db, null, async (transaction) => {
      await transaction.query("SELECT set_config('fragmentkit.maintenance', 'on', true)");
      return count(transaction, 'conversations');
    });
    expect(forged).toBe(0);

    clock.advance(31 * dayMs);
    expect(await store.purgeExpired()).toEqual({ conversations: 2, idempotencyKeys: 1 });
    expect(await count(database.db, 'conversations')).toBe(0);
  });
});
