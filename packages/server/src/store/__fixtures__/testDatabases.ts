import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import { createPgliteDatabase } from '../../pglite.js';
import { createPostgresDatabase } from '../../postgres.js';
import type { Database } from '../database.js';

/** Where the PostgreSQL half of the suite connects. */
export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const enableHint =
  'to run the PostgreSQL half of the store tests, start PostgreSQL on 127.0.0.1:5432 ' +
  '(user postgres, database test, trust auth) or point DATABASE_URL at a server where the user may create schemas';

async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const postgresProblem = await probePostgres();

/** A fresh, empty database for one test file (or one test), and how to get rid of it. */
export interface TestDatabase {
  engine: EngineName;
  /** Connects as the superuser that owns everything; the store switches roles itself. */
  db: Database;
  /**
   * Another client of the same data, like a second app instance. PGlite has one connection per
   * database, so there it is the same database.
   */
  openAnother(options?: { maxConnections?: number }): Database;
  /** The schema the database lives in. */
  location: string;
  close(): Promise<void>;
}

export type EngineName = 'pglite' | 'postgres';

/** Unique enough that parallel runs on one server never meet. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(6).toString('hex')}`;
}

// Starting PGlite takes seconds (initdb in WebAssembly), so a test file shares one in-memory
// instance and every "fresh database" is a new schema in it, exactly as on PostgreSQL.
let sharedPglite: Database | undefined;

async function openPglite(): Promise<TestDatabase> {
  sharedPglite ??= createPgliteDatabase({ dataDir: 'memory://' });
  const db = sharedPglite;
  const schema = uniqueName('fk_test');
  await db.query(`CREATE SCHEMA "${schema}"`);
  // PGlite has one session, so the search_path applies to all of it until the next test.
  await db.query(`SET search_path = "${schema}"`);
  return {
    engine: 'pglite',
    db,
    openAnother: () => db,
    location: schema,
    async close() {
      await db.query('SET search_path = public');
      await db.query(`DROP SCHEMA "${schema}" CASCADE`);
    },
  };
}

async function closeSharedPglite(): Promise<void> {
  await sharedPglite?.close();
  sharedPglite = undefined;
}

/** A new schema on the shared server, reached through pools whose search_path is that schema. */
export async function openPostgresSchema(schema = uniqueName('fk_test')): Promise<TestDatabase> {
  const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const pools: pg.Pool[] = [];
  const connect = (options: { maxConnections?: number } = {}): Database => {
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      options: `-c search_path="${schema}"`,
      max: options.maxConnections ?? 4,
    });
    pools.push(pool);
    return createPostgresDatabase({ pool });
  };
  const db = connect();
  return {
    engine: 'postgres',
    db,
    openAnother: connect,
    location: schema,
    async close() {
      await Promise.all(pools.map((pool) => pool.end()));
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/** Opens a fresh database of the given engine. */
export function openTestDatabase(engine: EngineName): Promise<TestDatabase> {
  return engine === 'pglite' ? openPglite() : openPostgresSchema();
}

let warned = false;

/**
 * Declares the same tests once per engine. Without a reachable PostgreSQL the PostgreSQL half
 * is skipped with a note on how to enable it, except in CI, where it fails.
 */
export function describeEachEngine(title: string, body: (engine: EngineName) => void): void {
  afterAll(closeSharedPglite);
  describe(`${title} [pglite]`, () => body('pglite'));
  if (postgresProblem === null) {
    describe(`${title} [postgres]`, () => body('postgres'));
    return;
  }
  const message = `PostgreSQL is unreachable at ${redact(databaseUrl)} (${postgresProblem}); ${enableHint}.`;
  if (process.env.CI === 'true') {
    describe(`${title} [postgres]`, () => {
      it('needs PostgreSQL in CI', () => {
        throw new Error(message);
      });
    });
    return;
  }
  if (!warned) {
    warned = true;
    console.warn(`Skipping the PostgreSQL store tests: ${message}`);
  }
  describe.skip(`${title} [postgres] (skipped: ${message})`, () => body('postgres'));
}

/** Whether the PostgreSQL half runs in this process. */
export const postgresAvailable = postgresProblem === null;

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
