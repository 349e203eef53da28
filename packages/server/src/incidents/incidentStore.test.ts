import { createHash } from 'node:crypto';
import { FragmentkitError } from '@fragmentkit/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFakeClock, newTenant } from '../store/__fixtures__/storeTestData.js';
import { describeEachEngine, openTestDatabase, type TestDatabase } from '../store/__fixtures__/testDatabases.js';
import { defaultAppRole } from '../store/appRole.js';
import { incidentEvent } from './__fixtures__/incidentTestData.js';
import { eventsKeptPerIncident } from './incidentRecords.js';
import { incidentTables, ingestKeySetting } from './incidentSchema.sql.js';
import { createIncidentStore, type IncidentStore } from './incidentStore.js';

async function failure(promise: Promise<unknown>): Promise<FragmentkitError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!FragmentkitError.isInstance(error)) throw new Error(`expected a FragmentkitError, got ${String(error)}`);
  return error;
}

describeEachEngine('incident store', (engine) => {
  let database: TestDatabase;
  let store: IncidentStore;
  const clock = createFakeClock();

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = createIncidentStore(database.db, { clock });
    await store.migrate();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('creates a project with an fki_ key that is stored only as its SHA-256', async () => {
    const tenant = newTenant();
    const { project, ingestKey } = await store.createProject(tenant, { repo: 'acme/shop' });
    expect(project).toMatchObject({ repo: 'acme/shop', name: 'shop', createdBy: tenant.userId });
    expect(ingestKey.key).toMatch(/^fki_[A-Za-z0-9_-]{43}$/);
    expect(ingestKey.key.startsWith(ingestKey.prefix)).toBe(true);
    const { rows } = await database.db.query<Record<string, unknown>>('SELECT * FROM ingest_keys WHERE id = $1', [
      ingestKey.id,
    ]);
    expect(rows[0]!.key_hash).toBe(createHash('sha256').update(ingestKey.key).digest('hex'));
    expect(JSON.stringify(rows[0])).not.toContain(ingestKey.key);
    expect((await store.listIngestKeys(tenant, project.id)).map((key) => Object.keys(key).sort())).toEqual([
      ['createdAt', 'id', 'prefix', 'projectId', 'revokedAt'],
    ]);
  });

  it('refuses a second project for the same repository in a team, not in another team', async () => {
    const tenant = newTenant();
    await store.createProject(tenant, { repo: 'acme/dup' });
    const error = await failure(store.createProject(tenant, { repo: 'acme/dup' }));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.details).toMatchObject({ reason: 'project_exists' });
    await expect(store.createProject(newTenant(), { repo: 'acme/dup' })).resolves.toBeDefined();
    expect((await failure(store.createProject(tenant, { repo: 'not a repo' }))).code).toBe('INVALID_REQUEST');
  });

  it('authenticates active keys only: rotation and revocation take effect at once', async () => {
    const tenant = newTenant();
    const { project, ingestKey } = await store.createProject(tenant, { repo: 'acme/keys' });
    expect(await store.authenticateIngestKey(ingestKey.key)).toEqual({
      teamId: tenant.teamId,
      projectId: project.id,
      keyId: ingestKey.id,
    });
    const rotated = await store.rotateIngestKey(tenant, project.id);
    expect(rotated.revoked).toEqual([ingestKey.id]);
    expect(await store.authenticateIngestKey(ingestKey.key)).toBeNull();
    expect((await store.authenticateIngestKey(rotated.ingestKey.key))?.keyId).toBe(rotated.ingestKey.id);

    const revoked = await store.revokeIngestKey(tenant, project.id, rotated.ingestKey.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect(await store.authenticateIngestKey(rotated.ingestKey.key)).toBeNull();
    expect(await store.authenticateIngestKey('fki_short')).toBeNull();
    expect(await store.authenticateIngestKey(`fki_${'A'.repeat(43)}`)).toBeNull();
    // Another team cannot touch the project's keys.
    expect((await failure(store.rotateIngestKey(newTenant(), project.id))).code).toBe('NOT_FOUND');
    expect((await failure(store.revokeIngestKey(newTenant(), project.id, ingestKey.id))).code).toBe('NOT_FOUND');
  });

  it('groups events by fingerprint, counts each event id once, and keeps the latest deploy metadata', async () => {
    const tenant = newTenant();
    const { project, ingestKey } = await store.createProject(tenant, { repo: 'acme/group' });
    const target = (await store.authenticateIngestKey(ingestKey.key))!;
    const first = incidentEvent({ commitSha: 'aaa111', release: '1.0.0', environment: 'production' });
    clock.set(Date.UTC(2025, 0, 1, 10));
    await store.ingest(target, [first, incidentEvent(), incidentEvent({ fingerprint: 'other', type: 'RangeError' })]);
    clock.set(Date.UTC(2025, 0, 1, 11));
    // A retried batch repeats event ids: they are not counted again.
    const touched = await store.ingest(target, [first, incidentEvent({ commitSha: 'bbb222' })]);
    expect(touched).toHaveLength(1);

    const { incidents, cursor } = await store.listIncidents(tenant, { repo: 'acme/group' });
    expect(incidents.map((incident) => [incident.fingerprint, incident.count])).toEqual([
      ['fingerprint-discount', 3],
      ['other', 1],
    ]);
    const discount = incidents[0]!;
    expect(discount).toMatchObject({
      projectId: project.id,
      repo: 'acme/group',
      status: 'open',
      commitSha: 'bbb222',
      release: '1.0.0',
      environment: 'production',
      firstSeen: '2025-01-01T10:00:00.000Z',
      lastSeen: '2025-01-01T11:00:00.000Z',
    });
    expect(cursor).toBe('2025-01-01T11:00:00.000Z');
    const detail = await store.getIncident(tenant, discount.id);
    expect(detail?.latestEvent?.commitSha).toBe('bbb222');
  });

  it('reopens a resolved incident when it recurs, and leaves an ignored one ignored', async () => {
    const tenant = newTenant();
    const { ingestKey } = await store.createProject(tenant, { repo: 'acme/reopen' });
    const target = (await store.authenticateIngestKey(ingestKey.key))!;
    const [resolvedOne] = await store.ingest(target, [incidentEvent({ fingerprint: 'a' })]);
    const [ignoredOne] = await store.ingest(target, [incidentEvent({ fingerprint: 'b' })]);
    expect((await store.setIncidentStatus(tenant, resolvedOne!.id, 'resolved')).status).toBe('resolved');
    expect((await store.setIncidentStatus(tenant, ignoredOne!.id, 'ignored')).status).toBe('ignored');
    const after = await store.ingest(target, [
      incidentEvent({ fingerprint: 'a' }),
      incidentEvent({ fingerprint: 'b' }),
    ]);
    expect(Object.fromEntries(after.map((incident) => [incident.fingerprint, incident.status]))).toEqual({
      a: 'open',
      b: 'ignored',
    });
    expect((await failure(store.setIncidentStatus(tenant, resolvedOne!.id, 'gone' as 'open'))).code).toBe(
      'INVALID_REQUEST',
    );
  });

  it('returns what changed since a cursor, oldest change first', async () => {
    const tenant = newTenant();
    const { ingestKey } = await store.createProject(tenant, { repo: 'acme/since' });
    const target = (await store.authenticateIngestKey(ingestKey.key))!;
    clock.set(Date.UTC(2025, 1, 1));
    await store.ingest(target, [incidentEvent({ fingerprint: 'old' })]);
    const { cursor } = await store.listIncidents(tenant, { repo: 'acme/since' });
    clock.advance(1000);
    const [fresh] = await store.ingest(target, [incidentEvent({ fingerprint: 'new' })]);
    const changed = await store.listIncidents(tenant, {
      repo: 'acme/since',
      since: new Date(clock.now() - 1).toISOString(),
    });
    expect(changed.incidents.map((incident) => incident.id)).toEqual([fresh!.id]);
    expect(changed.cursor).toBe(new Date(clock.now()).toISOString());
    expect(cursor).toBe(new Date(Date.UTC(2025, 1, 1)).toISOString());
  });

  it(`keeps the latest ${eventsKeptPerIncident} events of an incident and still counts them all`, async () => {
    const tenant = newTenant();
    const { ingestKey } = await store.createProject(tenant, { repo: 'acme/prune' });
    const target = (await store.authenticateIngestKey(ingestKey.key))!;
    const events = Array.from({ length: eventsKeptPerIncident + 5 }, () => incidentEvent({ fingerprint: 'many' }));
    const [incident] = await store.ingest(target, events);
    expect(incident!.count).toBe(eventsKeptPerIncident + 5);
    const { rows } = await database.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM incident_events WHERE incident_id = $1',
      [incident!.id],
    );
    expect(rows[0]!.count).toBe(eventsKeptPerIncident);
  });

  it("never shows one team another team's projects, incidents or source maps", async () => {
    const owner = newTenant();
    const stranger = newTenant();
    const { project, ingestKey } = await store.createProject(owner, { repo: 'acme/private' });
    const target = (await store.authenticateIngestKey(ingestKey.key))!;
    const [incident] = await store.ingest(target, [incidentEvent()]);
    await store.saveSourceMaps(owner, {
      projectId: project.id,
      release: '1',
      files: [{ path: 'assets/a.js', map: '{}' }],
    });
    expect(await store.listProjects(stranger)).toEqual([]);
    expect((await failure(store.listIncidents(stranger, { repo: 'acme/private' }))).code).toBe('NOT_FOUND');
    expect(await store.getIncident(stranger, incident!.id)).toBeNull();
    expect((await failure(store.setIncidentStatus(stranger, incident!.id, 'ignored'))).code).toBe('NOT_FOUND');
    expect(await store.findSourceMaps(stranger, { projectId: project.id, release: '1', fileNames: ['a.js'] })).toEqual(
      [],
    );
    expect(
      (await failure(store.saveSourceMaps(stranger, { projectId: project.id, release: '1', files: [] }))).code,
    ).toBe('NOT_FOUND');
    expect(await store.getIncident(owner, 'not-a-uuid')).toBeNull();
  });

  it('isolates every incident table by team with forced row-level security, and the key lookup sees one row', async () => {
    const { rows } = await database.db.query<{ name: string; enabled: boolean; forced: boolean }>(
      `SELECT relname AS name, relrowsecurity AS enabled, relforcerowsecurity AS forced
      FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND relname = ANY($1::text[])`,
      [incidentTables.map((table) => table.name)],
    );
    expect(rows.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      incidentTables
        .map((table) => ({ name: table.name, enabled: true, forced: true }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    const tenant = newTenant();
    const { ingestKey } = await store.createProject(tenant, { repo: 'acme/rls' });
    await store.createProject(newTenant(), { repo: 'acme/rls-other' });
    const visible = await database.db.transaction(async (transaction) => {
      await transaction.query(`SET LOCAL ROLE ${defaultAppRole}`);
      const none = await transaction.query('SELECT id FROM ingest_keys');
      const projects = await transaction.query('SELECT id FROM incident_projects');
      await transaction.query('SELECT set_config($1, $2, true)', [
        ingestKeySetting,
        createHash('sha256').update(ingestKey.key).digest('hex'),
      ]);
      const one = await transaction.query<{ id: string }>('SELECT id FROM ingest_keys');
      const stillNoProjects = await transaction.query('SELECT id FROM incident_projects');
      return {
        none: none.rows.length,
        projects: projects.rows.length,
        one: one.rows,
        stillNoProjects: stillNoProjects.rows.length,
      };
    });
    expect(visible).toEqual({ none: 0, projects: 0, one: [{ id: ingestKey.id }], stillNoProjects: 0 });
  });
});
