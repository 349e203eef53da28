import type { AgentTaskStateStore } from '../tasks/agentTaskStateStore.js';
import type { AgentTaskRecord } from '../tasks/agentTaskView.js';
import type { StoreContext } from './storeContext.js';

interface AgentTaskRow {
  id: string;
  team_id: string;
  user_id: string;
  project_id: string;
  mode: AgentTaskRecord['mode'];
  status: AgentTaskRecord['status'];
  revision: number;
  job_id: string | null;
  input: AgentTaskRecord['input'];
  result: AgentTaskRecord['result'] | null;
  error: AgentTaskRecord['error'] | null;
  metrics: AgentTaskRecord['metrics'] | null;
  created_at: Date;
  updated_at: Date;
}

const columns =
  'id, team_id, user_id, project_id, mode, status, revision, job_id, input, result, error, metrics, created_at, updated_at';

function toRecord(row: AgentTaskRow): AgentTaskRecord {
  return {
    id: row.id,
    teamId: row.team_id,
    userId: row.user_id,
    projectId: row.project_id,
    mode: row.mode,
    status: row.status,
    revision: row.revision,
    ...(row.job_id === null ? {} : { jobId: row.job_id }),
    input: row.input,
    ...(row.result ? { result: row.result } : {}),
    ...(row.error ? { error: row.error } : {}),
    ...(row.metrics ? { metrics: row.metrics } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The agent tasks of the fragment store (`store.agentTasks`): the `agent_tasks` table, under
 * row-level security by team and scoped to the user who created each task.
 *
 * @example
 * ```ts
 * const states = createStoreAgentTaskStates(context);
 * const record = await states.get(tenant, taskId);
 * ```
 */
export function createStoreAgentTaskStates(context: StoreContext): AgentTaskStateStore {
  return {
    create: (tenant, input) => {
      const now = new Date(context.clock.now());
      return context.asTenant(tenant, async (transaction, { teamId, userId }) => {
        const { rows } = await transaction.query<AgentTaskRow>(
          `INSERT INTO agent_tasks (id, team_id, user_id, project_id, mode, status, revision, input, created_at, updated_at)
          VALUES ($1, $2, $3, $4, $5, 'queued', 1, $6::jsonb, $7, $7)
          RETURNING ${columns}`,
          [input.id, teamId, userId, input.projectId, input.mode, JSON.stringify(input.input), now],
        );
        return toRecord(rows[0]!);
      });
    },
    get: (tenant, id) =>
      context.asTenant(tenant, async (transaction, { userId }) => {
        const { rows } = await transaction.query<AgentTaskRow>(
          `SELECT ${columns} FROM agent_tasks WHERE id = $1 AND user_id = $2`,
          [id, userId],
        );
        return rows[0] ? toRecord(rows[0]) : null;
      }),
    update: (tenant, id, change, expectedRevision) => {
      const now = new Date(context.clock.now());
      return context.asTenant(tenant, async (transaction, { userId }) => {
        const { rows } = await transaction.query<AgentTaskRow>(
          `UPDATE agent_tasks SET
            status = coalesce($3, status),
            result = coalesce($4::jsonb, result),
            error = CASE WHEN $5::boolean THEN $6::jsonb ELSE error END,
            metrics = CASE WHEN $7::boolean THEN $8::jsonb ELSE metrics END,
            job_id = coalesce($11, job_id),
            revision = revision + 1,
            updated_at = $9
          WHERE id = $1 AND user_id = $2 AND ($10::integer IS NULL OR revision = $10)
          RETURNING ${columns}`,
          [
            id,
            userId,
            change.status ?? null,
            change.result ? JSON.stringify(change.result) : null,
            change.error !== undefined,
            change.error ? JSON.stringify(change.error) : null,
            change.metrics !== undefined,
            change.metrics ? JSON.stringify(change.metrics) : null,
            now,
            expectedRevision ?? null,
            change.jobId ?? null,
          ],
        );
        return rows[0] ? toRecord(rows[0]) : null;
      });
    },
  };
}
