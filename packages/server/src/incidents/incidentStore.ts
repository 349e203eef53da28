import {
  type Clock,
  type Incident,
  type IncidentDetail,
  type IncidentEvent,
  type IncidentPage,
  type IncidentStatus,
  systemClock,
} from '@fragmentkit/core';
import { defaultAppRole, quoteRoleName } from '../store/appRole.js';
import type { Database } from '../store/database.js';
import { migrate } from '../store/migrations.js';
import type { StoreContext } from '../store/storeContext.js';
import { runAsMaintenance, runAsTenant, type Tenant } from '../store/tenantTransaction.js';
import {
  type CreateProjectInput,
  createProject,
  findProjectByRepo,
  type IncidentProject,
  type IngestKeyRecord,
  type IssuedIngestKey,
  listIngestKeys,
  listProjects,
  revokeIngestKey,
  rotateIngestKey,
} from './incidentProjects.js';
import {
  getIncident,
  ingestEvents,
  type ListIncidentsInput,
  listIncidents,
  setIncidentStatus,
} from './incidentRecords.js';
import { ingestKeySetting } from './incidentSchema.sql.js';
import { hashIngestKey, isIngestKeyShaped } from './ingestKey.js';
import { findSourceMaps, type SourceMapFile, saveSourceMaps } from './sourceMaps.js';

/**
 * Options of {@link createIncidentStore}.
 *
 * @example
 * ```ts
 * const options: IncidentStoreOptions = { appRole: 'fragmentkit_app', migrate: false };
 * ```
 */
export interface IncidentStoreOptions {
  /** Stamps rows. Default `Date.now()`. */
  clock?: Clock;
  /** NOLOGIN role that tenant work runs as. Default `fragmentkit_app`. */
  appRole?: string;
  /** Apply pending migrations before the first operation. Default true. */
  migrate?: boolean;
}

/**
 * The project an ingest key belongs to, as {@link IncidentStore.authenticateIngestKey} found it.
 *
 * @example
 * ```ts
 * const target = await store.authenticateIngestKey(bearerToken);
 * if (target) await store.ingest(target, events);
 * ```
 */
export interface IngestTarget {
  teamId: string;
  projectId: string;
  keyId: string;
}

/**
 * Persistence for incident projects, ingest keys, incidents and source maps. Every method but
 * `authenticateIngestKey` and `ingest` takes the {@link Tenant} first and runs under row-level
 * security for that team; `ingest` runs for the team the key belongs to. Ids that are not uuids
 * count as not found.
 *
 * @example
 * ```ts
 * const { project, ingestKey } = await store.createProject(tenant, { repo: 'acme/shop' });
 * const { incidents } = await store.listIncidents(tenant, { repo: 'acme/shop' });
 * ```
 */
export interface IncidentStore {
  migrate(): Promise<void>;
  /** A project and its first ingest key (the key is in the result only). */
  createProject(
    tenant: Tenant,
    input: CreateProjectInput,
  ): Promise<{ project: IncidentProject; ingestKey: IssuedIngestKey }>;
  listProjects(tenant: Tenant): Promise<IncidentProject[]>;
  findProjectByRepo(tenant: Tenant, repo: string): Promise<IncidentProject | null>;
  /** A new key; every other active key of the project is revoked. */
  rotateIngestKey(tenant: Tenant, projectId: string): Promise<{ ingestKey: IssuedIngestKey; revoked: string[] }>;
  revokeIngestKey(tenant: Tenant, projectId: string, keyId: string): Promise<IngestKeyRecord>;
  listIngestKeys(tenant: Tenant, projectId: string): Promise<IngestKeyRecord[]>;
  /** The project of an active key, or null for an unknown, malformed or revoked one. */
  authenticateIngestKey(key: string): Promise<IngestTarget | null>;
  /** Groups validated events into incidents; returns the incidents the batch touched. */
  ingest(target: IngestTarget, events: readonly IncidentEvent[]): Promise<Incident[]>;
  listIncidents(tenant: Tenant, input: ListIncidentsInput): Promise<IncidentPage>;
  /** The incident and its latest event, or null. */
  getIncident(tenant: Tenant, incidentId: string): Promise<Omit<IncidentDetail, 'frames'> | null>;
  setIncidentStatus(tenant: Tenant, incidentId: string, status: IncidentStatus): Promise<Incident>;
  saveSourceMaps(
    tenant: Tenant,
    input: { projectId: string; release: string; files: readonly SourceMapFile[] },
  ): Promise<{ saved: string[] }>;
  findSourceMaps(
    tenant: Tenant,
    input: { projectId: string; release: string; fileNames: readonly string[] },
  ): Promise<SourceMapFile[]>;
}

/**
 * Creates the incident store on a {@link Database} (PGlite or PostgreSQL). It shares the
 * fragment store's migrations, so both can live in one database.
 *
 * @example
 * ```ts
 * import { createFragmentkit, createIncidentStore } from '@fragmentkit/server';
 * import { createPgliteDatabase } from '@fragmentkit/server/pglite';
 *
 * const fragmentkit = createFragmentkit({
 *   model,
 *   incidents: { store: createIncidentStore(createPgliteDatabase({ dataDir: '.fragmentkit/db' })) },
 * });
 * ```
 */
export function createIncidentStore(db: Database, options: IncidentStoreOptions = {}): IncidentStore {
  const appRole = options.appRole ?? defaultAppRole;
  const role = quoteRoleName(appRole);
  const clock = options.clock ?? systemClock;
  let migration: Promise<void> | undefined;
  const runMigrations = (): Promise<void> => {
    migration ??= migrate(db, { appRole }).then(
      () => undefined,
      (error: unknown) => {
        migration = undefined;
        throw error;
      },
    );
    return migration;
  };
  const ready = (): Promise<void> => (options.migrate === false ? Promise.resolve() : runMigrations());
  const context: StoreContext = {
    clock,
    asTenant: async (tenant, work) => {
      await ready();
      return runAsTenant(db, tenant, appRole, work);
    },
    asMaintenance: async (work) => {
      await ready();
      return runAsMaintenance(db, work);
    },
  };

  async function authenticateIngestKey(key: string): Promise<IngestTarget | null> {
    if (typeof key !== 'string' || !isIngestKeyShaped(key)) return null;
    const hash = await hashIngestKey(key);
    await ready();
    return db.transaction(async (transaction) => {
      // Only the lookup policy applies here: no team is set, so no other row is visible.
      await transaction.query(`SET LOCAL ROLE ${role}`);
      await transaction.query('SELECT set_config($1, $2, true)', [ingestKeySetting, hash]);
      const { rows } = await transaction.query<{ id: string; team_id: string; project_id: string }>(
        'SELECT id, team_id, project_id FROM ingest_keys WHERE key_hash = $1 AND revoked_at IS NULL',
        [hash],
      );
      const row = rows[0];
      return row ? { teamId: row.team_id, projectId: row.project_id, keyId: row.id } : null;
    });
  }

  return {
    migrate: runMigrations,
    createProject: (tenant, input) => createProject(context, tenant, input),
    listProjects: (tenant) => listProjects(context, tenant),
    findProjectByRepo: (tenant, repo) => findProjectByRepo(context, tenant, repo),
    rotateIngestKey: (tenant, projectId) => rotateIngestKey(context, tenant, projectId),
    revokeIngestKey: (tenant, projectId, keyId) => revokeIngestKey(context, tenant, projectId, keyId),
    listIngestKeys: (tenant, projectId) => listIngestKeys(context, tenant, projectId),
    authenticateIngestKey,
    ingest: (target, events) => ingestEvents(context, target, events),
    listIncidents: (tenant, input) => listIncidents(context, tenant, input),
    getIncident: (tenant, incidentId) => getIncident(context, tenant, incidentId),
    setIncidentStatus: (tenant, incidentId, status) => setIncidentStatus(context, tenant, incidentId, status),
    saveSourceMaps: (tenant, input) => saveSourceMaps(context, tenant, input),
    findSourceMaps: (tenant, input) => findSourceMaps(context, tenant, input),
  };
}
