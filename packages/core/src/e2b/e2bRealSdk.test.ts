import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeE2BServer } from './__fixtures__/fakeE2BServer.js';
import { createE2BSandboxProvider, type E2BSandboxProviderOptions } from './e2bSandboxProvider.js';

const server = new FakeE2BServer();

beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  server.requests.length = 0;
  server.createFailures = [];
  server.commands = () => ({});
});

/** The provider with the real `e2b` SDK, pointed at the local fake. */
function realProvider(options: Partial<E2BSandboxProviderOptions> = {}) {
  return createE2BSandboxProvider({
    apiKey: 'e2b_fake_key',
    domain: 'e2b.test',
    apiUrl: server.url,
    sandboxUrl: server.url,
    cleanupIntervalMs: 0,
    sleep: async () => undefined,
    ...options,
  });
}

describe('the E2B provider with the real e2b SDK against a local fake', () => {
  it('creates a sandbox over the REST API with the metadata and timeout, and kills it', async () => {
    const provider = realProvider({ sandboxTimeoutMs: 300_000 });
    const session = await provider.acquire({ template: 'nextjs-developer', userId: 'u1', teamId: 't1' });

    const [create] = server.find('POST', '/v2/sandboxes');
    expect(create?.headers['x-api-key']).toBe('e2b_fake_key');
    expect(JSON.parse(create?.body ?? '{}')).toMatchObject({
      templateID: 'nextjs-developer',
      metadata: { createdBy: 'fragmentkit', template: 'nextjs-developer', userId: 'u1', teamId: 't1' },
      timeout: 300,
    });
    expect(session.id).toBe('isb1');
    expect(session.previewUrl(3000)).toBe('https://3000-isb1.e2b.test');

    await session.kill();
    expect(server.find('DELETE', '/sandboxes/isb1')).toHaveLength(1);
    expect(server.alive.has('isb1')).toBe(false);
  });

  it('writes files and runs commands through envd', async () => {
    const provider = realProvider();
    server.commands = (command) =>
      command === 'cat pages/index.tsx'
        ? { stdout: 'export default () => null\n' }
        : { stderr: 'sh: nope: not found\n', exitCode: 127 };
    const session = await provider.acquire({ template: 'nextjs-developer' });
    await session.writeFiles([{ path: 'pages/index.tsx', content: 'export default () => null\n' }]);
    const [write] = server.find('POST', '/files');
    expect(write?.body).toContain('filename="/home/user/pages/index.tsx"');
    expect(write?.headers['x-access-token']).toBe(`token-${session.id}`);
    expect(write?.body).toContain('export default () => null');

    const streamed: string[] = [];
    const ok = await session.run('cat pages/index.tsx', { onStdout: (chunk) => streamed.push(chunk) });
    const failed = await session.run('nope');
    expect(ok).toEqual({ exitCode: 0, stdout: 'export default () => null\n', stderr: '' });
    expect(streamed.join('')).toBe('export default () => null\n');
    expect(failed).toMatchObject({ exitCode: 127, stderr: 'sh: nope: not found\n' });

    const [start] = server.find('POST', '/process.Process/Start');
    expect(JSON.parse(start?.body.slice(5) ?? '{}')).toMatchObject({
      process: { cmd: '/bin/bash', args: ['-l', '-c', 'cat pages/index.tsx'], cwd: '/home/user' },
    });
    await session.kill();
  });

  it('keeps the sandbox for the conversation: timeout extended, liveness checked, same sandbox again', async () => {
    const provider = realProvider({ conversationTtlMs: 120_000, sandboxTimeoutMs: 600_000 });
    const first = await provider.acquire({ template: 'streamlit-developer', conversationId: 'c1' });
    await first.release();
    const second = await provider.acquire({ template: 'streamlit-developer', conversationId: 'c1' });
    expect(second.id).toBe(first.id);
    expect(server.find('POST', `/sandboxes/${first.id}/timeout`).map((request) => JSON.parse(request.body))).toEqual([
      { timeout: 180 },
      { timeout: 600 },
    ]);
    expect(server.find('GET', '/health')).toHaveLength(1);
    await provider.close();
    expect(server.alive.has(first.id)).toBe(false);
  });

  it('starts a background server and reports it when it exits before its port opens', async () => {
    const provider = realProvider();
    server.commands = (command) =>
      command.startsWith('python3')
        ? { stderr: 'OSError: [Errno 98] Address already in use\n', exitCode: 1 }
        : { exitCode: 1, stderr: 'connection refused\n' };
    const session = await provider.acquire({ template: 'nextjs-developer' });
    const result = await session.start('python3 -m http.server 8080', { port: 8080 });
    expect(result).toMatchObject({
      status: 'exited',
      exitCode: 1,
      stderr: 'OSError: [Errno 98] Address already in use\n',
    });
    const commands = server
      .find('POST', '/process.Process/Start')
      .map((request) => (JSON.parse(request.body.slice(5)) as { process: { args: string[] } }).process.args.at(-1));
    expect(commands[0]).toBe('python3 -m http.server 8080');
    await session.kill();
  });

  it('runs code-interpreter cells with runCode', async () => {
    const provider = realProvider();
    server.execution = [
      { type: 'stdout', text: 'mean: 2.0\n' },
      { type: 'result', text: '<Figure>', png: 'iVBORw0KGgo=', is_main_result: false },
      { type: 'error', name: 'ValueError', value: 'bad', traceback: 'Cell In[1], line 4' },
    ];
    const session = await provider.acquire({ template: 'code-interpreter-v1' });
    const result = await session.run({ code: 'print("mean:", 2.0)', language: 'python' });
    const [execute] = server.find('POST', '/execute');
    expect(JSON.parse(execute?.body ?? '{}')).toMatchObject({ code: 'print("mean:", 2.0)', language: 'python' });
    expect(result).toMatchObject({
      exitCode: 1,
      stdout: 'mean: 2.0\n',
      results: [{ isMainResult: false, text: '<Figure>', png: 'iVBORw0KGgo=' }],
      error: { name: 'ValueError', value: 'bad', traceback: 'Cell In[1], line 4' },
    });
    await session.kill();
  });

  it('retries a 503 from E2B and reports rejected credentials as unavailable', async () => {
    const provider = realProvider();
    server.createFailures = [503];
    const session = await provider.acquire({ template: 'vue-developer' });
    expect(server.find('POST', '/v2/sandboxes')).toHaveLength(2);
    await session.kill();

    server.createFailures = [401];
    await expect(provider.acquire({ template: 'vue-developer' })).rejects.toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
      isRetryable: false,
      details: { reason: 'auth' },
    });
  });
});
