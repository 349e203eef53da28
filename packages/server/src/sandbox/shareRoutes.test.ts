import type { Fragment } from '@fragmentkit/core';
import { describe, expect, it } from 'vitest';
import { collectSse } from '../../test/readSse.js';
import { connectRedis } from '../../test/testRedis.js';
import type { AuthHook } from '../auth/authContext.js';
import { createFragmentkit, type Fragmentkit } from '../fragmentkit.js';
import { createFakeClock, type FakeClock } from '../store/__fixtures__/storeTestData.js';
import { createScriptedSandboxProvider } from './__fixtures__/scriptedSandboxProvider.js';
import { createMemoryPreviewShareStore } from './memoryPreviewShareStore.js';
import { createRedisPreviewShareStore } from './redisPreviewShareStore.js';
import type { SandboxResultEvent } from './sandboxRunEvents.js';

const base = 'http://localhost/api/fragmentkit';
const silentLogger = { info() {}, warn() {}, error() {} };
const previewUrl = 'https://3000-sandbox-1.e2b.app/';
const minute = 60_000;

const headerAuth: AuthHook = async (request) => {
  const teamId = request.headers.get('x-team');
  return teamId ? { teamId, userId: 'user-1', roles: ['member'] } : null;
};

const webFragment: Fragment = {
  commentary: 'A page.',
  template: 'nextjs-developer',
  title: 'Page',
  description: 'A page.',
  additional_dependencies: [],
  has_additional_dependencies: false,
  install_dependencies_command: '',
  port: 3000,
  file_path: 'pages/index.tsx',
  code: 'export default function Home() { return <h1>Hi</h1>; }',
};

function setUp(clock: FakeClock): Fragmentkit {
  const { provider } = createScriptedSandboxProvider(() => ({ stdout: '', url: previewUrl }));
  return createFragmentkit({
    auth: headerAuth,
    guest: false,
    logger: silentLogger,
    sandbox: {
      provider,
      share: {
        clock,
        store: createMemoryPreviewShareStore({ clock, expiredRetentionMs: 60 * minute }),
        defaultTtlSeconds: 600,
        maxTtlSeconds: 3_600,
        previewTtlMs: 30 * minute,
      },
    },
  });
}

function post(kit: Fragmentkit, path: string, body: unknown, team?: string): Promise<Response> {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (team) headers.set('x-team', team);
  return kit.handler(new Request(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }));
}

async function runForUrl(kit: Fragmentkit, team: string): Promise<string> {
  const events = await collectSse((await post(kit, '/sandbox', { fragment: webFragment }, team)).body!);
  const result = events.find((event) => event.event === 'result')?.data as unknown as SandboxResultEvent;
  expect(result).toMatchObject({ status: 'serving', url: previewUrl });
  return result.url!;
}

describe('preview share links', () => {
  it('redirects a link until it expires, then answers 410, and 404 once it is forgotten', async () => {
    const clock = createFakeClock(Date.UTC(2026, 0, 1));
    const kit = setUp(clock);
    const url = await runForUrl(kit, 'team-a');
    const created = await post(kit, '/share', { url }, 'team-a');
    expect(created.status).toBe(201);
    const link = (await created.json()) as { id: string; shareUrl: string; expiresAt: string };
    expect(link.expiresAt).toBe(new Date(clock.now() + 600_000).toISOString());
    expect(link.id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    // Public: opening the link needs no caller.
    const opened = await kit.handler(new Request(link.shareUrl));
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toBe(url);

    clock.advance(10 * minute);
    const expired = await kit.handler(new Request(link.shareUrl));
    expect(expired.status).toBe(410);
    expect((await expired.json()).error).toMatchObject({ details: { reason: 'expired', expiredAt: link.expiresAt } });

    clock.advance(60 * minute);
    expect((await kit.handler(new Request(link.shareUrl))).status).toBe(404);
    const unknown = await kit.handler(new Request(`${base}/s/never-made`));
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('NOT_FOUND');
  });

  it('takes the lifetime the request asks for, up to the maximum', async () => {
    const clock = createFakeClock(Date.UTC(2026, 0, 1));
    const kit = setUp(clock);
    const url = await runForUrl(kit, 'team-a');
    const short = (await (await post(kit, '/share', { url, ttlSeconds: 60 }, 'team-a')).json()) as { shareUrl: string };
    clock.advance(61_000);
    expect((await kit.handler(new Request(short.shareUrl))).status).toBe(410);

    const tooLong = await post(kit, '/share', { url, ttlSeconds: 3_601 }, 'team-a');
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).error.details.issues[0].path).toEqual(['ttlSeconds']);
  });

  it("shares only URLs the caller's own team got from a run, while they are recent", async () => {
    const clock = createFakeClock(Date.UTC(2026, 0, 1));
    const kit = setUp(clock);
    const url = await runForUrl(kit, 'team-a');

    const otherTeam = await post(kit, '/share', { url }, 'team-b');
    expect(otherTeam.status).toBe(403);
    expect((await otherTeam.json()).error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'unknown-preview' } });
    const neverIssued = await post(kit, '/share', { url: 'https://evil.example/phish' }, 'team-a');
    expect(neverIssued.status).toBe(403);
    const notHttp = await post(kit, '/share', { url: 'javascript:alert(1)' }, 'team-a');
    expect(notHttp.status).toBe(400);
    expect((await post(kit, '/share', { url })).status).toBe(401);

    clock.advance(30 * minute);
    expect((await post(kit, '/share', { url }, 'team-a')).status).toBe(403);
  });

  it('keeps issuing and opening links on this instance while the share store is down, warning once', async () => {
    // A real client of a Redis that is not there: every command fails at once.
    const unreachable = connectRedis('redis://127.0.0.1:1');
    const warnings: string[] = [];
    const { provider } = createScriptedSandboxProvider(() => ({ stdout: '', url: previewUrl }));
    const kit = createFragmentkit({
      auth: headerAuth,
      guest: false,
      logger: { ...silentLogger, warn: (_fields, message) => warnings.push(message ?? '') },
      sandbox: { provider, share: { store: createRedisPreviewShareStore(unreachable) } },
    });
    const url = await runForUrl(kit, 'team-a');
    expect((await post(kit, '/share', { url }, 'team-b')).status).toBe(403);
    const created = await post(kit, '/share', { url }, 'team-a');
    expect(created.status).toBe(201);
    const { shareUrl } = (await created.json()) as { shareUrl: string };
    const opened = await kit.handler(new Request(shareUrl));
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toBe(url);
    expect(warnings.filter((message) => message.includes('share store failed'))).toHaveLength(1);
    unreachable.disconnect();
  });

  it('is not served without a sandbox configured', async () => {
    const kit = createFragmentkit({ logger: silentLogger });
    expect((await post(kit, '/share', { url: previewUrl })).status).toBe(404);
    expect((await kit.handler(new Request(`${base}/s/abc`))).status).toBe(404);
  });
});
