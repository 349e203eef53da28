import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Fragment, FragmentkitError } from '@fragmentkit/core';
import { createLocalSandboxProvider, detectBubblewrap, type LocalSandboxProvider } from '@fragmentkit/core/node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDeferred } from '../../test/deferred.js';
import { collectSse } from '../../test/readSse.js';
import type { AuthHook } from '../auth/authContext.js';
import { createFragmentkit, type Fragmentkit } from '../fragmentkit.js';
import { createScriptedSandboxProvider, type ScriptedAcquire } from './__fixtures__/scriptedSandboxProvider.js';
import type { SandboxConfig } from './sandboxConfig.js';
import type { SandboxResultEvent, SandboxRunEvent } from './sandboxRunEvents.js';

const base = 'http://localhost/api/fragmentkit';
const silentLogger = { info() {}, warn() {}, error() {} };
const bubblewrap = await detectBubblewrap();
const onCi = process.env.CI === 'true';

/** Callers name their team and user in headers; no header is no caller (guests are off). */
const headerAuth: AuthHook = async (request) => {
  const teamId = request.headers.get('x-team');
  return teamId ? { teamId, userId: request.headers.get('x-user') ?? 'user-1', roles: ['member'] } : null;
};

function fragmentkitWith(sandbox: SandboxConfig): Fragmentkit {
  return createFragmentkit({ auth: headerAuth, guest: false, logger: silentLogger, sandbox });
}

function pythonFragment(code: string, overrides: Partial<Fragment> = {}): Fragment {
  return {
    commentary: 'Prints a greeting.',
    template: 'code-interpreter-v1',
    title: 'Greeting',
    description: 'Prints a greeting.',
    additional_dependencies: [],
    has_additional_dependencies: false,
    install_dependencies_command: '',
    port: null,
    file_path: 'main.py',
    code,
    ...overrides,
  };
}

interface CallOptions {
  team?: string;
  user?: string;
  key?: string;
  accept?: string;
}

function post(kit: Fragmentkit, path: string, body: unknown, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (options.team !== undefined) headers.set('x-team', options.team);
  if (options.user !== undefined) headers.set('x-user', options.user);
  if (options.key !== undefined) headers.set('idempotency-key', options.key);
  if (options.accept !== undefined) headers.set('accept', options.accept);
  return kit.handler(new Request(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }));
}

async function runEvents(response: Response): Promise<{ id: string | undefined; data: SandboxRunEvent }[]> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events = await collectSse(response.body!);
  return events.map((event) => ({ id: event.id, data: event.data as unknown as SandboxRunEvent }));
}

function resultOf(events: { data: SandboxRunEvent }[]): SandboxResultEvent {
  const result = events.find((event) => event.data.type === 'result')?.data;
  if (result?.type !== 'result') throw new Error(`no result among ${events.map((event) => event.data.type)}`);
  return result;
}

if (!bubblewrap.available && onCi) {
  describe('the sandbox route on CI', () => {
    it('has bubblewrap for the local sandbox', () => {
      throw new Error(`CI must run the sandbox route under bubblewrap: ${bubblewrap.reason}`);
    });
  });
}

describe.skipIf(!bubblewrap.available)('POST /sandbox with the local bubblewrap sandbox', { timeout: 60_000 }, () => {
  const roots: string[] = [];
  const providers: LocalSandboxProvider[] = [];

  function localProvider(): LocalSandboxProvider {
    const rootDir = mkdtempSync(join(tmpdir(), 'fk-sandbox-route-'));
    roots.push(rootDir);
    const provider = createLocalSandboxProvider({ rootDir, bubblewrap: 'require' });
    providers.push(provider);
    return provider;
  }

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((provider) => provider.close()));
  });
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('streams the run of a Python fragment with numbered events, its stdout and the result', async () => {
    const kit = fragmentkitWith({ provider: localProvider() });
    const events = await runEvents(
      await post(kit, '/sandbox', { fragment: pythonFragment('print("hello from", 6 * 7)') }, { team: 'team-a' }),
    );
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index + 1)));
    expect(events[0]!.data).toMatchObject({ type: 'meta', provider: 'local' });
    const phases = events.flatMap((event) => (event.data.type === 'status' ? [event.data.phase] : []));
    expect(phases).toEqual(expect.arrayContaining(['check', 'acquire', 'write', 'run']));
    const stdout = events.flatMap((event) => (event.data.type === 'stdout' ? [event.data.chunk] : [])).join('');
    expect(stdout).toContain('hello from 42');
    expect(resultOf(events)).toMatchObject({
      status: 'completed',
      exitCode: 0,
      stdout: 'hello from 42\n',
      warnings: [],
      sandbox: { isolation: 'bubblewrap' },
    });
    expect(events.at(-1)!.data).toEqual({ type: 'done' });
    expect(kit.metrics.snapshot().sandbox.operations).toBeGreaterThanOrEqual(3);
  });

  it('reports a runtime error with the stack parsed, as a result rather than a failed request', async () => {
    const kit = fragmentkitWith({ provider: localProvider() });
    const code = 'def explode():\n    raise ValueError("bad input")\n\nexplode()\n';
    const result = resultOf(
      await runEvents(await post(kit, '/sandbox', { fragment: pythonFragment(code) }, { team: 't' })),
    );
    expect(result.exitCode).toBe(1);
    expect(result.runtimeError).toMatchObject({ name: 'ValueError', message: 'bad input' });
    expect(result.runtimeError?.frames[0]).toMatchObject({ file: '/workspace/main.py', line: 2, function: 'explode' });
  });

  it('reuses the sandbox of a conversation for its team only', async () => {
    const kit = fragmentkitWith({ provider: localProvider() });
    const fragment = pythonFragment('print("again")');
    const run = async (team: string) =>
      resultOf(await runEvents(await post(kit, '/sandbox', { fragment, conversationId: 'c-1' }, { team }))).sandbox?.id;
    const first = await run('team-a');
    const second = await run('team-a');
    const otherTeam = await run('team-b');
    expect(first).toBeDefined();
    expect(second).toBe(first);
    expect(otherTeam).not.toBe(first);
  });

  it('serves a web fragment at a preview URL that the team can share and open through a link', async () => {
    const kit = fragmentkitWith({
      provider: localProvider(),
      plans: { 'node-server': { kind: 'server', command: 'node {file} {port}', port: 8080, packageManager: 'npm' } },
    });
    const serverCode = [
      "const http = require('node:http');",
      "http.createServer((request, response) => response.end('served from the sandbox')).listen(Number(process.argv[2]), '127.0.0.1');",
    ].join('\n');
    const fragment = pythonFragment(serverCode, { template: 'node-server', file_path: 'server.js', port: 8080 });
    const events = await runEvents(await post(kit, '/sandbox', { fragment }, { team: 'team-a' }));
    const result = resultOf(events);
    expect(result.status).toBe('serving');
    expect(events.find((event) => event.data.type === 'status' && event.data.phase === 'url')?.data).toMatchObject({
      url: result.url,
    });
    expect(await (await fetch(result.url!)).text()).toBe('served from the sandbox');

    const refused = await post(kit, '/share', { url: result.url }, { team: 'team-b' });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'unknown-preview' } });

    const shared = await post(kit, '/share', { url: result.url, ttlSeconds: 600 }, { team: 'team-a' });
    expect(shared.status).toBe(201);
    const link = (await shared.json()) as { id: string; shareUrl: string; expiresAt: string };
    expect(link.shareUrl).toBe(`${base}/s/${link.id}`);
    const opened = await kit.handler(new Request(link.shareUrl));
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toBe(result.url);
  });
});

describe('POST /sandbox when things go wrong', () => {
  it('answers a result with the code and the reason when the sandbox is down, and counts the failure', async () => {
    const { provider } = createScriptedSandboxProvider(() => ({
      error: new FragmentkitError('SANDBOX_UNAVAILABLE', 'E2B is unreachable: connect ECONNREFUSED.'),
    }));
    const kit = fragmentkitWith({ provider });
    const events = await runEvents(
      await post(kit, '/sandbox', { fragment: pythonFragment('print(1)') }, { team: 't' }),
    );
    expect(resultOf(events)).toMatchObject({
      status: 'unavailable',
      exitCode: null,
      previewUnavailable: { code: 'SANDBOX_UNAVAILABLE', reason: 'E2B is unreachable: connect ECONNREFUSED.' },
    });
    expect(events.at(-1)!.data).toEqual({ type: 'done' });
    expect(kit.metrics.snapshot().sandbox).toEqual({ operations: 1, failures: 1 });
  });

  it('passes on when to retry while the circuit breaker is open', async () => {
    const { provider } = createScriptedSandboxProvider(() => ({
      error: new FragmentkitError('SANDBOX_UNAVAILABLE', 'The e2b circuit is open after 5 failures.', {
        isRetryable: true,
        details: { retryAfterMs: 30_000 },
      }),
    }));
    const kit = fragmentkitWith({ provider });
    const result = resultOf(
      await runEvents(await post(kit, '/sandbox', { fragment: pythonFragment('print(1)') }, { team: 't' })),
    );
    expect(result.previewUnavailable).toEqual({
      code: 'SANDBOX_UNAVAILABLE',
      reason: 'The e2b circuit is open after 5 failures.',
      retryAfterMs: 30_000,
    });
  });

  it('passes the caller to the provider and scopes the conversation by team', async () => {
    const { provider, acquired } = createScriptedSandboxProvider(() => ({ stdout: 'ok\n' }));
    const kit = fragmentkitWith({ provider });
    await runEvents(
      await post(
        kit,
        '/sandbox',
        { fragment: pythonFragment('print(1)'), conversationId: 'c-9' },
        { team: 'team/a', user: 'user-7' },
      ),
    );
    expect(acquired).toHaveLength(1);
    expect(acquired[0]).toMatchObject({
      template: 'code-interpreter-v1',
      userId: 'user-7',
      teamId: 'team/a',
      conversationId: 'team%2Fa:c-9',
    });
  });

  it('runs the template the request names instead of the fragment’s', async () => {
    const { provider, acquired } = createScriptedSandboxProvider(() => ({ stdout: 'ok\n' }));
    const kit = fragmentkitWith({
      provider,
      plans: { 'python-script': { kind: 'script', command: 'python3 {file}', packageManager: 'pip' } },
    });
    await runEvents(
      await post(kit, '/sandbox', { fragment: pythonFragment('print(1)'), template: 'python-script' }, { team: 't' }),
    );
    expect(acquired[0]?.template).toBe('python-script');
  });

  it('rejects bad input with typed 4xx errors before any sandbox is asked', async () => {
    const { provider, acquired } = createScriptedSandboxProvider(() => ({ stdout: '' }));
    const kit = fragmentkitWith({ provider });
    const missingCode = await post(kit, '/sandbox', { fragment: { title: 'x' } }, { team: 't' });
    expect(missingCode.status).toBe(400);
    expect((await missingCode.json()).error.code).toBe('INVALID_REQUEST');
    const unknownTemplate = await post(
      kit,
      '/sandbox',
      { fragment: pythonFragment('print(1)', { template: 'cobol-developer' }) },
      { team: 't' },
    );
    expect(unknownTemplate.status).toBe(400);
    expect((await unknownTemplate.json()).error.details).toEqual({ template: 'cobol-developer' });
    const anonymous = await post(kit, '/sandbox', { fragment: pythonFragment('print(1)') });
    expect(anonymous.status).toBe(401);
    expect(acquired).toHaveLength(0);
  });

  it('refuses what the host policy forbids with 403 and the reason', async () => {
    const { provider, acquired } = createScriptedSandboxProvider(() => ({ stdout: '' }));
    const kit = fragmentkitWith({
      provider,
      policy: {
        templates: ['code-interpreter-v1', 'nextjs-developer'],
        checks: { policy: 'block', dependencyAllowlist: { 'code-interpreter-v1': ['numpy'] } },
        authorize: ({ caller }) => (caller.teamId === 'free-team' ? 'Upgrade to run code in a sandbox.' : undefined),
      },
    });
    const refusal = async (response: Response) => {
      expect(response.status).toBe(403);
      return (await response.json()).error as { code: string; message: string; details: Record<string, unknown> };
    };

    const template = await refusal(
      await post(
        kit,
        '/sandbox',
        { fragment: pythonFragment('print(1)', { template: 'gradio-developer' }) },
        { team: 't' },
      ),
    );
    expect(template).toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'template', template: 'gradio-developer' },
    });

    const blocked = await refusal(
      await post(
        kit,
        '/sandbox',
        { fragment: pythonFragment('import requests\nprint(1)', { additional_dependencies: ['requests'] }) },
        { team: 't' },
      ),
    );
    expect(blocked.details.reason).toBe('static-checks');
    expect(blocked.details.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: 'dependency-not-allowed', severity: 'error' })]),
    );

    const policy = await refusal(
      await post(kit, '/sandbox', { fragment: pythonFragment('print(1)') }, { team: 'free-team' }),
    );
    expect(policy).toMatchObject({ message: 'Upgrade to run code in a sandbox.', details: { reason: 'policy' } });
    expect(acquired).toHaveLength(0);
  });

  it('returns static-check findings that do not block as warnings of the result', async () => {
    const { provider } = createScriptedSandboxProvider(() => ({ stdout: '' }));
    const kit = fragmentkitWith({
      provider,
      policy: { checks: { dependencyAllowlist: { 'code-interpreter-v1': [] } } },
    });
    const fragment = pythonFragment('print(1)', { additional_dependencies: ['numpy'] });
    const result = resultOf(await runEvents(await post(kit, '/sandbox', { fragment }, { team: 't' })));
    expect(result.status).toBe('completed');
    expect(result.warnings).toEqual([expect.objectContaining({ rule: 'dependency-not-allowed' })]);
  });
});

describe('POST /sandbox when the client leaves', () => {
  it('stops a run without a key and kills the sandbox that arrives late', async () => {
    const gate = createDeferred();
    const { provider, acquired, killed } = createScriptedSandboxProvider(() => ({ stdout: '', gate: gate.promise }));
    const kit = fragmentkitWith({ provider });
    const client = new AbortController();
    const headers = new Headers({ 'content-type': 'application/json', 'x-team': 't' });
    const response = await kit.handler(
      new Request(`${base}/sandbox`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ fragment: pythonFragment('print(1)') }),
        signal: client.signal,
      }),
    );
    await expect.poll(() => acquired.length).toBe(1);
    client.abort();
    await response.body!.cancel();
    gate.resolve();
    await expect.poll(() => killed).toEqual(['scripted-1']);
  });
});

describe('POST /sandbox with an Idempotency-Key', () => {
  it('replays a completed run with the same event ids, without running it again', async () => {
    let runs = 0;
    const { provider, acquired } = createScriptedSandboxProvider(() => {
      runs += 1;
      return { stdout: `run ${runs}\n` };
    });
    const kit = fragmentkitWith({ provider });
    const body = { fragment: pythonFragment('print(1)') };
    const first = await runEvents(await post(kit, '/sandbox', body, { team: 't', key: 'key-1' }));
    const again = await post(kit, '/sandbox', body, { team: 't', key: 'key-1' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const replayed = await runEvents(again);
    expect(replayed).toEqual(first);
    expect(resultOf(replayed).stdout).toBe('run 1\n');
    expect(acquired).toHaveLength(1);

    // Keys belong to their caller: another team's request with the same key runs on its own.
    const other = await runEvents(await post(kit, '/sandbox', body, { team: 'other', key: 'key-1' }));
    expect(resultOf(other).stdout).toBe('run 2\n');
  });

  it('answers 409 while the keyed run is in flight and 422 for another body with the key', async () => {
    const gate = createDeferred();
    const steps: ScriptedAcquire[] = [{ stdout: 'slow\n', gate: gate.promise }];
    const { provider, acquired } = createScriptedSandboxProvider(() => steps.shift() ?? { stdout: 'unexpected\n' });
    const kit = fragmentkitWith({ provider });
    const body = { fragment: pythonFragment('print(1)') };
    const running = await post(kit, '/sandbox', body, { team: 't', key: 'key-2' });
    await expect.poll(() => acquired.length).toBe(1);

    const inFlight = await post(kit, '/sandbox', body, { team: 't', key: 'key-2' });
    expect(inFlight.status).toBe(409);
    expect((await inFlight.json()).error.code).toBe('IDEMPOTENCY_IN_FLIGHT');
    const reused = await post(kit, '/sandbox', { fragment: pythonFragment('print(2)') }, { team: 't', key: 'key-2' });
    expect(reused.status).toBe(422);
    expect((await reused.json()).error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    gate.resolve();
    expect(resultOf(await runEvents(running)).stdout).toBe('slow\n');
    expect(acquired).toHaveLength(1);
  });

  it('lets a retry that reads streams follow the run in flight, from its Last-Event-ID on', async () => {
    const gate = createDeferred();
    const steps: ScriptedAcquire[] = [{ stdout: 'followed\n', gate: gate.promise }];
    const { provider, acquired } = createScriptedSandboxProvider(() => steps.shift() ?? { stdout: 'unexpected\n' });
    const kit = fragmentkitWith({ provider });
    const body = { fragment: pythonFragment('print(1)') };
    const running = await post(kit, '/sandbox', body, { team: 't', key: 'key-4' });
    await expect.poll(() => acquired.length).toBe(1);

    const headers = new Headers({
      'content-type': 'application/json',
      'x-team': 't',
      'idempotency-key': 'key-4',
      'last-event-id': '1',
    });
    const follower = await kit.handler(
      new Request(`${base}/sandbox`, { method: 'POST', headers, body: JSON.stringify(body) }),
    );
    gate.resolve();
    const original = await runEvents(running);
    const followed = await runEvents(follower);
    expect(followed).toEqual(original.slice(1));
    expect(resultOf(followed).stdout).toBe('followed\n');
    expect(acquired).toHaveLength(1);
  });

  it('finishes a keyed run whose client left, so a retry replays the whole run', async () => {
    const gate = createDeferred();
    const { provider, acquired } = createScriptedSandboxProvider(() => ({ stdout: 'finished\n', gate: gate.promise }));
    const kit = fragmentkitWith({ provider });
    const body = { fragment: pythonFragment('print(1)') };
    const running = await post(kit, '/sandbox', body, { team: 't', key: 'key-3' });
    await expect.poll(() => acquired.length).toBe(1);
    await running.body!.cancel();
    gate.resolve();

    await expect.poll(async () => (await post(kit, '/sandbox', body, { team: 't', key: 'key-3' })).status).toBe(200);
    const replayed = await runEvents(await post(kit, '/sandbox', body, { team: 't', key: 'key-3' }));
    expect(resultOf(replayed).stdout).toBe('finished\n');
    expect(replayed.at(-1)!.data).toEqual({ type: 'done' });
  });
});
