import type { Incident, IncidentDetail, IncidentEvent, IncidentPage, IncidentStatus } from '@fragmentkit/core';
import { z } from 'zod';
import type { Queryable } from '../store/database.js';
import type { StoreContext } from '../store/storeContext.js';
import { isUuid, notFound, parseStoreInput } from '../store/storeInput.js';
import type { Tenant } from '../store/tenantTransaction.js';
import { isoTime, repoSchema } from './incidentProjects.js';

/** Events kept per incident; older ones are deleted as new ones arrive (the counts stay). */
export const eventsKeptPerIncident = 20;

/**
 * Input of `store.listIncidents`.
 *
 * @example
 * ```ts
 * const changed = await store.listIncidents(tenant, { repo: 'acme/shop', since: page.cursor ?? undefined });
 * ```
 */
export interface ListIncidentsInput {
  /** `owner/repo` of one of the team's projects. */
  repo: string;
  /** Only incidents changed at or after this ISO time (the previous page's `cursor`), oldest change first. */
  since?: string;
  status?: IncidentStatus;
  /** 1 to 200; default 50. */
  limit?: number;
}

const statusSchema = z.enum(['open', 'resolved', 'ignored']);
const listSchema = z.object({
  repo: repoSchema,
  since: z.iso.datetime({ offset: true }).optional(),
  status: statusSchema.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

interface IncidentRow {
  id: string;
  project_id: string;
  repo: string;
  fingerprint: string;
  type: string;
  message: string;
  level: Incident['level'];
  status: IncidentStatus;
  event_count: string | number;
  first_seen: Date | string;
  last_seen: Date | string;
  commit_sha: string | null;
  environment: string | null;
  release: string | null;
  updated_at: Date | string;
}

const incidentColumns = `i.id, i.project_id, p.repo, i.fingerprint, i.type, i.message, i.level, i.status,
  i.event_count, i.first_seen, i.last_seen, i.commit_sha, i.environment, i.release, i.updated_at`;

function toIncident(row: IncidentRow): Incident {
  return {
    id: row.id,
    projectId: row.project_id,
    repo: row.repo,
    fingerprint: row.fingerprint,
    type: row.type,
    message: row.message,
    level: row.level,
    status: row.status,
    count: Number(row.event_count),
    firstSeen: isoTime(row.first_seen),
    lastSeen: isoTime(row.last_seen),
    commitSha: row.commit_sha,
    environment: row.environment,
    release: row.release,
    updatedAt: isoTime(row.updated_at),
  };
}

async function loadIncident(transaction: Queryable, incidentId: string): Promise<Incident | null> {
  const { rows } = await transaction.query<IncidentRow>(
    `SELECT ${incidentColumns} FROM incidents i JOIN incident_projects p ON p.id = i.project_id WHERE i.id = $1`,
    [incidentId],
  );
  return rows[0] ? toIncident(rows[0]) : null;
}

/**
 * Groups validated events into the project's incidents by fingerprint. A new fingerprint opens
 * an incident; a known one counts the event, moves `lastSeen` and the deploy metadata on, and
 * reopens a resolved incident (an ignored one stays ignored). An event id seen before (a
 * retried batch) is not counted twice. Returns the incidents the batch touched.
 */
export async function ingestEvents(
  context: StoreContext,
  target: { teamId: string; projectId: string; keyId: string },
  events: readonly IncidentEvent[],
): Promise<Incident[]> {
  const now = new Date(context.clock.now()).toISOString();
  const tenant: Tenant = { teamId: target.teamId, userId: `ingest-key:${target.keyId}` };
  return context.asTenant(tenant, async (transaction) => {
    const touched = new Set<string>();
    for (const event of events) {
      const { rows } = await transaction.query<{ id: string }>(
        `INSERT INTO incidents (team_id, project_id, fingerprint, type, message, level, first_seen, last_seen, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7)
        ON CONFLICT (project_id, fingerprint) DO UPDATE SET updated_at = EXCLUDED.updated_at
        RETURNING id`,
        [target.teamId, target.projectId, event.fingerprint, event.type, event.message, event.level, now],
      );
      const incidentId = rows[0]!.id;
      const inserted = await transaction.query(
        `INSERT INTO incident_events (team_id, incident_id, event_id, event, received_at)
        VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (incident_id, event_id) DO NOTHING RETURNING id`,
        [target.teamId, incidentId, event.eventId, JSON.stringify(event), now],
      );
      touched.add(incidentId);
      if (inserted.rows.length === 0) continue;
      await transaction.query(
        `UPDATE incidents SET
          event_count = event_count + 1,
          last_seen = $2,
          type = $3,
          message = $4,
          level = $5,
          commit_sha = COALESCE($6, commit_sha),
          environment = COALESCE($7, environment),
          release = COALESCE($8, release),
          status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END,
          updated_at = $2
        WHERE id = $1`,
        [
          incidentId,
          now,
          event.type,
          event.message,
          event.level,
          event.commitSha ?? null,
          event.environment ?? null,
          event.release ?? null,
        ],
      );
    }
    const incidents: Incident[] = [];
    for (const incidentId of touched) {
      await transaction.query(
        `DELETE FROM incident_events WHERE id IN (
          SELECT id FROM incident_events WHERE incident_id = $1 ORDER BY received_at DESC, id DESC OFFSET $2
        )`,
        [incidentId, eventsKeptPerIncident],
      );
      const incident = await loadIncident(transaction, incidentId);
      if (incident) incidents.push(incident);
    }
    return incidents;
  });
}

/**
 * The incidents of one of the team's projects: most recently seen first, or with `since` what
 * changed at or after it, oldest change first. An unknown repository is `NOT_FOUND`.
 */
export async function listIncidents(
  context: StoreContext,
  tenant: Tenant,
  input: ListIncidentsInput,
): Promise<IncidentPage> {
  const { repo, since, status, limit } = parseStoreInput(listSchema, input, 'listIncidents');
  return context.asTenant(tenant, async (transaction) => {
    const project = await transaction.query<{ id: string }>('SELECT id FROM incident_projects WHERE repo = $1', [repo]);
    if (!project.rows[0]) throw notFound('project', repo);
    const projectId = project.rows[0].id;
    const filters = ['i.project_id = $1'];
    const params: unknown[] = [projectId];
    if (status) filters.push(`i.status = $${params.push(status)}`);
    if (since) filters.push(`i.updated_at >= $${params.push(since)}`);
    const order = since ? 'i.updated_at ASC, i.id' : 'i.last_seen DESC, i.id DESC';
    const { rows } = await transaction.query<IncidentRow>(
      `SELECT ${incidentColumns} FROM incidents i JOIN incident_projects p ON p.id = i.project_id
      WHERE ${filters.join(' AND ')} ORDER BY ${order} LIMIT $${params.push(limit)}`,
      params,
    );
    const latest = await transaction.query<{ latest: Date | string | null }>(
      'SELECT max(updated_at) AS latest FROM incidents WHERE project_id = $1',
      [projectId],
    );
    const incidents = rows.map(toIncident);
    // A `since` page that was cut off continues from its last row, not from the newest change.
    const cursor =
      since && incidents.length === limit
        ? incidents.at(-1)!.updatedAt
        : latest.rows[0]?.latest
          ? isoTime(latest.rows[0].latest)
          : null;
    return { incidents, cursor };
  });
}

/** The incident with its latest event (frames not yet mapped), or null. */
export async function getIncident(
  context: StoreContext,
  tenant: Tenant,
  incidentId: string,
): Promise<Omit<IncidentDetail, 'frames'> | null> {
  if (!isUuid(incidentId)) return null;
  return context.asTenant(tenant, async (transaction) => {
    const incident = await loadIncident(transaction, incidentId);
    if (!incident) return null;
    const { rows } = await transaction.query<{ event: IncidentEvent | string }>(
      'SELECT event FROM incident_events WHERE incident_id = $1 ORDER BY received_at DESC, id DESC LIMIT 1',
      [incidentId],
    );
    const event = rows[0]?.event;
    return {
      incident,
      latestEvent: typeof event === 'string' ? (JSON.parse(event) as IncidentEvent) : (event ?? null),
    };
  });
}

/** Sets the status; `NOT_FOUND` for an incident the team does not have. */
export async function setIncidentStatus(
  context: StoreContext,
  tenant: Tenant,
  incidentId: string,
  status: IncidentStatus,
): Promise<Incident> {
  const checked = parseStoreInput(statusSchema, status, 'setIncidentStatus');
  const now = new Date(context.clock.now()).toISOString();
  return context.asTenant(tenant, async (transaction) => {
    const updated = isUuid(incidentId)
      ? await transaction.query('UPDATE incidents SET status = $2, updated_at = $3 WHERE id = $1 RETURNING id', [
          incidentId,
          checked,
          now,
        ])
      : { rows: [] };
    if (updated.rows.length === 0) throw notFound('incident', incidentId);
    return (await loadIncident(transaction, incidentId))!;
  });
}
