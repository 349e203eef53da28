/**
 * The rows a statement returned.
 *
 * @example
 * ```ts
 * const result: QueryResult<{ id: string }> = await db.query('SELECT id FROM conversations');
 * for (const row of result.rows) console.log(row.id);
 * ```
 */
export interface QueryResult<Row> {
  rows: Row[];
}

/**
 * Something that runs one SQL statement with `$1`-style parameters. Both a {@link Database}
 * and the transaction it hands to {@link Database.transaction} are one.
 *
 * @example
 * ```ts
 * async function countConversations(queryable: Queryable): Promise<number> {
 *   const { rows } = await queryable.query<{ count: number }>('SELECT count(*)::int AS count FROM conversations');
 *   return rows[0]?.count ?? 0;
 * }
 * ```
 */
export interface Queryable {
  /**
   * Runs one statement. Pass JSON values as `JSON.stringify(value)` with a `::jsonb` cast:
   * engines disagree on how they serialise arrays.
   */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/**
 * The engine-neutral connection the fragment store runs on. The store only ever speaks this
 * interface, so the embedded engine (`@fragmentkit/server/pglite`) and PostgreSQL
 * (`@fragmentkit/server/postgres`) run the very same SQL, and an app loads only the driver it
 * imports.
 *
 * @example
 * ```ts
 * import { createPgliteDatabase } from '@fragmentkit/server/pglite';
 *
 * const db: Database = createPgliteDatabase();
 * await db.transaction(async (transaction) => {
 *   await transaction.query('SELECT 1');
 * });
 * await db.close();
 * ```
 */
export interface Database extends Queryable {
  /**
   * Runs `work` inside one transaction on one connection: committed when it resolves, rolled back
   * when it throws. `SET LOCAL` settings made inside end with it.
   */
  transaction<Result>(work: (transaction: Queryable) => Promise<Result>): Promise<Result>;
  /** Closes the connections this database opened (a pool passed in by the caller stays open). */
  close(): Promise<void>;
}
