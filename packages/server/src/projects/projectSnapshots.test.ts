import { FragmentkitError } from '@fragmentkit/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFragmentkit } from '../fragmentkit.js';
import { createFakeClock, newTenant } from '../store/__fixtures__/storeTestData.js';
import { describeEachEngine, openTestDatabase, type TestDatabase } from '../store/__fixtures__/testDatabases.js';
import { defaultAppRole } from '../store/appRole.js';
import { createFragmentStore, type FragmentStore } from '../store/fragmentStore.js';
import { type FakeS3Server, startFakeS3Server } from './__fixtures__/fakeS3Server.js';
import type { ProjectSnapshotStore } from './projectSnapshotStore.js';
import { createS3ProjectSnapshotStore } from './s3ProjectSnapshotStore.js';

const filesV1 = [{ path: 'index.html', content: '<h1>Hi</h1>\n' }];
const filesV2 = [
  { path: 'index.html', content: '<h1>Hello</h1>\n' },
  { path: 'app.js', content: 'console.log("ü ✓")\n' },
];

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (FragmentkitError.isInstance(error) ? error.code : String(error)),
  );
}

/** The behaviour every ProjectSnapshotStore shares. */
function snapshotContract(open: () => ProjectSnapshotStore) {
  it('numbers versions per project, reads them back and restores as a new version', async () => {
    const snapshots = open();
    const tenant = newTenant('alice');
    const first = await snapshots.save(tenant, 'web app/1', filesV1);
    const second = await snapshots.save(tenant, 'web app/1', filesV2);
    const other = await snapshots.save(tenant, 'other', filesV2);
    expect([first.version, second.version, other.version]).toEqual([1, 2, 1]);
    expect(first).toMatchObject({ projectId: 'web app/1', userId: 'alice', files: filesV1 });

    expect((await snapshots.listVersions(tenant, 'web app/1')).map((entry) => entry.version)).toEqual([2, 1]);
    expect(await snapshots.getVersion(tenant, 'web app/1', 2)).toMatchObject({ version: 2, files: filesV2 });
    expect(await snapshots.getVersion(tenant, 'web app/1', 9)).toBeNull();
    expect(await snapshots.listVersions(tenant, 'never-saved')).toEqual([]);

    const restored = await snapshots.restore(tenant, 'web app/1', 1);
    expect(restored).toMatchObject({ version: 3, restoredFrom: 1, files: filesV1 });
    expect(await snapshots.getVersion(tenant, 'web app/1', 3)).toMatchObject({ files: filesV1, restoredFrom: 1 });
    expect(await codeOf(snapshots.restore(tenant, 'web app/1', 42))).toBe('NOT_FOUND');
  });

  it('keeps teams apart: the same project id in another team is another project', async () => {
    const snapshots = open();
    const teamA = newTenant('alice');
    const teamB = newTenant('bob');
    await snapshots.save(teamA, 'shared-name', filesV1);
    expect(await snapshots.listVersions(teamB, 'shared-name')).toEqual([]);
    expect(await snapshots.getVersion(teamB, 'shared-name', 1)).toBeNull();
    expect(await codeOf(snapshots.restore(teamB, 'shared-name', 1))).toBe('NOT_FOUND');
    expect((await snapshots.save(teamB, 'shared-name', filesV2)).version).toBe(1);
    expect((await snapshots.getVersion(teamA, 'shared-name', 1))?.files).toEqual(filesV1);
  });

  it('gives concurrent saves distinct versions', async () => {
    const snapshots = open();
    const tenant = newTenant();
    const saved = await Promise.all(
      [1, 2, 3, 4].map((n) => snapshots.save(tenant, 'busy', [{ path: 'n.txt', content: String(n) }])),
    );
    expect(saved.map((entry) => entry.version).sort()).toEqual([1, 2, 3, 4]);
    expect((await snapshots.listVersions(tenant, 'busy')).map((entry) => entry.version)).toEqual([4, 3, 2, 1]);
  });
}

describeEachEngine('project snapshots in the database', (engine) => {
  let database: TestDatabase;
  let store: FragmentStore;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = createFragmentStore(database.db, { clock: createFakeClock() });
  });
  afterAll(() => database.close());

  snapshotContract(() => store.projectSnapshots);

  it('lets row-level security hide other teams’ snapshots from raw SQL and forbids changing a version', async () => {
    const teamA = newTenant();
    await store.projectSnapshots.save(teamA, 'p', filesV1);
    const rows = await database.db.transaction(async (transaction) => {
      await transaction.query(`SET LOCAL ROLE ${defaultAppRole}`);
      await transaction.query("SELECT set_config('fragmentkit.team_id', $1, true)", ['some-other-team']);
      return (await transaction.query('SELECT * FROM project_snapshots')).rows;
    });
    expect(rows).toEqual([]);
    const update = database.db.transaction(async (transaction) => {
      await transaction.query(`SET LOCAL ROLE ${defaultAppRole}`);
      await transaction.query("SELECT set_config('fragmentkit.team_id', $1, true)", [teamA.teamId]);
      await transaction.query("UPDATE project_snapshots SET files = '[]'::jsonb");
    });
    await expect(update).rejects.toThrow(/permission denied/);
  });

  it('serves the /projects routes through createFragmentkit and audits saves and restores', async () => {
    const fragmentkit = createFragmentkit({
      store,
      projects: store.projectSnapshots,
      auth: async (request) => {
        const user = request.headers.get('x-user');
        return user ? { userId: user, teamId: `team-routes-${engine}`, roles: ['member'] } : null;
      },
      guest: false,
    });
    const call = (path: string, init: RequestInit = {}, user = 'carol') =>
      fragmentkit.handler(
        new Request(`http://localhost/api/fragmentkit${path}`, {
          ...init,
          headers: { 'content-type': 'application/json', 'x-user': user, ...init.headers },
        }),
      );
    const saved = await call('/projects/site/save', { method: 'POST', body: JSON.stringify({ files: filesV1 }) });
    expect(saved.status).toBe(201);
    expect(await saved.json()).toMatchObject({ projectId: 'site', version: 1, fileCount: 1 });
    await call('/projects/site/save', { method: 'POST', body: JSON.stringify({ files: filesV2 }) });

    const versions = await (await call('/projects/site/versions')).json();
    expect(versions.versions.map((entry: { version: number }) => entry.version)).toEqual([2, 1]);
    expect(await (await call('/projects/site/versions/1')).json()).toMatchObject({ version: 1, files: filesV1 });
    expect((await call('/projects/site/versions/7')).status).toBe(404);
    expect((await call('/projects/site/versions/abc')).status).toBe(400);

    const restored = await call('/projects/site/restore', { method: 'POST', body: JSON.stringify({ version: 1 }) });
    expect(restored.status).toBe(201);
    expect(await restored.json()).toMatchObject({ version: 3, restoredFrom: 1 });
    expect(
      (await call('/projects/site/restore', { method: 'POST', body: JSON.stringify({ version: 99 }) })).status,
    ).toBe(404);

    const bad = await call('/projects/site/save', { method: 'POST', body: JSON.stringify({ files: [] }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('INVALID_REQUEST');

    const audit = await (await call('/audit?projectId=site')).json();
    // The store's fake clock stamps every entry alike, so order them by subject here.
    const actions = audit.entries.map((entry: { action: string; subject: string }) => [entry.action, entry.subject]);
    expect(actions.sort((a: string[], b: string[]) => a[1]!.localeCompare(b[1]!))).toEqual([
      ['project.saved', 'project/site/version/1'],
      ['project.saved', 'project/site/version/2'],
      ['project.restored', 'project/site/version/3'],
    ]);
    expect(audit.entries.every((entry: { userId: string }) => entry.userId === 'carol')).toBe(true);
  });
});

describe('project snapshots in an S3-compatible object store', () => {
  let s3: FakeS3Server;
  const open = () =>
    createS3ProjectSnapshotStore({
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      region: s3.region,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
  beforeAll(async () => {
    // Two keys per page, so listing has to follow continuation tokens.
    s3 = await startFakeS3Server({ pageSize: 2 });
  });
  afterEach(() => {
    s3.requests.length = 0;
  });
  afterAll(() => s3.close());

  snapshotContract(open);

  it('signs every request with SigV4 and writes one object per version, never overwriting', async () => {
    const tenant = newTenant('dora', 'team-s3');
    await open().save(tenant, 'p1', filesV1);
    expect(s3.requests.length).toBeGreaterThan(0);
    for (const request of s3.requests) {
      expect(request.authorization).toMatch(
        new RegExp(`^AWS4-HMAC-SHA256 Credential=${s3.accessKeyId}/\\d{8}/${s3.region}/s3/aws4_request, `),
      );
    }
    const put = s3.requests.find((request) => request.method === 'PUT');
    expect(put?.headers['if-none-match']).toBe('*');
    expect(s3.keys()).toContain(`fragmentkit/projects/dGVhbS1zMw/cDE/0000000001.json`);
  });

  it('fails with a typed, retryable error when the object store is down, and works again after', async () => {
    const store = open();
    const tenant = newTenant();
    s3.failNext(503, 1);
    const error = await store.save(tenant, 'p', filesV1).catch((caught: unknown) => caught);
    expect(FragmentkitError.isInstance(error) && [error.code, error.isRetryable]).toEqual(['INTERNAL', true]);
    expect((error as Error).message).toContain('503');
    expect((await store.save(tenant, 'p', filesV1)).version).toBe(1);
  });

  it('is refused by the server with wrong credentials', async () => {
    const store = createS3ProjectSnapshotStore({
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      region: s3.region,
      accessKeyId: 'AKIAWRONG',
      secretAccessKey: 'x',
    });
    const error = await store.listVersions(newTenant(), 'p').catch((caught: unknown) => caught);
    expect((error as Error).message).toContain('403 InvalidAccessKeyId');
  });
});
