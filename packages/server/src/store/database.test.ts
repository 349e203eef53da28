import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase } from '../pglite.js';
import { createPostgresDatabase } from '../postgres.js';
import { newTenant } from './__fixtures__/storeTestData.js';
import {
  databaseUrl,
  describeEachEngine,
  openTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from './__fixtures__/testDatabases.js';
import { createFragmentStore } from './fragmentStore.js';
import { fragmentStoreMigrations } from './migrations.js';
import { runAsTenant } from './tenantTransaction.js';

describeEachEngine('database transactions', (engine) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await database.db.query('CREATE TABLE notes (text text NOT NULL)');
  });
  afterAll(async () => {
    await database.close();
  });

  it('commits when the work resolves and rolls back when it throws', async () => {
    await database.db.transaction((transaction) => transaction.query("INSERT INTO notes VALUES ('kept')"));
    const failure = await database.db
      .transaction(async (transaction) => {
        await transaction.query("INSERT INTO notes VALUES ('dropped')");
        throw new Error('changed my mind');
      })
      .catch((error: unknown) => error);
    expect(String(failure)).toContain('changed my mind');
    const { rows } = await database.db.query<{ text: string }>('SELECT text FROM notes ORDER BY text');
    expect(rows).toEqual([{ text: 'kept' }]);
  });

  it('ends the role switch and the team setting with the tenant transaction', async () => {
    const { rows: before } = await database.db.query<{ role: string }>('SELECT current_user AS role');
    const store = createFragmentStore(database.db);
    await store.migrate();
    const inside = await runAsTenant(database.db, newTenant(), 'fragmentkit_app', async (transaction) => {
      const { rows } = await transaction.query<{ role: string; team: string }>(
        "SELECT current_user AS role, current_setting('fragmentkit.team_id', true) AS team",
      );
      return rows[0];
    });
    expect(inside?.role).toBe('fragmentkit_app');
    const { rows: after } = await database.db.query<{ role: string; team: string | null }>(
      "SELECT current_user AS role, current_setting('fragmentkit.team_id', true) AS team",
    );
    expect(after[0]?.role).toBe(before[0]?.role);
    expect(after[0]?.team ?? '').toBe('');
  });
});

describe('PGlite data directory', () => {
  let parent: string;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'fragmentkit-pglite-'));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('creates missing folders and keeps the data across close and reopen', async () => {
    const dataDir = join(parent, 'nested', 'db');
    const tenant = newTenant();
    const first = createPgliteDatabase({ dataDir });
    const store = createFragmentStore(first);
    const conversation = await store.createConversation(tenant, 'survives restarts');
    await store.appendMessage(tenant, { conversationId: conversation.id, role: 'user', content: 'hello' });
    await first.close();

    const second = createPgliteDatabase({ dataDir: pathToFileURL(dataDir).href });
    const reopened = createFragmentStore(second, { migrate: false });
    const detail = await reopened.getConversation(tenant, conversation.id);
    expect(detail?.conversation.title).toBe('survives restarts');
    expect(detail?.messages.map((message) => message.content)).toEqual(['hello']);
    // Reopening applied nothing twice: each migration is recorded once.
    const { rows } = await second.query<{ version: number }>(
      'SELECT version FROM fragmentkit_migrations ORDER BY version',
    );
    expect(rows).toEqual(fragmentStoreMigrations.map(({ version }) => ({ version })));
    await second.close();
    await second.close();
  });

  it('reports a data directory it cannot use on every call, without an unhandled rejection', async () => {
    const file = join(parent, 'not-a-folder');
    await writeFile(file, 'x');
    const db = createPgliteDatabase({ dataDir: join(file, 'db') });
    await expect(db.query('SELECT 1')).rejects.toThrow(/ENOTDIR|not a directory/i);
    await expect(db.transaction((transaction) => transaction.query('SELECT 1'))).rejects.toThrow();
    await db.close();
  });
});

describe.runIf(postgresAvailable)('PostgreSQL pool ownership', () => {
  it('ends a pool it opened and leaves a pool it was given open', async () => {
    const given = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    const borrowed = createPostgresDatabase({ pool: given });
    await borrowed.query('SELECT 1');
    await borrowed.close();
    expect((await given.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await given.end();

    const owned = createPostgresDatabase({ connectionString: databaseUrl });
    expect((await owned.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await owned.close();
    await expect(owned.query('SELECT 1')).rejects.toThrow();
  });
});
