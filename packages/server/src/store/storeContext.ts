import type { Clock } from '@fragmentkit/core';
import type { Queryable } from './database.js';
import type { Tenant } from './tenantTransaction.js';

/**
 * What every store operation needs: a way to run work for one tenant (migrated, in a
 * row-level-security transaction), a way to run maintenance across tenants, and the clock that
 * stamps rows.
 *
 * @example
 * ```ts
 * async function countMessages(context: StoreContext, tenant: Tenant): Promise<number> {
 *   return context.asTenant(tenant, async (transaction) => {
 *     const { rows } = await transaction.query<{ count: number }>('SELECT count(*)::int AS count FROM messages');
 *     return rows[0]?.count ?? 0;
 *   });
 * }
 * ```
 */
export interface StoreContext {
  asTenant<Result>(tenant: Tenant, work: (transaction: Queryable, tenant: Tenant) => Promise<Result>): Promise<Result>;
  asMaintenance<Result>(work: (transaction: Queryable) => Promise<Result>): Promise<Result>;
  clock: Clock;
}
