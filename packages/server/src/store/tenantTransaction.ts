import { z } from 'zod';
import { quoteRoleName } from './appRole.js';
import type { Database, Queryable } from './database.js';
import { maintenanceSetting, teamSetting } from './schema.sql.js';
import { parseStoreInput } from './storeInput.js';

/**
 * Who a store call acts for. `teamId` is the isolation boundary enforced by the database;
 * `userId` is recorded on every row and scopes conversations to their author.
 *
 * @example
 * ```ts
 * const tenant: Tenant = { teamId: session.orgId, userId: session.userId };
 * await store.listConversations(tenant, { limit: 20 });
 * ```
 */
export interface Tenant {
  teamId: string;
  userId: string;
}

const tenantSchema = z.object({
  teamId: z.string().min(1).max(256),
  userId: z.string().min(1).max(256),
});

/**
 * Runs `work` in a transaction that first switches to the restricted app role and sets the
 * team, so row-level security limits every statement in it to that team's rows, whatever the
 * statement says. Both settings end with the transaction, so pooled connections do not leak
 * them. Throws `INVALID_REQUEST` for an empty or missing team or user id.
 *
 * @example
 * ```ts
 * const titles = await runAsTenant(db, tenant, 'fragmentkit_app', async (transaction) => {
 *   const { rows } = await transaction.query<{ title: string }>('SELECT title FROM conversations');
 *   return rows.map((row) => row.title);
 * });
 * ```
 */
export async function runAsTenant<Result>(
  db: Database,
  tenant: Tenant,
  appRole: string,
  work: (transaction: Queryable, tenant: Tenant) => Promise<Result>,
): Promise<Result> {
  const checked = parseStoreInput(tenantSchema, tenant, 'the store (tenant)');
  const role = quoteRoleName(appRole);
  return db.transaction(async (transaction) => {
    await transaction.query(`SET LOCAL ROLE ${role}`);
    await transaction.query('SELECT set_config($1, $2, true)', [teamSetting, checked.teamId]);
    return work(transaction, checked);
  });
}

/**
 * Runs `work` across all teams, as the connecting role (the tables' owner), for jobs such as
 * retention that no single tenant owns. Never use it for work done on a tenant's behalf.
 *
 * @example
 * ```ts
 * await runAsMaintenance(db, (transaction) => transaction.query('DELETE FROM idempotency_keys WHERE expires_at <= now()'));
 * ```
 */
export function runAsMaintenance<Result>(
  db: Database,
  work: (transaction: Queryable) => Promise<Result>,
): Promise<Result> {
  return db.transaction(async (transaction) => {
    await transaction.query("SELECT set_config($1, 'on', true)", [maintenanceSetting]);
    return work(transaction);
  });
}
