import { FragmentkitError } from '@fragmentkit/core';
import type { ProjectFile, ProjectSnapshot, ProjectSnapshotStore } from '../projects/projectSnapshotStore.js';
import type { Queryable } from './database.js';
import type { StoreContext } from './storeContext.js';
import type { Tenant } from './tenantTransaction.js';

interface SnapshotRow {
  project_id: string;
  version: number;
  user_id: string;
  files: ProjectFile[];
  restored_from: number | null;
  created_at: Date;
}

const columns = 'project_id, version, user_id, files, restored_from, created_at';

function toSnapshot(row: SnapshotRow): ProjectSnapshot {
  return {
    projectId: row.project_id,
    version: row.version,
    files: row.files,
    userId: row.user_id,
    createdAt: row.created_at.toISOString(),
    ...(row.restored_from === null ? {} : { restoredFrom: row.restored_from }),
  };
}

async function insertNextVersion(
  transaction: Queryable,
  { teamId, userId }: Tenant,
  projectId: string,
  files: ProjectFile[],
  restoredFrom: number | null,
  now: Date,
): Promise<ProjectSnapshot> {
  // Saves of one project take turns, so two of them never pick the same version number.
  await transaction.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
    JSON.stringify(['fragmentkit.project_snapshots', teamId, projectId]),
  ]);
  const { rows } = await transaction.query<SnapshotRow>(
    `INSERT INTO project_snapshots (team_id, project_id, version, user_id, files, restored_from, created_at)
    SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4::jsonb, $5, $6
    FROM project_snapshots WHERE project_id = $2
    RETURNING ${columns}`,
    [teamId, projectId, userId, JSON.stringify(files), restoredFrom, now],
  );
  return toSnapshot(rows[0]!);
}

/**
 * The project snapshots of the fragment store (`store.projectSnapshots`): the
 * `project_snapshots` table, append-only for the app role, under row-level security by team.
 *
 * @example
 * ```ts
 * const snapshots = createStoreProjectSnapshots(context);
 * const { version } = await snapshots.save(tenant, 'web-app', files);
 * ```
 */
export function createStoreProjectSnapshots(context: StoreContext): ProjectSnapshotStore {
  const now = () => new Date(context.clock.now());
  return {
    save: (tenant, projectId, files) =>
      context.asTenant(tenant, (transaction, checked) =>
        insertNextVersion(transaction, checked, projectId, files, null, now()),
      ),
    listVersions: (tenant, projectId) =>
      context.asTenant(tenant, async (transaction) => {
        const { rows } = await transaction.query<{ version: number; created_at: Date }>(
          'SELECT version, created_at FROM project_snapshots WHERE project_id = $1 ORDER BY version DESC',
          [projectId],
        );
        return rows.map((row) => ({ version: row.version, createdAt: row.created_at.toISOString() }));
      }),
    getVersion: (tenant, projectId, version) =>
      context.asTenant(tenant, async (transaction) => {
        const { rows } = await transaction.query<SnapshotRow>(
          `SELECT ${columns} FROM project_snapshots WHERE project_id = $1 AND version = $2`,
          [projectId, version],
        );
        return rows[0] ? toSnapshot(rows[0]) : null;
      }),
    restore: (tenant, projectId, version) =>
      context.asTenant(tenant, async (transaction, checked) => {
        const { rows } = await transaction.query<SnapshotRow>(
          `SELECT ${columns} FROM project_snapshots WHERE project_id = $1 AND version = $2`,
          [projectId, version],
        );
        const old = rows[0];
        if (!old) {
          throw new FragmentkitError('NOT_FOUND', `Project ${projectId} has no version ${version}.`, {
            details: { projectId, version },
          });
        }
        return insertNextVersion(transaction, checked, projectId, old.files, version, now());
      }),
  };
}
