import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './store/database.js';

/**
 * Options of {@link createPgliteDatabase}.
 *
 * @example
 * ```ts
 * const options: PgliteDatabaseOptions = { dataDir: 'memory://' }; // nothing on disk, e.g. for tests
 * ```
 */
export interface PgliteDatabaseOptions {
  /**
   * Folder the database lives in, relative to the working directory, created when missing; or
   * `memory://` for a database that lives only as long as the process (and `idb://name` in a
   * browser). Default `.fragmentkit/db`.
   */
  dataDir?: string;
}

/**
 * The directory PGlite keeps its data in when no `dataDir` is given, relative to the working
 * directory.
 *
 * @example
 * ```ts
 * import { defaultPgliteDataDir } from '@fragmentkit/server/pglite';
 * console.log(`data lives in ${defaultPgliteDataDir}`); // add it to .gitignore
 * ```
 */
export const defaultPgliteDataDir = '.fragmentkit/db';

function isFolder(dataDir: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(dataDir) || dataDir.startsWith('file://');
}

async function openPglite(dataDir: string): Promise<PGlite> {
  if (!isFolder(dataDir)) return PGlite.create(dataDir);
  // PGlite creates only the last folder of the path; loaded lazily so the entry also loads where
  // there is no file system (memory:// and idb:// need none).
  const { mkdir } = await import('node:fs/promises');
  const { resolve } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const folder = dataDir.startsWith('file://') ? fileURLToPath(dataDir) : resolve(dataDir);
  await mkdir(folder, { recursive: true });
  return PGlite.create(folder);
}

function toQueryResult<Row>(result: { rows: Row[] }): QueryResult<Row> {
  return { rows: result.rows };
}

/**
 * The embedded database: PostgreSQL compiled to WebAssembly (PGlite), in a folder on disk,
 * with nothing to install or run. The fragment store runs the same SQL on it as on a PostgreSQL
 * server, row-level security included. PGlite serves one connection: statements and
 * transactions run one at a time, so it suits one process; use `@fragmentkit/server/postgres`
 * when several instances share the data.
 *
 * @example
 * ```ts
 * import { createFragmentStore } from '@fragmentkit/server';
 * import { createPgliteDatabase } from '@fragmentkit/server/pglite';
 *
 * const db = createPgliteDatabase(); // .fragmentkit/db in the working directory
 * const store = createFragmentStore(db);
 * process.on('SIGTERM', () => void db.close());
 * ```
 */
export function createPgliteDatabase(options: PgliteDatabaseOptions = {}): Database {
  const opening = openPglite(options.dataDir ?? defaultPgliteDataDir);
  // Keep an open failure from becoming an unhandled rejection; every call below reports it.
  opening.catch(() => undefined);
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const pglite = await opening;
      return toQueryResult(await pglite.query<Row>(sql, [...params]));
    },
    async transaction(work) {
      const pglite = await opening;
      return pglite.transaction((transaction) => {
        const queryable: Queryable = {
          query: async <Row>(sql: string, params: readonly unknown[] = []) =>
            toQueryResult(await transaction.query<Row>(sql, [...params])),
        };
        return work(queryable);
      });
    },
    async close() {
      const pglite = await opening.catch(() => undefined);
      if (pglite && !pglite.closed) await pglite.close();
    },
  };
}
