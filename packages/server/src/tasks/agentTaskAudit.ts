import type { FragmentkitLogger } from '../logger.js';
import type { FragmentStore } from '../store/fragmentStore.js';
import type { Tenant } from '../store/tenantTransaction.js';
import type { AgentTaskRecord } from './agentTaskView.js';

/**
 * The audit subject of a project: entries about its tasks and snapshots start with it, so
 * `store.listAudit(tenant, { subjectPrefix: projectAuditSubject(id) })` lists them.
 *
 * @example
 * ```ts
 * projectAuditSubject('web app'); // 'project/web%20app/'
 * ```
 */
export function projectAuditSubject(projectId: string): string {
  return `project/${encodeURIComponent(projectId)}/`;
}

/**
 * Audit actions of agent tasks.
 *
 * @example
 * ```ts
 * const action: AgentTaskAuditAction = 'task.completed';
 * ```
 */
export type AgentTaskAuditAction =
  | 'task.created'
  | 'task.completed'
  | 'task.failed'
  | 'patch.accepted'
  | 'patch.rejected';

/**
 * Appends an agent task entry to the audit log (user and team come from the tenant): the
 * project, task, mode and, once known, provider, model, tokens and duration. A failure to
 * write is logged, never thrown: the task itself went fine.
 *
 * @example
 * ```ts
 * await auditAgentTask({ store, logger }, tenant, 'patch.accepted', record, { paths: ['src/App.tsx'] });
 * ```
 */
export async function auditAgentTask(
  target: { store?: FragmentStore | undefined; logger: FragmentkitLogger },
  tenant: Tenant,
  action: AgentTaskAuditAction,
  record: AgentTaskRecord,
  extra: Record<string, unknown> = {},
): Promise<void> {
  if (!target.store) return;
  const data = {
    projectId: record.projectId,
    taskId: record.id,
    mode: record.mode,
    ...(record.metrics ?? {}),
    ...(record.error ? { errorCode: record.error.code } : {}),
    ...extra,
  };
  await target.store
    .audit(tenant, { action, subject: `${projectAuditSubject(record.projectId)}task/${record.id}`, data })
    .catch((error: unknown) =>
      target.logger.error(
        { operation: action, taskId: record.id, errorMessage: error instanceof Error ? error.message : String(error) },
        'fragmentkit could not write an agent task audit entry',
      ),
    );
}
