import { FragmentkitError } from '@fragmentkit/core';
import pg from 'pg';
import { afterAll, afterEach, expect, it } from 'vitest';
import { incidentTables } from '../incidents/incidentSchema.sql.js';
import { newTenant } from './__fixtures__/storeTestData.js';
import {
  databaseUrl,
  describeEachEngine,
  openPostgresSchema,
  openTestDatabase,
  type TestDatabase,
  uniqueName,
} from './__fixtures__/testDatabases.js';
import { agentTaskTables } from './agentTasksSchema.sql.js';
import { defaultAppRole } from './appRole.js';
import { createFragmentStore } from './fragmentStore.js';
import { fragmentStoreMigrations, type Migration, migrate } from './migrations.js';
import { tenantTables as initialTables } from './schema.sql.js';

// Every table a migration put under row-level security.
const tenantTables = [...initialTables, ...agentTaskTables, ...incidentTables];

describeEachEngine('migrations', (engine) => {
  const opened: TestDatabase[] = [];
  const rolesToDrop: string[] = [];

  async function fresh(): Promise<TestDatabase> {
    const database = await openTestDatabase(engine);
    opened.push(database);
    return database;
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((database) => database.close()));
  });
  afterAll(async () => {
    if (engine !== 'postgres' || rolesToDrop.length === 0) return;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    for (const role of rolesToDrop) await client.query(`DROP ROLE IF EXISTS "${role}"`);
    await client.end();
  });

  it('applies each migration once and records it', async () => {
    const { db } = await fresh();
    expect(await migrate(db)).toEqual({ applied: fragmentStoreMigrations.map((migration) => migration.version) });
    expect(await migrate(db)).toEqual({ applied: [] });
    const { rows } = await db.query<{ version: number; name: string }>(
      'SELECT version, name FROM fragmentkit_migrations ORDER BY version',
    );
    expect(rows).toEqual(fragmentStoreMigrations.map(({ version, name }) => ({ version, name })));
  });

  it('applies a migration exactly once when instances start at the same time', async () => {
    const database = await fresh();
    const instances = [database.db, database.openAnother(), database.openAnother(), database.openAnother()];
    const results = await Promise.all(instances.map((db) => migrate(db)));
    expect(results.filter((result) => result.applied.length > 0)).toEqual([
      { applied: fragmentStoreMigrations.map((migration) => migration.version) },
    ]);
    expect(results.filter((result) => result.applied.length === 0)).toHaveLength(3);

    // Stores migrate by themselves on first use; racing first uses are fine too.
    const stores = instances.map((db) => createFragmentStore(db));
    const tenant = newTenant();
    await Promise.all(stores.map((store, index) => store.createConversation(tenant, `instance ${index}`)));
    expect((await stores[0]!.listConversations(tenant)).conversations).toHaveLength(4);
    const recorded = await database.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM fragmentkit_migrations',
    );
    expect(recorded.rows[0]!.count).toBe(fragmentStoreMigrations.length);
  });

  // Schemas of one server share its roles; PGlite has no second client to race with.
  if (engine === 'postgres') {
    it('migrates several schemas of one server at the same time', async () => {
      const schemas = await Promise.all([openPostgresSchema(), openPostgresSchema(), openPostgresSchema()]);
      opened.push(...schemas);
      const results = await Promise.all(
        schemas.flatMap((schema) => [migrate(schema.db), migrate(schema.openAnother())]),
      );
      const all = fragmentStoreMigrations.length;
      expect(results.map((result) => result.applied.length).sort()).toEqual([0, 0, 0, all, all, all]);
      for (const schema of schemas) {
        const store = createFragmentStore(schema.db);
        const tenant = newTenant();
        await store.createConversation(tenant, schema.location);
        expect((await store.listConversations(tenant)).conversations[0]?.title).toBe(schema.location);
      }
    });
  }

  it('runs all pending migrations in one transaction: a failing one leaves nothing behind', async () => {
    const { db } = await fresh();
    const broken: Migration[] = [
      { version: 1, name: 'first', statements: () => ['CREATE TABLE first_table (id integer)'] },
      { version: 2, name: 'second', statements: () => ['CREATE TABLE second_table (id integer)', 'SELECT 1/0'] },
    ];
    const error = await migrate(db, { migrations: broken }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(String(error)).toMatch(/division by zero/);
    const { rows } = await db.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('first_table', 'second_table', 'fragmentkit_migrations')",
    );
    expect(rows).toEqual([]);
  });

  it('turns on and forces row-level security on every tenant table, for a role with only row access', async () => {
    const { db } = await fresh();
    await migrate(db);
    const tables = await db.query<{ name: string; enabled: boolean; forced: boolean }>(
      `SELECT relname AS name, relrowsecurity AS enabled, relforcerowsecurity AS forced
      FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' ORDER BY relname`,
    );
    const expected: { name: string; enabled: boolean; forced: boolean }[] = tenantTables.map((table) => ({
      name: table.name,
      enabled: true,
      forced: true,
    }));
    expected.push({ name: 'fragmentkit_migrations', enabled: false, forced: false });
    expect(tables.rows).toEqual(expect.arrayContaining(expected));
    expect(tables.rows).toHaveLength(expected.length);

    const policies = await db.query<{ table: string; qual: string; check: string | null }>(
      `SELECT tablename AS table, qual, with_check AS check FROM pg_policies
      WHERE schemaname = current_schema() AND policyname = 'fragmentkit_tenant_isolation'`,
    );
    expect(policies.rows.map((policy) => policy.table).sort()).toEqual(tenantTables.map((table) => table.name).sort());
    for (const policy of policies.rows) {
      expect(policy.qual).toContain("current_setting('fragmentkit.team_id'::text, true)");
      expect(policy.check).toBe(policy.qual);
    }

    const role = await db.query<{ login: boolean; superuser: boolean; bypass: boolean }>(
      'SELECT rolcanlogin AS login, rolsuper AS superuser, rolbypassrls AS bypass FROM pg_roles WHERE rolname = $1',
      [defaultAppRole],
    );
    expect(role.rows).toEqual([{ login: false, superuser: false, bypass: false }]);

    for (const table of [...tenantTables, { name: 'fragmentkit_migrations', privileges: '' } as const]) {
      const { rows } = await db.query<Record<string, boolean>>(
        `SELECT ${['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']
          .map((privilege) => `has_table_privilege($1, $2, '${privilege}') AS "${privilege}"`)
          .join(', ')}`,
        [defaultAppRole, table.name],
      );
      const granted = Object.entries(rows[0]!)
        .filter(([, has]) => has)
        .map(([privilege]) => privilege)
        .join(', ');
      expect(granted, table.name).toBe(table.privileges);
    }
  });

  it('uses a configured role name, created once for the whole server', async () => {
    const { db } = await fresh();
    const appRole = uniqueName('fk_test_app');
    rolesToDrop.push(appRole);
    const store = createFragmentStore(db, { appRole });
    const tenant = newTenant();
    await store.createConversation(tenant, 'custom role');
    expect((await store.listConversations(tenant)).conversations).toHaveLength(1);
    const { rows } = await db.query<{ granted: boolean }>(
      "SELECT has_table_privilege($1, 'conversations', 'SELECT') AS granted",
      [appRole],
    );
    expect(rows[0]?.granted).toBe(true);
  });

  it('refuses role names that are not plain identifiers', async () => {
    const { db } = await fresh();
    for (const appRole of ['Fragmentkit', 'app; DROP TABLE x', '"quoted"', '', 'a'.repeat(64)]) {
      const error = await migrate(db, { appRole }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(FragmentkitError.isInstance(error) && error.code, appRole).toBe('INVALID_REQUEST');
      expect(() => createFragmentStore(db, { appRole })).toThrow(/Invalid database role name/);
    }
  });
});
