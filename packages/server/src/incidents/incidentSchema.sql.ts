import { quoteRoleName } from '../store/appRole.js';
import { tenantTableSecurity } from '../store/schema.sql.js';

/**
 * The tables of the incidents migration (version 3), with the privileges the app role gets on
 * each. Like every tenant table they carry `team_id` and are isolated by row-level security.
 *
 * @example
 * ```ts
 * import { incidentTables } from '@fragmentkit/server';
 * for (const table of incidentTables) console.log(table.name, table.privileges);
 * ```
 */
export const incidentTables = [
  { name: 'incident_projects', privileges: 'SELECT, INSERT, UPDATE, DELETE' },
  { name: 'ingest_keys', privileges: 'SELECT, INSERT, UPDATE' },
  { name: 'incidents', privileges: 'SELECT, INSERT, UPDATE, DELETE' },
  { name: 'incident_events', privileges: 'SELECT, INSERT, DELETE' },
  { name: 'source_maps', privileges: 'SELECT, INSERT, UPDATE, DELETE' },
] as const;

/**
 * The per-transaction setting that holds the SHA-256 of the ingest key a request presented.
 * The ingest route knows no team until it has found the key, so one narrow policy lets the app
 * role read the `ingest_keys` row with exactly that hash, and nothing else.
 *
 * @example
 * ```ts
 * await transaction.query('SELECT set_config($1, $2, true)', [ingestKeySetting, keyHash]);
 * ```
 */
export const ingestKeySetting = 'fragmentkit.ingest_key_hash';

const tableDefinitions = [
  `CREATE TABLE incident_projects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id text NOT NULL CHECK (team_id <> ''),
    user_id text NOT NULL CHECK (user_id <> ''),
    repo text NOT NULL CHECK (repo <> ''),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, repo),
    UNIQUE (team_id, id)
  )`,
  `CREATE TABLE ingest_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id text NOT NULL CHECK (team_id <> ''),
    user_id text NOT NULL CHECK (user_id <> ''),
    project_id uuid NOT NULL,
    key_hash text NOT NULL UNIQUE,
    key_prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    FOREIGN KEY (team_id, project_id) REFERENCES incident_projects (team_id, id) ON DELETE CASCADE
  )`,
  'CREATE INDEX ingest_keys_project ON ingest_keys (team_id, project_id, created_at)',
  `CREATE TABLE incidents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id text NOT NULL CHECK (team_id <> ''),
    project_id uuid NOT NULL,
    fingerprint text NOT NULL,
    type text NOT NULL,
    message text NOT NULL,
    level text NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'ignored')),
    event_count bigint NOT NULL DEFAULT 0 CHECK (event_count >= 0),
    first_seen timestamptz NOT NULL,
    last_seen timestamptz NOT NULL,
    commit_sha text,
    environment text,
    release text,
    updated_at timestamptz NOT NULL,
    UNIQUE (project_id, fingerprint),
    UNIQUE (team_id, id),
    FOREIGN KEY (team_id, project_id) REFERENCES incident_projects (team_id, id) ON DELETE CASCADE
  )`,
  'CREATE INDEX incidents_listing ON incidents (team_id, project_id, last_seen DESC, id DESC)',
  'CREATE INDEX incidents_changes ON incidents (team_id, project_id, updated_at)',
  `CREATE TABLE incident_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id text NOT NULL CHECK (team_id <> ''),
    incident_id uuid NOT NULL,
    event_id text NOT NULL,
    event jsonb NOT NULL,
    received_at timestamptz NOT NULL,
    UNIQUE (incident_id, event_id),
    FOREIGN KEY (team_id, incident_id) REFERENCES incidents (team_id, id) ON DELETE CASCADE
  )`,
  'CREATE INDEX incident_events_latest ON incident_events (team_id, incident_id, received_at DESC)',
  `CREATE TABLE source_maps (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id text NOT NULL CHECK (team_id <> ''),
    user_id text NOT NULL CHECK (user_id <> ''),
    project_id uuid NOT NULL,
    release text NOT NULL,
    file_path text NOT NULL,
    file_name text NOT NULL,
    map text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, release, file_path),
    FOREIGN KEY (team_id, project_id) REFERENCES incident_projects (team_id, id) ON DELETE CASCADE
  )`,
  'CREATE INDEX source_maps_lookup ON source_maps (team_id, project_id, release, file_name)',
];

/**
 * The statements of migration 3: incident projects, their hashed ingest keys, incidents, their
 * latest events and uploaded source maps, each with grants and row-level security by team, as
 * the first migration sets up for its tables. The app role exists by then (migration 1 made it).
 *
 * @example
 * ```ts
 * for (const statement of incidentSchemaStatements('fragmentkit_app')) await transaction.query(statement);
 * ```
 */
export function incidentSchemaStatements(appRole: string): string[] {
  const role = quoteRoleName(appRole);
  return [
    ...tableDefinitions,
    ...tenantTableSecurity(incidentTables, role),
    `CREATE POLICY fragmentkit_ingest_key_lookup ON ingest_keys FOR SELECT TO ${role}
      USING (key_hash = NULLIF(current_setting('${ingestKeySetting}', true), ''))`,
  ];
}
