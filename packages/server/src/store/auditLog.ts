import { z } from 'zod';
import type { StoreContext } from './storeContext.js';
import { parseStoreInput } from './storeInput.js';
import type { Tenant } from './tenantTransaction.js';

/**
 * Input of `store.audit`: who did what to which thing. `subject` is a path-like name such as
 * `conversation/<id>`, so entries about one kind of thing can be listed by prefix.
 *
 * @example
 * ```ts
 * const entry: AuditInput = { action: 'conversation.delete', subject: `conversation/${id}`, data: { title } };
 * ```
 */
export interface AuditInput {
  action: string;
  subject: string;
  /** JSON-serialisable context; stored as jsonb. */
  data?: Record<string, unknown>;
}

/**
 * One entry of the audit log.
 *
 * @example
 * ```ts
 * const lines = entries.map((entry: AuditRecord) => `${entry.createdAt.toISOString()} ${entry.userId} ${entry.action}`);
 * ```
 */
export interface AuditRecord {
  id: string;
  userId: string;
  action: string;
  subject: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Input of `store.listAudit`.
 *
 * @example
 * ```ts
 * const input: ListAuditInput = { subjectPrefix: 'conversation/', limit: 50 };
 * ```
 */
export interface ListAuditInput {
  /** Only what this user did. */
  userId?: string;
  /** Only subjects starting with this text (compared literally: `%` and `_` are not wildcards). */
  subjectPrefix?: string;
  /** 1 to 500; default 50. */
  limit?: number;
}

const auditSchema = z.object({
  action: z.string().min(1).max(128),
  subject: z.string().max(1024),
  data: z.record(z.string(), z.unknown()).default({}),
});
const listAuditSchema = z.object({
  userId: z.string().min(1).max(256).optional(),
  subjectPrefix: z.string().max(1024).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});

interface AuditRow {
  id: string;
  user_id: string;
  action: string;
  subject: string;
  data: Record<string, unknown>;
  created_at: Date;
}

const auditColumns = 'id, user_id, action, subject, data, created_at';

function toAuditRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    userId: row.user_id,
    action: row.action,
    subject: row.subject,
    data: row.data,
    createdAt: row.created_at,
  };
}

/**
 * Appends an entry to the team's audit log. The app role may insert and read entries, never
 * change or delete them.
 *
 * @example
 * ```ts
 * await audit(context, tenant, { action: 'conversation.rename', subject: `conversation/${id}`, data: { title } });
 * ```
 */
export async function audit(context: StoreContext, tenant: Tenant, input: AuditInput): Promise<AuditRecord> {
  const checked = parseStoreInput(auditSchema, input, 'audit');
  const now = new Date(context.clock.now());
  return context.asTenant(tenant, async (transaction, { teamId, userId }) => {
    const { rows } = await transaction.query<AuditRow>(
      `INSERT INTO audit_log (team_id, user_id, action, subject, data, created_at)
      VALUES ($1, $2, $3, $4, $5::jsonb, $6)
      RETURNING ${auditColumns}`,
      [teamId, userId, checked.action, checked.subject, JSON.stringify(checked.data), now],
    );
    return toAuditRecord(rows[0]!);
  });
}

/**
 * Lists the team's audit entries, newest first.
 *
 * @example
 * ```ts
 * const deletions = await listAudit(context, tenant, { subjectPrefix: 'conversation/', limit: 20 });
 * ```
 */
export async function listAudit(
  context: StoreContext,
  tenant: Tenant,
  input: ListAuditInput = {},
): Promise<AuditRecord[]> {
  const checked = parseStoreInput(listAuditSchema, input, 'listAudit');
  return context.asTenant(tenant, async (transaction) => {
    const { rows } = await transaction.query<AuditRow>(
      `SELECT ${auditColumns} FROM audit_log
      WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR starts_with(subject, $2))
      ORDER BY created_at DESC, id DESC
      LIMIT $3`,
      [checked.userId ?? null, checked.subjectPrefix ?? null, checked.limit],
    );
    return rows.map(toAuditRecord);
  });
}
