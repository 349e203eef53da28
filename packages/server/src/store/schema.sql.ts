import { quoteRoleName } from './appRole.js';

/**
 * The tables that hold tenant data, with the privileges the app role gets on each. The usage
 * ledger and the audit log are append-only for tenants: what was billed or done stays written.
 *
 * @example
 * ```ts
 * for (const table of tenantTables) console.log(table.name, table.privileges);
 * ```
 */
export const tenantTables = [
  { name: 'conversations', privileges: 'SELECT, INSERT, UPDATE, DELETE' },
  { name: 'messages', privileges: 'SELECT, INSERT, UPDATE, DELETE' },
  { name: 'fragments', privileges: 'SELECT, INSERT, UPDATE, DELETE' },
  { name: 'executions', privileges: 'SELECT, INSERT, UPDATE, DELETE' },
  { name: 'usage_ledger', privileges: 'SELECT, INSERT' },
  { name: 'audit_log', privileges: 'SELECT, INSERT' },
  { name: 'idempotency_keys', privileges: 'SELECT, INSERT, UPDATE, DELETE' },
] as const;

/**
 * The per-transaction setting that names the current team; row-level security compares every
 * row's `team_id` with it.
 *
 * @example
 * ```ts
 * await transaction.query('SELECT set_config($1, $2, true)', [teamSetting, 'team-a']);
 * ```
 */
export const teamSetting = 'fragmentkit.team_id';

/**
 * The per-transaction setting that lets the role which ran the migrations (the tables' owner)
 * see every team's rows, for retention purges. Tenant work never sets it, and the app role is
 * not covered by the policy that reads it.
 *
 * @example
 * ```ts
 * await transaction.query("SELECT set_config($1, 'on', true)", [maintenanceSetting]);
 * ```
 */
export const maintenanceSetting = 'fragmentkit.maintenance';

// NULLIF: once a pooled connection has used the setting, it reads '' (not NULL) outside the
// transaction that set it; '' must match nothing, like a setting that was never made.
const currentTeam = `NULLIF(current_setting('${teamSetting}', true), '')`;

const tableDefinitions = [
  `CREATE TABLE conversations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id text NOT NULL CHECK (team_id <> ''),
    user_id text NOT NULL CHECK (user_id <> ''),
    title text,
    message_count integer NOT NULL DEFAULT 0,
    fragment_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, id)
  )`,
  'CREATE INDEX conversations_listing ON conversations (team_id, user_id, created_at DESC, id DESC)',
  'CREATE INDEX conversations_retention ON conversations (updated_at)',
  `CREATE TABLE messages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id text NOT NULL CHECK (team_id <> ''),
    user_id text NOT NULL CHECK (user_id <> ''),
    conversation_id uuid NOT NULL,
    position integer NOT NULL CHECK (position > 0),
    role text NOT NULL CHECK (role IN ('user', 'assistant')),
    content text NOT NULL,
    attachments jsonb NOT NULL DEFAULT '[]'::jsonb,
    request_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, position),
    UNIQUE (team_id, conversation_id, id),
    FOREIGN KEY (team_id, conversation_id) REFERENCES conversations (team_id, id) ON DELETE CASCADE
  )`,
  `CREATE TABLE fragments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id text NOT NULL CHECK (team_id <> ''),
    user_id text NOT NULL CHECK (user_id <> ''),
    conversation_id uuid NOT NULL,
    message_id uuid NOT NULL,
    version integer NOT NULL CHECK (version > 0),
    fragment jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, version),
    UNIQUE (team_id, id),
    FOREIGN KEY (team_id, conversation_id) REFERENCES conversations (team_id, id) ON DELETE CASCADE,
    FOREIGN KEY (team_id, conversation_id, message_id)
      REFERENCES messages (team_id, conversation_id, id) ON DELETE CASCADE
  )`,
  'CREATE INDEX fragments_message ON fragments (team_id, conversation_id, message_id)',
  `CREATE TABLE executions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id text NOT NULL CHECK (team_id <> ''),
    user_id text NOT NULL CHECK (user_id <> ''),
    fragment_id uuid NOT NULL,
    stdout text NOT NULL,
    stderr text NOT NULL,
    exit_code integer,
    url text,
    runtime_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (team_id, fragment_id) REFERENCES fragments (team_id, id) ON DELETE CASCADE
  )`,
  'CREATE INDEX executions_fragment ON executions (team_id, fragment_id, created_at)',
  `CREATE TABLE usage_ledger (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id text NOT NULL CHECK (team_id <> ''),
    user_id text NOT NULL CHECK (user_id <> ''),
    request_id text NOT NULL,
    provider text NOT NULL,
    model text NOT NULL,
    input_tokens bigint NOT NULL CHECK (input_tokens >= 0),
    output_tokens bigint NOT NULL CHECK (output_tokens >= 0),
    cached_input_tokens bigint NOT NULL CHECK (cached_input_tokens >= 0),
    cache_write_tokens bigint NOT NULL CHECK (cache_write_tokens >= 0),
    cost_usd numeric(20, 10) NOT NULL CHECK (cost_usd >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  'CREATE INDEX usage_ledger_team_time ON usage_ledger (team_id, created_at)',
  'CREATE INDEX usage_ledger_user_time ON usage_ledger (team_id, user_id, created_at)',
  `CREATE TABLE audit_log (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id text NOT NULL CHECK (team_id <> ''),
    user_id text NOT NULL CHECK (user_id <> ''),
    action text NOT NULL,
    subject text NOT NULL,
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  'CREATE INDEX audit_log_team_time ON audit_log (team_id, created_at DESC, id DESC)',
  `CREATE TABLE idempotency_keys (
    team_id text NOT NULL CHECK (team_id <> ''),
    user_id text NOT NULL CHECK (user_id <> ''),
    scope text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    status text NOT NULL CHECK (status IN ('in_flight', 'completed')),
    response_status integer,
    response_headers jsonb,
    response_body text,
    response_events jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (team_id, scope, key)
  )`,
  'CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at)',
];

/**
 * The statements of the first migration: tables, the app role (created once per cluster, so
 * several schemas and several instances can share it), its privileges, and row-level security
 * by team on every tenant table. The same statements run on PGlite and on PostgreSQL.
 *
 * @example
 * ```ts
 * for (const statement of initialSchemaStatements('fragmentkit_app')) await transaction.query(statement);
 * ```
 */
export function initialSchemaStatements(appRole: string): string[] {
  const role = quoteRoleName(appRole);
  // The role name has passed quoteRoleName, so it is safe inside the string literals below.
  const roleLiteral = `'${appRole}'`;
  return [
    ...tableDefinitions,
    // Roles are cluster-wide: another schema, database or a concurrent migration may have made
    // it, or an administrator did, for an owner that may not create roles (hence check first).
    `DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${roleLiteral}) THEN
        CREATE ROLE ${role} NOLOGIN;
      END IF;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;
    END
    $$`,
    // SET ROLE needs membership; a superuser already has it, a plain owner is granted it here.
    `DO $$
    BEGIN
      IF NOT pg_has_role(current_user, ${roleLiteral}, 'MEMBER') THEN
        EXECUTE format('GRANT %I TO %I', ${roleLiteral}, current_user);
      END IF;
    END
    $$`,
    `DO $$
    BEGIN
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), ${roleLiteral});
    END
    $$`,
    ...tenantTableSecurity(tenantTables, role),
  ];
}

/**
 * Grants, forced row-level security and the two policies every team-scoped table gets: rows of
 * the team in the transaction's `teamSetting`, and every row during maintenance. Later
 * migrations call it for their own tables. `role` must already be quoted by `quoteRoleName`.
 *
 * @example
 * ```ts
 * const statements = tenantTableSecurity([{ name: 'notes', privileges: 'SELECT, INSERT' }], quoteRoleName('fragmentkit_app'));
 * ```
 */
export function tenantTableSecurity(tables: readonly { name: string; privileges: string }[], role: string): string[] {
  return tables.flatMap((table) => [
    `GRANT ${table.privileges} ON ${table.name} TO ${role}`,
    `ALTER TABLE ${table.name} ENABLE ROW LEVEL SECURITY`,
    // FORCE: without it the tables' owner would bypass the policies.
    `ALTER TABLE ${table.name} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY fragmentkit_tenant_isolation ON ${table.name}
      USING (team_id = ${currentTeam})
      WITH CHECK (team_id = ${currentTeam})`,
    `CREATE POLICY fragmentkit_maintenance ON ${table.name} TO CURRENT_USER
      USING (current_setting('${maintenanceSetting}', true) = 'on')`,
  ]);
}
