import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import type { Fragment } from '../fragment/schema.js';
import { createCircuitBreaker } from '../router/circuitBreaker.js';
import { runFragment } from '../sandbox/runFragment.js';
import { FakeE2BSdk, sdkError } from './__fixtures__/fakeE2BSdk.js';
import { classifySandboxError, toE2BError } from './e2bErrors.js';
import {
  createE2BSandboxProvider,
  type E2BProviderEvent,
  type E2BSandboxProviderOptions,
} from './e2bSandboxProvider.js';

const start = Date.UTC(2025, 0, 1);

function setup(options: Partial<E2BSandboxProviderOptions> = {}) {
  const sdk = new FakeE2BSdk();
  let now = start;
  const sleeps: number[] = [];
  const events: E2BProviderEvent[] = [];
  const clock = { now: () => now };
  const provider = createE2BSandboxProvider({
    sdk,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    cleanupIntervalMs: 0,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return {
    sdk,
    provider,
    sleeps,
    events,
    advance(ms: number) {
      now += ms;
    },
    now: () => now,
  };
}

async function failure(promise: Promise<unknown>): Promise<FragmentkitError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!FragmentkitError.isInstance(error)) throw new Error(`expected a FragmentkitError, got ${String(error)}`);
  return error;
}

describe('createE2BSandboxProvider: creating sandboxes', () => {
  it('creates on demand with who and what in the metadata and the connection settings passed on', async () => {
    const { sdk, provider } = setup({ apiKey: 'e2b_test', domain: 'e2b.test', sandboxTimeoutMs: 120_000 });
    const session = await provider.acquire({
      template: 'code-interpreter-v1',
      userId: 'u1',
      teamId: 't1',
      conversationId: 'c1',
    });
    expect(sdk.creates).toEqual([
      {
        template: 'code-interpreter-v1',
        options: {
          metadata: {
            createdBy: 'fragmentkit',
            template: 'code-interpreter-v1',
            userId: 'u1',
            teamId: 't1',
            conversationId: 'c1',
          },
          timeoutMs: 120_000,
          codeInterpreter: true,
          apiKey: 'e2b_test',
          domain: 'e2b.test',
        },
      },
    ]);
    expect(session).toMatchObject({ id: 'sbx-1', isolation: 'microvm', template: 'code-interpreter-v1' });
  });

  it('retries a failing create with exponential backoff', async () => {
    const { sdk, provider, sleeps, events } = setup();
    sdk.failures = [sdkError('ServiceBusyError', 'no capacity', 503), sdkError('RateLimitError', 'slow down', 429)];
    const session = await provider.acquire({ template: 'nextjs-developer' });
    expect(session.id).toBe('sbx-1');
    expect(sdk.creates).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
    expect(
      events.filter((event) => event.type === 'create-failed').map((event) => 'willRetry' in event && event.willRetry),
    ).toEqual([true, true]);
  });

  it('gives up after three attempts with SANDBOX_UNAVAILABLE', async () => {
    const { sdk, provider, sleeps } = setup();
    sdk.failures = [1, 2, 3].map(() => new TypeError('fetch failed'));
    const error = await failure(provider.acquire({ template: 'nextjs-developer' }));
    expect(error).toMatchObject({ code: 'SANDBOX_UNAVAILABLE', isRetryable: true, details: { attempts: 3 } });
    expect(sdk.creates).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('does not retry rejected credentials and disables the circuit', async () => {
    const { sdk, provider } = setup();
    sdk.failures = [sdkError('AuthenticationError', 'Unauthorized, please check your credentials.')];
    const first = await failure(provider.acquire({ template: 'nextjs-developer' }));
    expect(first).toMatchObject({ code: 'SANDBOX_UNAVAILABLE', isRetryable: false, details: { reason: 'auth' } });
    const second = await failure(provider.acquire({ template: 'nextjs-developer' }));
    expect(second.details).toMatchObject({ reason: 'auth' });
    expect(sdk.creates).toHaveLength(1);
  });

  it('stops calling E2B while the circuit is open, and runFragment keeps the code', async () => {
    const breaker = createCircuitBreaker({
      classify: classifySandboxError,
      failureThreshold: 2,
      resetTimeoutMs: 30_000,
      clock: { now: () => start },
    });
    const { sdk, provider } = setup({ breaker });
    sdk.failures = Array.from({ length: 10 }, () => sdkError('SandboxError', '500: internal error', 500));
    const error = await failure(provider.acquire({ template: 'nextjs-developer' }));
    expect(error).toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
      details: { reason: 'circuit-open', retryAfterMs: 30_000 },
    });
    expect(sdk.creates).toHaveLength(2);

    const fragment: Fragment = {
      commentary: '',
      template: 'nextjs-developer',
      title: 'Page',
      description: 'A page.',
      additional_dependencies: [],
      has_additional_dependencies: false,
      install_dependencies_command: '',
      port: 3000,
      file_path: 'pages/index.tsx',
      code: 'export default function Page() { return <h1>kept</h1>; }',
    };
    const result = await runFragment(provider, fragment);
    expect(result).toMatchObject({
      status: 'unavailable',
      previewUnavailable: { code: 'SANDBOX_UNAVAILABLE', retryAfterMs: 30_000 },
    });
    expect(result.fragment.code).toContain('kept');
    expect(sdk.creates).toHaveLength(2);
  });

  it('rejects templates it has no configuration for', async () => {
    const { provider } = setup();
    expect(await failure(provider.acquire({ template: 'react-preview' }))).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('rejects with ABORTED and stops retrying when the caller aborts during the backoff', async () => {
    const controller = new AbortController();
    const { sdk, provider } = setup({ sleep: async () => controller.abort() });
    sdk.failures = [new TypeError('fetch failed'), new TypeError('fetch failed')];
    const error = await failure(provider.acquire({ template: 'nextjs-developer', signal: controller.signal }));
    expect(error.code).toBe('ABORTED');
    expect(sdk.creates).toHaveLength(1);
  });

  it('does not call E2B for a caller that aborted while waiting for the circuit breaker', async () => {
    const controller = new AbortController();
    const breaker = createCircuitBreaker({ classify: classifySandboxError });
    const { sdk, provider } = setup({
      breaker: {
        ...breaker,
        acquire: async (target) => {
          controller.abort();
          return breaker.acquire(target);
        },
      },
    });
    const error = await failure(provider.acquire({ template: 'nextjs-developer', signal: controller.signal }));
    expect(error.code).toBe('ABORTED');
    expect(sdk.creates).toHaveLength(0);
  });
});

describe('createE2BSandboxProvider: warm pool', () => {
  it('hands out a warm sandbox after a liveness check and refills in the background', async () => {
    const { sdk, provider } = setup({ pool: { size: { 'nextjs-developer': 1 } }, sandboxTimeoutMs: 600_000 });
    await provider.warm();
    expect(sdk.creates.map((create) => create.options.metadata)).toEqual([
      { createdBy: 'fragmentkit', template: 'nextjs-developer', pooled: 'true' },
    ]);
    expect(provider.getSnapshot().pools['nextjs-developer']).toEqual({ ready: 1, creating: 0 });

    const session = await provider.acquire({ template: 'nextjs-developer', userId: 'u1' });
    expect(session.id).toBe('sbx-1');
    expect(sdk.sandboxes[0]?.timeouts).toEqual([600_000]);
    await provider.idle();
    expect(sdk.creates).toHaveLength(2);
    expect(provider.getSnapshot().pools['nextjs-developer']).toEqual({ ready: 1, creating: 0 });
  });

  it('records who got a pooled sandbox, since its metadata cannot', async () => {
    const { provider, events } = setup({ pool: { size: 1 } });
    await provider.warm('vue-developer');
    await provider.acquire({ template: 'vue-developer', userId: 'u1', teamId: 't1', conversationId: 'c1' });
    expect(events).toContainEqual({
      type: 'assigned',
      sandboxId: 'sbx-1',
      template: 'vue-developer',
      source: 'pool',
      userId: 'u1',
      teamId: 't1',
      conversationId: 'c1',
    });
  });

  it('never hands out a sandbox older than the maximum age', async () => {
    const { sdk, provider, advance, events } = setup({ pool: { size: { 'nextjs-developer': 1 }, maxAgeMs: 60_000 } });
    await provider.warm();
    advance(60_001);
    const session = await provider.acquire({ template: 'nextjs-developer' });
    expect(session.id).not.toBe('sbx-1');
    expect(sdk.sandboxes[0]?.killed).toBe(true);
    expect(events).toContainEqual({
      type: 'discarded',
      sandboxId: 'sbx-1',
      template: 'nextjs-developer',
      reason: 'max-age',
    });
  });

  it('replaces a pooled sandbox that fails the liveness check', async () => {
    const { sdk, provider, events } = setup({ pool: { size: { 'nextjs-developer': 1 } } });
    await provider.warm();
    (sdk.sandboxes[0] as { running: boolean }).running = false;
    const session = await provider.acquire({ template: 'nextjs-developer' });
    expect(session.id).toBe('sbx-2');
    expect(sdk.sandboxes[0]?.killed).toBe(true);
    expect(events).toContainEqual({
      type: 'discarded',
      sandboxId: 'sbx-1',
      template: 'nextjs-developer',
      reason: 'not-running',
    });
  });

  it('sweeps over-age pooled sandboxes and refills the pool', async () => {
    const { sdk, provider, advance } = setup({ pool: { size: { 'nextjs-developer': 2 }, maxAgeMs: 60_000 } });
    await provider.warm();
    advance(60_001);
    expect(await provider.sweep()).toBe(2);
    await provider.idle();
    expect(sdk.sandboxes.slice(0, 2).every((sandbox) => sandbox.killed)).toBe(true);
    expect(sdk.creates).toHaveLength(4);
    expect(provider.getSnapshot().pools['nextjs-developer']).toEqual({ ready: 2, creating: 0 });
  });

  it('keeps warm-pool acquire free of create calls', async () => {
    const { sdk, provider } = setup({ pool: { size: { 'code-interpreter-v1': 3 }, refill: false } });
    await provider.warm();
    const sessions = await Promise.all([1, 2, 3].map(() => provider.acquire({ template: 'code-interpreter-v1' })));
    expect(new Set(sessions.map((session) => session.id)).size).toBe(3);
    expect(sdk.creates).toHaveLength(3);
    await provider.acquire({ template: 'code-interpreter-v1' });
    expect(sdk.creates).toHaveLength(4);
  });
});

describe('createE2BSandboxProvider: conversations', () => {
  it('re-runs edits of a conversation in its sandbox and kills sandboxes released without one', async () => {
    const { sdk, provider } = setup({ conversationTtlMs: 300_000 });
    const first = await provider.acquire({ template: 'streamlit-developer', conversationId: 'c1' });
    await first.release();
    expect(sdk.sandboxes[0]?.timeouts).toEqual([360_000]);
    expect(first.getSnapshot()).toMatchObject({ status: 'kept', expiresAt: start + 300_000 });
    expect(provider.getSnapshot().conversations).toBe(1);

    const again = await provider.acquire({ template: 'streamlit-developer', conversationId: 'c1' });
    expect(again).toBe(first);
    expect(again.getSnapshot().status).toBe('ready');
    const other = await provider.acquire({ template: 'streamlit-developer', conversationId: 'c2' });
    expect(other.id).not.toBe(first.id);
    const anonymous = await provider.acquire({ template: 'streamlit-developer' });
    await anonymous.release();
    expect(sdk.sandboxes.find((sandbox) => sandbox.sandboxId === anonymous.id)?.killed).toBe(true);
  });

  it('cleans up conversation sandboxes after their TTL', async () => {
    const { sdk, provider, advance, events } = setup({ conversationTtlMs: 300_000 });
    const session = await provider.acquire({ template: 'streamlit-developer', conversationId: 'c1' });
    await session.release();
    advance(300_001);
    expect(await provider.sweep()).toBe(1);
    expect(sdk.sandboxes[0]?.killed).toBe(true);
    expect(events).toContainEqual({
      type: 'discarded',
      sandboxId: 'sbx-1',
      template: 'streamlit-developer',
      reason: 'expired',
    });
    const next = await provider.acquire({ template: 'streamlit-developer', conversationId: 'c1' });
    expect(next.id).toBe('sbx-2');
  });

  it('extends the TTL of a kept sandbox on request', async () => {
    const { sdk, provider } = setup({ conversationTtlMs: 60_000 });
    const session = await provider.acquire({ template: 'streamlit-developer', conversationId: 'c1' });
    await session.extendTtl(3_600_000);
    await session.release();
    expect(session.getSnapshot().expiresAt).toBe(start + 3_600_000);
    expect(sdk.sandboxes[0]?.timeouts).toContain(3_600_000);
  });

  it('replaces a dead conversation sandbox', async () => {
    const { sdk, provider } = setup();
    const session = await provider.acquire({ template: 'streamlit-developer', conversationId: 'c1' });
    await session.release();
    (sdk.sandboxes[0] as { running: boolean }).running = false;
    const next = await provider.acquire({ template: 'streamlit-developer', conversationId: 'c1' });
    expect(next.id).toBe('sbx-2');
  });

  it('kills everything on close', async () => {
    const { sdk, provider } = setup({ pool: { size: { 'nextjs-developer': 1 } } });
    await provider.warm();
    const kept = await provider.acquire({ template: 'streamlit-developer', conversationId: 'c1' });
    await kept.release();
    await provider.close();
    expect(sdk.sandboxes.every((sandbox) => sandbox.killed)).toBe(true);
    expect(await failure(provider.acquire({ template: 'nextjs-developer' }))).toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
    });
  });
});

describe('E2B sessions', () => {
  it('writes files under the work directory and runs code-interpreter cells with runCode', async () => {
    const { sdk, provider } = setup();
    const session = await provider.acquire({ template: 'code-interpreter-v1' });
    const sandbox = sdk.sandboxes[0]!;
    sandbox.execution = {
      stdout: ['6\n'],
      stderr: [],
      results: [{ isMainResult: false, png: 'iVBORw0KGgo=' }],
      error: { name: 'IndexError', value: 'list index out of range', traceback: 'Cell In[1], line 3' },
    };
    await session.writeFiles([{ path: 'data/x.csv', content: 'a,b' }]);
    const chunks: string[] = [];
    const result = await session.run(
      { code: 'print(6)', language: 'python' },
      { onStdout: (chunk) => chunks.push(chunk) },
    );
    expect([...sandbox.files]).toEqual([['/home/user/data/x.csv', 'a,b']]);
    expect(sandbox.cells).toEqual([{ code: 'print(6)', language: 'python' }]);
    expect(chunks).toEqual(['6\n']);
    expect(result).toMatchObject({
      exitCode: 1,
      stdout: '6\n',
      results: [{ png: 'iVBORw0KGgo=' }],
      error: { name: 'IndexError' },
    });
  });

  it('installs with a quoted command and streams progress', async () => {
    const { sdk, provider } = setup();
    const session = await provider.acquire({ template: 'streamlit-developer' });
    sdk.sandboxes[0]!.answer = () => ({
      exitCode: 0,
      stdout: 'Collecting plotly\nSuccessfully installed plotly\n',
      stderr: '',
    });
    const lines: string[] = [];
    const result = await session.install(['plotly>=5'], { onProgress: (line) => lines.push(line) });
    expect(sdk.sandboxes[0]!.commands[0]).toMatchObject({
      command: "pip install --no-input --progress-bar off 'plotly>=5'",
      options: { cwd: '/home/user' },
    });
    expect(lines).toEqual(['Collecting plotly', 'Successfully installed plotly']);
    expect(result.exitCode).toBe(0);
  });

  it('returns the URL of a server the template already runs, and starts others', async () => {
    const { sdk, provider, now } = setup();
    const session = await provider.acquire({ template: 'nextjs-developer' });
    const sandbox = sdk.sandboxes[0]!;
    expect(await session.start('npx next dev --port 3000', { port: 3000 })).toEqual({
      status: 'ready',
      port: 3000,
      url: 'https://3000-sbx-1.e2b.test',
    });
    expect(sandbox.started).toEqual([]);

    let probes = 0;
    sandbox.answer = (command) =>
      command.includes('/dev/tcp/127.0.0.1/8080') && ++probes < 3
        ? { exitCode: 1, stdout: '', stderr: 'Connection refused' }
        : { exitCode: 0, stdout: '', stderr: '' };
    const before = now();
    const server = await session.start('python3 -m http.server 8080', { port: 8080 });
    expect(server).toEqual({ status: 'ready', port: 8080, url: 'https://8080-sbx-1.e2b.test' });
    expect(sandbox.started).toEqual(['python3 -m http.server 8080']);
    expect(probes).toBe(3);
    expect(now() - before).toBe(1000);
    expect(session.getSnapshot().servers.map((entry) => entry.port)).toEqual([3000, 8080]);
  });

  it('turns an E2B command timeout into a wall-clock termination', async () => {
    const { sdk, provider } = setup();
    const session = await provider.acquire({ template: 'streamlit-developer' });
    sdk.sandboxes[0]!.answer = () => sdkError('TimeoutError', '[deadline_exceeded] command timed out');
    const result = await session.run('python3 loop.py', { timeoutMs: 2000 });
    expect(result).toMatchObject({ exitCode: null, termination: { reason: 'wall-clock' } });
    expect(sdk.sandboxes[0]!.commands[0]?.options.timeoutMs).toBe(2000);
  });

  it('caps command output', async () => {
    const { sdk, provider } = setup({ outputBytes: 10 });
    const session = await provider.acquire({ template: 'streamlit-developer' });
    sdk.sandboxes[0]!.answer = () => ({ exitCode: 0, stdout: 'x'.repeat(100), stderr: '' });
    const result = await session.run('yes');
    expect(result).toMatchObject({
      stdoutTruncated: true,
      stdout: 'xxxxxxxxxx\n[fragmentkit: output truncated after 10 bytes]\n',
    });
  });
});

describe('E2B error mapping', () => {
  it.each([
    [sdkError('AuthenticationError', 'bad key'), 'SANDBOX_UNAVAILABLE', false, 'disable'],
    [sdkError('RateLimitError', 'slow down', 429), 'SANDBOX_UNAVAILABLE', true, 'failure'],
    [sdkError('ServiceBusyError', 'busy', 503), 'SANDBOX_UNAVAILABLE', true, 'failure'],
    [sdkError('SandboxError', '500: boom', 500), 'SANDBOX_UNAVAILABLE', true, 'failure'],
    [sdkError('NotFoundError', '404: template not found', 404), 'SANDBOX_UNAVAILABLE', false, 'ignore'],
    [sdkError('TimeoutError', 'request timed out'), 'SANDBOX_TIMEOUT', true, 'failure'],
    [new TypeError('fetch failed'), 'SANDBOX_UNAVAILABLE', true, 'failure'],
    [new DOMException('stop', 'AbortError'), 'ABORTED', false, 'ignore'],
  ] as const)('maps %s', (error, code, isRetryable, breakerClass) => {
    expect(toE2BError(error, 'create')).toMatchObject({ code, isRetryable });
    expect(classifySandboxError(error)).toBe(breakerClass);
  });
});
