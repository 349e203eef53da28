import { incidentSchemaStatements } from '../incidents/incidentSchema.sql.js';
import { agentTaskSchemaStatements } from './agentTasksSchema.sql.js';
import { defaultAppRole, quoteRoleName } from './appRole.js';
import type { Database } from './database.js';
import { initialSchemaStatements } from './schema.sql.js';

/**
 * One numbered, forward-only schema change. `statements` gets the configured app role, since
 * grants and policies name it.
 *
 * @example
 * ```ts
 * const addTags: Migration = {
 *   version: 2,
 *   name: 'conversation tags',
 *   statements: () => ["ALTER TABLE conversations ADD COLUMN tags text[] NOT NULL DEFAULT '{}'"],
 * };
 * ```
 */
export interface Migration {
  version: number;
  name: string;
  statements(context: { appRole: string }): string[];
}

/**
 * Every migration of the fragment store, in order. PGlite and PostgreSQL run the same list.
 *
 * @example
 * ```ts
 * import { fragmentStoreMigrations } from '@fragmentkit/server';
 * console.log(fragmentStoreMigrations.map((migration) => migration.version)); // [1]
 * ```
 */
export const fragmentStoreMigrations: readonly Migration[] = [
  { version: 1, name: 'initial schema', statements: ({ appRole }) => initialSchemaStatements(appRole) },
  {
    version: 2,
    name: 'agent tasks and project snapshots',
    statements: ({ appRole }) => agentTaskSchemaStatements(appRole),
  },
  { version: 3, name: 'incidents', statements: ({ appRole }) => incidentSchemaStatements(appRole) },
];

/**
 * Options of {@link migrate}.
 *
 * @example
 * ```ts
 * const options: MigrateOptions = { appRole: 'fragmentkit_app' };
 * ```
 */
export interface MigrateOptions {
  /** NOLOGIN role that tenant work runs as. Default {@link defaultAppRole}. */
  appRole?: string;
  /** Migrations to apply; the store's own list unless a test needs another. */
  migrations?: readonly Migration[];
}

/**
 * What {@link migrate} did.
 *
 * @example
 * ```ts
 * const { applied } = await migrate(db);
 * if (applied.length > 0) console.log('migrated to', applied.at(-1));
 * ```
 */
export interface MigrateResult {
  /** Versions this call applied; empty when the schema was already current. */
  applied: number[];
}

// One lock for the whole database, not per schema: creating the shared role and granting
// membership touch cluster catalogs, so migrations of different schemas must not interleave.
const migrationLock = "SELECT pg_advisory_xact_lock(hashtext('fragmentkit.migrations'))";

/**
 * Brings the schema in the connection's `search_path` up to date. All pending migrations run in
 * one transaction under a transaction-scoped advisory lock, so instances that start together
 * apply each migration exactly once; the versions are recorded in `fragmentkit_migrations`.
 * The store calls this itself before its first operation unless told not to.
 *
 * @example
 * ```ts
 * import { migrate } from '@fragmentkit/server';
 * import { createPostgresDatabase } from '@fragmentkit/server/postgres';
 *
 * const db = createPostgresDatabase({ connectionString: process.env.DATABASE_URL });
 * await migrate(db); // e.g. in a deploy step
 * ```
 */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<MigrateResult> {
  const appRole = options.appRole ?? defaultAppRole;
  quoteRoleName(appRole);
  const migrations = [...(options.migrations ?? fragmentStoreMigrations)].sort((a, b) => a.version - b.version);
  return db.transaction(async (transaction) => {
    await transaction.query(migrationLock);
    await transaction.query(
      `CREATE TABLE IF NOT EXISTS fragmentkit_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const { rows } = await transaction.query<{ version: number }>('SELECT version FROM fragmentkit_migrations');
    const done = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements({ appRole })) await transaction.query(statement);
      await transaction.query('INSERT INTO fragmentkit_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return { applied };
  });
}
