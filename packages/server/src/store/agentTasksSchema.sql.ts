import { quoteRoleName } from './appRole.js';
import { tenantTableSecurity } from './schema.sql.js';

/**
 * The tables migration 2 adds, with the privileges the app role gets on each: agent tasks
 * (their input, status and per-file accept/reject decisions, updated as the task runs) and
 * project snapshots (append-only: a saved version never changes, a restore saves a new one).
 *
 * @example
 * ```ts
 * for (const table of agentTaskTables) console.log(table.name, table.privileges);
 * ```
 */
export const agentTaskTables = [
  { name: 'agent_tasks', privileges: 'SELECT, INSERT, UPDATE, DELETE' },
  { name: 'project_snapshots', privileges: 'SELECT, INSERT' },
] as const;

// project_id is a host-chosen string scoped by team, unrelated to any other "project" table.
const tableDefinitions = [
  `CREATE TABLE agent_tasks (
    id text NOT NULL CHECK (id <> ''),
    team_id text NOT NULL CHECK (team_id <> ''),
    user_id text NOT NULL CHECK (user_id <> ''),
    project_id text NOT NULL CHECK (project_id <> ''),
    mode text NOT NULL CHECK (mode IN ('patch', 'explain', 'generate_test', 'lint_fix')),
    status text NOT NULL CHECK (status IN ('queued', 'processing', 'done', 'failed')),
    revision integer NOT NULL CHECK (revision > 0),
    job_id text,
    input jsonb NOT NULL,
    result jsonb,
    error jsonb,
    metrics jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, id)
  )`,
  'CREATE INDEX agent_tasks_user ON agent_tasks (team_id, user_id, created_at DESC)',
  'CREATE INDEX agent_tasks_project ON agent_tasks (team_id, project_id, created_at DESC)',
  `CREATE TABLE project_snapshots (
    team_id text NOT NULL CHECK (team_id <> ''),
    project_id text NOT NULL CHECK (project_id <> ''),
    version integer NOT NULL CHECK (version > 0),
    user_id text NOT NULL CHECK (user_id <> ''),
    files jsonb NOT NULL,
    restored_from integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, project_id, version)
  )`,
];

/**
 * The statements of migration 2: the agent task and project snapshot tables, the app role's
 * privileges on them and row-level security by team, exactly as migration 1 sets it up for its
 * tables. The role itself and its schema usage exist since migration 1.
 *
 * @example
 * ```ts
 * for (const statement of agentTaskSchemaStatements('fragmentkit_app')) await transaction.query(statement);
 * ```
 */
export function agentTaskSchemaStatements(appRole: string): string[] {
  const role = quoteRoleName(appRole);
  return [...tableDefinitions, ...tenantTableSecurity(agentTaskTables, role)];
}
