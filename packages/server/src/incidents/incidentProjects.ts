import { FragmentkitError } from '@fragmentkit/core';
import { z } from 'zod';
import type { Queryable } from '../store/database.js';
import type { StoreContext } from '../store/storeContext.js';
import { isUuid, notFound, parseStoreInput } from '../store/storeInput.js';
import type { Tenant } from '../store/tenantTransaction.js';
import { generateIngestKey } from './ingestKey.js';

/**
 * A project that reports incidents: one repository of one team.
 *
 * @example
 * ```ts
 * const label = (project: IncidentProject) => `${project.name} (${project.repo})`;
 * ```
 */
export interface IncidentProject {
  id: string;
  /** `owner/repo`. */
  repo: string;
  name: string;
  /** The user who created it. */
  createdBy: string;
  createdAt: string;
}

/**
 * An ingest key as listings show it: never the key itself, which only its creation returns.
 *
 * @example
 * ```ts
 * const active = (keys: IngestKeyRecord[]) => keys.filter((key) => key.revokedAt === null);
 * ```
 */
export interface IngestKeyRecord {
  id: string;
  projectId: string;
  /** The first characters of the key, e.g. `fki_3q2-Xa`, to tell keys apart. */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

/**
 * A newly issued ingest key. `key` is shown this once; the store keeps only its hash.
 *
 * @example
 * ```ts
 * const { ingestKey } = await store.createProject(tenant, { repo: 'acme/shop' });
 * console.log(`FRAGMENTKIT_INGEST_KEY=${ingestKey.key}`);
 * ```
 */
export interface IssuedIngestKey extends IngestKeyRecord {
  key: string;
}

/**
 * Input of `store.createProject`.
 *
 * @example
 * ```ts
 * const input: CreateProjectInput = { repo: 'acme/shop', name: 'Shop' };
 * ```
 */
export interface CreateProjectInput {
  /** `owner/repo`, e.g. `acme/shop`. */
  repo: string;
  /** Defaults to the repository name. */
  name?: string;
}

/** `owner/repo` as GitHub allows them. */
export const repoSchema = z
  .string()
  .trim()
  .max(200)
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'repo must look like owner/repo');

const createSchema = z.object({ repo: repoSchema, name: z.string().trim().min(1).max(200).optional() }).strict();

interface ProjectRow {
  id: string;
  repo: string;
  name: string;
  user_id: string;
  created_at: Date | string;
}

interface KeyRow {
  id: string;
  project_id: string;
  key_prefix: string;
  created_at: Date | string;
  revoked_at: Date | string | null;
}

/** ISO 8601 text of a timestamp column, whichever type the driver returned. */
export function isoTime(value: Date | string): string {
  return new Date(value).toISOString();
}

function toProject(row: ProjectRow): IncidentProject {
  return { id: row.id, repo: row.repo, name: row.name, createdBy: row.user_id, createdAt: isoTime(row.created_at) };
}

function toKey(row: KeyRow): IngestKeyRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    prefix: row.key_prefix,
    createdAt: isoTime(row.created_at),
    revokedAt: row.revoked_at === null ? null : isoTime(row.revoked_at),
  };
}

async function issueKey(
  transaction: Queryable,
  tenant: Tenant,
  projectId: string,
  now: string,
): Promise<IssuedIngestKey> {
  const { key, hash, prefix } = await generateIngestKey();
  const { rows } = await transaction.query<KeyRow>(
    `INSERT INTO ingest_keys (team_id, user_id, project_id, key_hash, key_prefix, created_at)
    VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, project_id, key_prefix, created_at, revoked_at`,
    [tenant.teamId, tenant.userId, projectId, hash, prefix, now],
  );
  return { ...toKey(rows[0]!), key };
}

/** Creates a project and its first ingest key; a repository the team already registered is refused. */
export async function createProject(
  context: StoreContext,
  tenant: Tenant,
  input: CreateProjectInput,
): Promise<{ project: IncidentProject; ingestKey: IssuedIngestKey }> {
  const { repo, name } = parseStoreInput(createSchema, input, 'createProject');
  const now = new Date(context.clock.now()).toISOString();
  return context.asTenant(tenant, async (transaction) => {
    const { rows } = await transaction.query<ProjectRow>(
      `INSERT INTO incident_projects (team_id, user_id, repo, name, created_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (team_id, repo) DO NOTHING RETURNING id, repo, name, user_id, created_at`,
      [tenant.teamId, tenant.userId, repo, name ?? repo.split('/')[1]!, now],
    );
    if (rows.length === 0) {
      throw new FragmentkitError(
        'INVALID_REQUEST',
        `Your team already has a project for ${repo}. Rotate its ingest key to get a new one.`,
        { details: { reason: 'project_exists', repo } },
      );
    }
    const project = toProject(rows[0]!);
    return { project, ingestKey: await issueKey(transaction, tenant, project.id, now) };
  });
}

/** The team's projects, oldest first. */
export async function listProjects(context: StoreContext, tenant: Tenant): Promise<IncidentProject[]> {
  return context.asTenant(tenant, async (transaction) => {
    const { rows } = await transaction.query<ProjectRow>(
      'SELECT id, repo, name, user_id, created_at FROM incident_projects ORDER BY created_at, id',
    );
    return rows.map(toProject);
  });
}

/** The team's project for `owner/repo`, or null. */
export async function findProjectByRepo(
  context: StoreContext,
  tenant: Tenant,
  repo: string,
): Promise<IncidentProject | null> {
  return context.asTenant(tenant, async (transaction) => {
    const { rows } = await transaction.query<ProjectRow>(
      'SELECT id, repo, name, user_id, created_at FROM incident_projects WHERE repo = $1',
      [repo],
    );
    return rows[0] ? toProject(rows[0]) : null;
  });
}

async function requireProject(transaction: Queryable, projectId: string): Promise<void> {
  const found = isUuid(projectId)
    ? await transaction.query('SELECT 1 FROM incident_projects WHERE id = $1', [projectId])
    : { rows: [] };
  if (found.rows.length === 0) throw notFound('project', projectId);
}

/** Issues a new key and revokes every other active key of the project at once. */
export async function rotateIngestKey(
  context: StoreContext,
  tenant: Tenant,
  projectId: string,
): Promise<{ ingestKey: IssuedIngestKey; revoked: string[] }> {
  const now = new Date(context.clock.now()).toISOString();
  return context.asTenant(tenant, async (transaction) => {
    await requireProject(transaction, projectId);
    const revoked = await transaction.query<{ id: string }>(
      'UPDATE ingest_keys SET revoked_at = $2 WHERE project_id = $1 AND revoked_at IS NULL RETURNING id',
      [projectId, now],
    );
    const ingestKey = await issueKey(transaction, tenant, projectId, now);
    return { ingestKey, revoked: revoked.rows.map((row) => row.id) };
  });
}

/** Revokes one key; revoking a revoked key is a no-op. */
export async function revokeIngestKey(
  context: StoreContext,
  tenant: Tenant,
  projectId: string,
  keyId: string,
): Promise<IngestKeyRecord> {
  const now = new Date(context.clock.now()).toISOString();
  return context.asTenant(tenant, async (transaction) => {
    if (!isUuid(projectId) || !isUuid(keyId)) throw notFound('ingest key', keyId);
    const { rows } = await transaction.query<KeyRow>(
      `UPDATE ingest_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE project_id = $1 AND id = $2
      RETURNING id, project_id, key_prefix, created_at, revoked_at`,
      [projectId, keyId, now],
    );
    if (!rows[0]) throw notFound('ingest key', keyId);
    return toKey(rows[0]);
  });
}

/** The project's keys, newest first, without the keys themselves. */
export async function listIngestKeys(
  context: StoreContext,
  tenant: Tenant,
  projectId: string,
): Promise<IngestKeyRecord[]> {
  return context.asTenant(tenant, async (transaction) => {
    await requireProject(transaction, projectId);
    const { rows } = await transaction.query<KeyRow>(
      `SELECT id, project_id, key_prefix, created_at, revoked_at FROM ingest_keys
      WHERE project_id = $1 ORDER BY created_at DESC, id`,
      [projectId],
    );
    return rows.map(toKey);
  });
}
