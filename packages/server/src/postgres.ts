import pg from 'pg';
import type { Database, Queryable } from './store/database.js';

/**
 * Options of {@link createPostgresDatabase}. Give a connection string, or a pool you configured
 * yourself (TLS, pool size, `search_path`); the default is `process.env.DATABASE_URL`.
 *
 * @example
 * ```ts
 * const options: PostgresDatabaseOptions = { connectionString: 'postgres://app@db.internal:5432/app' };
 * ```
 */
export interface PostgresDatabaseOptions {
  connectionString?: string;
  /** A pool to use instead of opening one; `close()` leaves it open, since it is yours. */
  pool?: pg.Pool;
}

/**
 * PostgreSQL through `pg`: for several instances sharing data. The fragment store runs the
 * same SQL and migrations as on the embedded engine, and row-level security by team applies to
 * every tenant operation. The connecting role should own the tables (it runs the migrations);
 * tenant work switches to the restricted app role inside each transaction.
 *
 * @example
 * ```ts
 * import { createFragmentStore } from '@fragmentkit/server';
 * import { createPostgresDatabase } from '@fragmentkit/server/postgres';
 *
 * const db = createPostgresDatabase({ connectionString: process.env.DATABASE_URL });
 * const store = createFragmentStore(db);
 *
 * // A dedicated schema: put it on the pool's search_path.
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, options: '-c search_path=fragmentkit' });
 * const scoped = createFragmentStore(createPostgresDatabase({ pool }));
 * ```
 */
export function createPostgresDatabase(options: PostgresDatabaseOptions = {}): Database {
  const ownsPool = options.pool === undefined;
  const pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString ?? process.env.DATABASE_URL });
  // An idle connection that the server drops emits 'error' on the pool; without a listener that
  // would crash the process. The pool discards the connection and the next query opens another.
  if (ownsPool) pool.on('error', () => undefined);

  return {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await pool.query(sql, [...params]);
      return { rows: result.rows as Row[] };
    },
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const queryable: Queryable = {
          query: async <Row>(sql: string, params: readonly unknown[] = []) => {
            const result = await client.query(sql, [...params]);
            return { rows: result.rows as Row[] };
          },
        };
        const result = await work(queryable);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          // A connection that cannot even roll back must not go back into the pool.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (ownsPool && !pool.ended) await pool.end();
    },
  };
}
