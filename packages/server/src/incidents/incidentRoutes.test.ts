import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { type IncidentDetail, type IncidentEvent, parseStackTrace } from '@fragmentkit/core';
import { initReporter } from '@fragmentkit/core/reporter';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuthHook } from '../auth/authContext.js';
import { createFragmentkit, type Fragmentkit } from '../fragmentkit.js';
import { describeEachEngine, openTestDatabase, type TestDatabase } from '../store/__fixtures__/testDatabases.js';
import { incidentEvent } from './__fixtures__/incidentTestData.js';
import { createIncidentStore } from './incidentStore.js';
import { createIngestRateLimiter } from './ingestRateLimiter.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/minified/${name}`, import.meta.url), 'utf8');

// `Authorization: Bearer team|user` signs a test caller in; anything else is a guest.
const auth: AuthHook = async (request) => {
  const match = request.headers.get('authorization')?.match(/^Bearer (team-[\w-]+)\|([\w-]+)$/);
  return match ? { teamId: match[1]!, userId: match[2]!, roles: ['member'] } : null;
};

describeEachEngine('incident routes', (engine) => {
  let database: TestDatabase;
  let fragmentkit: Fragmentkit;
  let teamCount = 0;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    fragmentkit = createFragmentkit({
      auth,
      incidents: {
        store: createIncidentStore(database.db),
        rateLimit: createIngestRateLimiter({ requestsPerMinute: 5 }),
        maxSourceMapBytes: 50_000,
      },
    });
  });
  afterAll(async () => {
    await database?.close();
  });

  const user = () => `Bearer team-${process.pid}-${engine}-${++teamCount}|user-1`;

  function call(method: string, path: string, options: { authorization?: string; body?: unknown } = {}) {
    return fragmentkit.handler(
      new Request(`http://localhost/api/fragmentkit${path}`, {
        method,
        headers: {
          ...(options.authorization ? { authorization: options.authorization } : {}),
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      }),
    );
  }

  async function newProject(repo: string) {
    const authorization = user();
    const response = await call('POST', '/projects', { authorization, body: { repo } });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { project: { id: string }; ingestKey: { id: string; key: string } };
    return { authorization, projectId: body.project.id, key: body.ingestKey.key, keyId: body.ingestKey.id };
  }

  const ingest = (key: string | undefined, body: unknown) =>
    call('POST', '/ingest', { authorization: key && `Bearer ${key}`, body });

  it('creates a project for a signed-in user and shows the key only once', async () => {
    const { authorization, key } = await newProject('acme/routes');
    const listed = await call('GET', '/projects', { authorization });
    expect(JSON.stringify(await listed.json())).not.toContain(key);
    const guest = await call('POST', '/projects', { body: { repo: 'acme/guest' } });
    expect(guest.status).toBe(401);
    const invalid = await call('POST', '/projects', { authorization, body: { repo: 'no-slash' } });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
  });

  it('ingests with a valid key: 202, then 401 for missing, unknown and revoked keys, 400 for bad payloads', async () => {
    const { authorization, projectId, key, keyId } = await newProject('acme/ingest');
    const accepted = await ingest(key, { events: [incidentEvent()] });
    expect(accepted.status).toBe(202);
    expect(((await accepted.json()) as { accepted: number }).accepted).toBe(1);

    const missing = await ingest(undefined, { events: [incidentEvent()] });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect((await ingest(`fki_${'x'.repeat(43)}`, { events: [incidentEvent()] })).status).toBe(401);

    const bad = await ingest(key, { events: [{ ...incidentEvent(), level: 'catastrophic' }] });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { error: { code: string; details: { issues: { path: unknown[] }[] } } };
    expect(badBody.error.code).toBe('INVALID_REQUEST');
    expect(badBody.error.details.issues[0]!.path).toEqual(['events', 0, 'level']);
    expect((await ingest(key, { events: [] })).status).toBe(400);

    expect((await call('DELETE', `/projects/${projectId}/ingest-keys/${keyId}`, { authorization })).status).toBe(200);
    expect((await ingest(key, { events: [incidentEvent()] })).status).toBe(401);
    const rotated = await call('POST', `/projects/${projectId}/ingest-keys/rotate`, { authorization });
    expect(rotated.status).toBe(201);
    const { ingestKey } = (await rotated.json()) as { ingestKey: { key: string } };
    expect((await ingest(ingestKey.key, { events: [incidentEvent()] })).status).toBe(202);
  });

  it('answers 429 with Retry-After once a project passes its rate limit, without touching other projects', async () => {
    const limited = await newProject('acme/limited');
    const other = await newProject('acme/unlimited');
    const statuses: number[] = [];
    for (let index = 0; index < 7; index += 1)
      statuses.push((await ingest(limited.key, { events: [incidentEvent()] })).status);
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    const denied = await ingest(limited.key, { events: [incidentEvent()] });
    expect(denied.status).toBe(429);
    expect(Number(denied.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect((await ingest(other.key, { events: [incidentEvent()] })).status).toBe(202);
  });

  it('lists, shows and resolves incidents for the owning team only; a recurrence reopens', async () => {
    const { authorization, key } = await newProject('acme/list');
    await ingest(key, { events: [incidentEvent({ fingerprint: 'list-1', commitSha: 'c0ffee' })] });
    const listed = await call('GET', '/incidents?repo=acme/list', { authorization });
    expect(listed.status).toBe(200);
    const { incidents } = (await listed.json()) as { incidents: { id: string; status: string; commitSha: string }[] };
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.commitSha).toBe('c0ffee');
    const id = incidents[0]!.id;

    const stranger = user();
    expect((await call('GET', '/incidents?repo=acme/list', { authorization: stranger })).status).toBe(404);
    expect((await call('GET', `/incidents/${id}`, { authorization: stranger })).status).toBe(404);
    expect(
      (await call('PATCH', `/incidents/${id}`, { authorization: stranger, body: { status: 'resolved' } })).status,
    ).toBe(404);
    expect((await call('GET', '/incidents', { authorization })).status).toBe(400);

    const resolved = await call('PATCH', `/incidents/${id}`, { authorization, body: { status: 'resolved' } });
    expect(((await resolved.json()) as { incident: { status: string } }).incident.status).toBe('resolved');
    expect((await call('PATCH', `/incidents/${id}`, { authorization, body: { status: 'fixed' } })).status).toBe(400);
    await ingest(key, { events: [incidentEvent({ fingerprint: 'list-1' })] });
    const detail = (await (await call('GET', `/incidents/${id}`, { authorization })).json()) as IncidentDetail;
    expect(detail.incident).toMatchObject({ status: 'open', count: 2 });
    expect(detail.latestEvent?.fingerprint).toBe('list-1');
  });

  it('maps a real minified stack through an uploaded esbuild source map', async () => {
    const { authorization, projectId, key } = await newProject('acme/sourcemaps');
    // Run the minified bundle as the browser would have loaded it, and let it fail.
    const sandbox: { checkout?: { submitCheckout(cart: unknown): number } } = {};
    runInNewContext(fixture('checkout.min.js.txt'), sandbox, {
      filename: 'https://shop.test/assets/checkout-4f2a9b1c.js',
    });
    let stack = '';
    try {
      sandbox.checkout!.submitCheckout({ total: 10, discounts: {} });
    } catch (error) {
      stack = (error as Error).stack ?? '';
    }
    const frames = parseStackTrace(stack);
    expect(frames[0]).toMatchObject({ file: 'https://shop.test/assets/checkout-4f2a9b1c.js', line: 1 });

    const event: IncidentEvent = incidentEvent({ fingerprint: 'minified', frames, release: '2.0.0' });
    await ingest(key, { events: [event] });
    const badMap = await call('POST', `/projects/${projectId}/sourcemaps`, {
      authorization,
      body: { release: '2.0.0', files: [{ path: 'assets/checkout-4f2a9b1c.js', map: '{"version":2}' }] },
    });
    expect(badMap.status).toBe(400);
    const tooBig = await call('POST', `/projects/${projectId}/sourcemaps`, {
      authorization,
      body: { release: '2.0.0', files: [{ path: 'assets/big.js', map: 'x'.repeat(60_000) }] },
    });
    expect(tooBig.status).toBe(413);
    const uploaded = await call('POST', `/projects/${projectId}/sourcemaps`, {
      authorization,
      body: {
        release: '2.0.0',
        files: [{ url: 'https://cdn.shop.test/assets/checkout-4f2a9b1c.js', map: fixture('checkout.min.js.map') }],
      },
    });
    expect(uploaded.status).toBe(201);

    const { incidents } = (await (await call('GET', '/incidents?repo=acme/sourcemaps', { authorization })).json()) as {
      incidents: { id: string }[];
    };
    const detail = (await (
      await call('GET', `/incidents/${incidents[0]!.id}`, { authorization })
    ).json()) as IncidentDetail;
    // src/checkout.ts: line 9 reads `rule.amount`, line 13 calls applyDiscount.
    expect(detail.frames[0]!.original).toMatchObject({ file: 'src/checkout.ts', line: 9 });
    expect(detail.frames[1]!.original).toMatchObject({ file: 'src/checkout.ts', line: 13 });
  });

  it('streams incident updates as Server-Sent Events', async () => {
    const { authorization, key } = await newProject('acme/live');
    const controller = new AbortController();
    const response = await fragmentkit.handler(
      new Request('http://localhost/api/fragmentkit/incidents/events?repo=acme/live', {
        headers: { authorization },
        signal: controller.signal,
      }),
    );
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += value;
      }
    };
    await readUntil('event: ready');
    await ingest(key, { events: [incidentEvent({ fingerprint: 'live-1', message: 'live failure' })] });
    await readUntil('live failure');
    expect(text).toContain('event: incident-updated');
    controller.abort();
    await reader.cancel().catch(() => undefined);
    expect((await call('GET', '/incidents/events?repo=acme/nope', { authorization })).status).toBe(404);
  });

  it("accepts exactly what core's reporter sends", async () => {
    const { authorization, key } = await newProject('acme/reporter');
    const reporter = initReporter({
      endpoint: 'http://localhost/api/fragmentkit/ingest',
      key,
      release: '3.1.0',
      commitSha: 'abc1234',
      captureGlobal: false,
      fetch: (input, init) => fragmentkit.handler(new Request(input, init)),
    });
    reporter.captureException(new TypeError('total is not a number'));
    await reporter.flush();
    expect(reporter.stats()).toMatchObject({ sent: 1, dropped: 0 });
    const { incidents } = (await (await call('GET', '/incidents?repo=acme/reporter', { authorization })).json()) as {
      incidents: { type: string; message: string; commitSha: string; release: string }[];
    };
    expect(incidents).toEqual([
      expect.objectContaining({
        type: 'TypeError',
        message: 'total is not a number',
        commitSha: 'abc1234',
        release: '3.1.0',
      }),
    ]);
    await reporter.close();
  });
});
