import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { runFragment } from '../sandbox/runFragment.js';
import { bubblewrapHowTo, detectBubblewrap } from './bubblewrap.js';
import { createLocalSandboxProvider, type LocalSandboxProviderOptions } from './localSandboxProvider.js';

const bubblewrap = await detectBubblewrap();
const onCi = process.env.CI === 'true';
const roots: string[] = [];
const providers: { close(): Promise<void> }[] = [];

function provider(options: LocalSandboxProviderOptions = {}) {
  const rootDir = mkdtempSync(join(tmpdir(), 'fk-local-'));
  roots.push(rootDir);
  const created = createLocalSandboxProvider({ rootDir, ...options });
  providers.push(created);
  return { provider: created, rootDir };
}

/** The host path of a file in the (only) session work directory under `rootDir`. */
function hostFile(rootDir: string, name: string): string {
  const [session] = readdirSync(rootDir).filter((entry) => entry.startsWith('session-'));
  return join(rootDir, session as string, name);
}

afterEach(async () => {
  await Promise.all(providers.splice(0).map((created) => created.close()));
});

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

if (!bubblewrap.available && onCi) {
  describe('bubblewrap on CI', () => {
    it('is installed and usable', () => {
      throw new Error(`CI must run the local sandbox tests under bubblewrap: ${bubblewrap.reason}`);
    });
  });
}

if (!bubblewrap.available && !onCi) {
  console.info(`[fragmentkit] Skipping the bubblewrap sandbox tests: ${bubblewrap.reason}\n${bubblewrapHowTo}`);
}

describe.skipIf(!bubblewrap.available)('local sandbox under bubblewrap', { timeout: 30_000 }, () => {
  let target: Server;
  let targetPort = 0;
  let targetRequests = 0;

  beforeAll(async () => {
    target = createServer((_, response) => {
      targetRequests += 1;
      response.end('reached the host');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetPort = (target.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => target.close(resolve));
  });

  it('runs Python and Node', async () => {
    const { provider: local } = provider();
    expect(await local.isolation()).toBe('bubblewrap');
    const session = await local.acquire({ template: 'code-interpreter-v1' });
    expect(session.isolation).toBe('bubblewrap');
    const python = await session.run({ code: 'import sys\nprint("py", sys.version_info[0])', language: 'python' });
    const node = await session.run({ code: 'console.log("js", typeof process.version)', language: 'javascript' });
    const shell = await session.run('pwd; id -u');
    expect(python).toMatchObject({ exitCode: 0, stdout: 'py 3\n' });
    expect(node).toMatchObject({ exitCode: 0, stdout: 'js string\n' });
    expect(shell.stdout).toBe('/workspace\n1000\n');
  });

  it('has no network: a server on the host loopback is unreachable', async () => {
    const { provider: local } = provider();
    const requestsBefore = targetRequests;
    const session = await local.acquire({ template: 'code-interpreter-v1' });
    const node = await session.run({
      code: `fetch('http://127.0.0.1:${targetPort}/').then(() => console.log('reached'), (error) => console.log('blocked', error.cause?.code))`,
      language: 'javascript',
    });
    const python = await session.run({
      code: `import socket\ntry:\n    socket.create_connection(("127.0.0.1", ${targetPort}), timeout=2)\n    print("reached")\nexcept OSError as error:\n    print("blocked", type(error).__name__)`,
      language: 'python',
    });
    expect(node.stdout).toBe('blocked ECONNREFUSED\n');
    expect(python.stdout).toBe('blocked ConnectionRefusedError\n');
    expect(targetRequests).toBe(requestsBefore);
    const control = await fetch(`http://127.0.0.1:${targetPort}/`);
    expect(await control.text()).toBe('reached the host');
  });

  it('writes only inside the work directory and sees none of the host tmp', async () => {
    const { provider: local, rootDir } = provider();
    const hostSecret = join(tmpdir(), `fk-secret-${randomUUID()}`);
    writeFileSync(hostSecret, 'host secret');
    const hostTarget = join(tmpdir(), `fk-escape-${randomUUID()}`);
    try {
      const session = await local.acquire({ template: 'code-interpreter-v1' });
      const result = await session.run({
        code: [
          'import pathlib',
          'for path in ["/etc/fragmentkit-escape", "/usr/fragmentkit-escape"]:',
          '    try:',
          '        pathlib.Path(path).write_text("x")',
          '        print("wrote", path)',
          '    except OSError as error:',
          '        print("denied", path, error.strerror)',
          `pathlib.Path("${hostTarget}").write_text("only in the sandbox's own /tmp")`,
          `print("host secret visible:", pathlib.Path("${hostSecret}").exists())`,
          'pathlib.Path("ok.txt").write_text("inside")',
        ].join('\n'),
        language: 'python',
      });
      expect(result.stdout).toBe(
        [
          'denied /etc/fragmentkit-escape Read-only file system',
          'denied /usr/fragmentkit-escape Read-only file system',
          'host secret visible: False',
          '',
        ].join('\n'),
      );
      expect(existsSync('/etc/fragmentkit-escape')).toBe(false);
      expect(existsSync(hostTarget)).toBe(false);
      expect(readFileSync(hostFile(rootDir, 'ok.txt'), 'utf8')).toBe('inside');
    } finally {
      rmSync(hostSecret, { force: true });
      rmSync(hostTarget, { force: true });
    }
  });

  it('writes files from inside the sandbox, so a planted symlink cannot redirect them', async () => {
    const { provider: local } = provider();
    const session = await local.acquire({ template: 'code-interpreter-v1' });
    const outside = join(tmpdir(), `fk-symlink-${randomUUID()}`);
    await session.run(`ln -s /etc planted && ln -s ${outside} planted-tmp`);
    await expect(session.writeFiles([{ path: 'planted/fragmentkit-escape', content: 'x' }])).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    await session.writeFiles([{ path: 'planted-tmp', content: 'replaced the link, not its target' }]);
    expect(existsSync('/etc/fragmentkit-escape')).toBe(false);
    expect(existsSync(outside)).toBe(false);
    await expect(session.writeFiles([{ path: '../escape.txt', content: 'x' }])).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('kills a runaway loop at the wall-clock limit', async () => {
    const { provider: local } = provider({ limits: { wallClockMs: 1500, cpuSeconds: 120 } });
    const session = await local.acquire({ template: 'code-interpreter-v1' });
    const result = await session.run({ code: 'while (true) {}', language: 'javascript' });
    expect(result.exitCode).toBeNull();
    expect(result.termination).toMatchObject({ reason: 'wall-clock', signal: 'SIGKILL' });
    expect(result.termination?.message).toContain('wall-clock limit of 1500 ms');
  });

  it('stops a loop at the CPU limit', async () => {
    const { provider: local } = provider({ limits: { cpuSeconds: 1, wallClockMs: 60_000 } });
    const session = await local.acquire({ template: 'code-interpreter-v1' });
    const result = await session.run({ code: 'while True:\n    pass', language: 'python' });
    expect(result.exitCode).toBeNull();
    expect(result.termination).toMatchObject({ reason: 'cpu', signal: 'SIGXCPU' });
  });

  it('stops a memory hog at the memory cap', async () => {
    const { provider: local } = provider({ limits: { memoryBytes: 256 * 1024 * 1024 } });
    const session = await local.acquire({ template: 'code-interpreter-v1' });
    const python = await session.run({
      code: 'hoard = []\nwhile True:\n    hoard.append(bytearray(10**7))',
      language: 'python',
    });
    const node = await session.run({
      code: 'const hoard = []; while (true) hoard.push(Buffer.alloc(1e7, 1));',
      language: 'javascript',
    });
    expect(python.exitCode).not.toBe(0);
    expect(python.termination?.reason).toBe('memory');
    expect(python.stderr).toContain('MemoryError');
    expect(node.exitCode).not.toBe(0);
    expect(node.termination?.reason).toBe('memory');
  });

  it('never shows host secrets to the sandboxed code', async () => {
    vi.stubEnv('FAKE_SECRET_KEY', 'sk-fragmentkit-test-secret');
    vi.stubEnv('DATABASE_URL', 'postgres://user:password@db/prod');
    try {
      const { provider: local } = provider({ env: { GREETING: 'hello' } });
      const session = await local.acquire({ template: 'code-interpreter-v1' });
      const result = await session.run('env; cat /proc/1/environ 2>/dev/null | tr "\\0" "\\n"');
      expect(result.stdout).toContain('GREETING=hello');
      expect(result.stdout).toContain('HOME=/workspace');
      expect(result.stdout).not.toContain('sk-fragmentkit-test-secret');
      expect(result.stdout).not.toContain('FAKE_SECRET_KEY');
      expect(result.stdout).not.toContain('postgres://');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('caps output with a marker and keeps draining', async () => {
    const { provider: local } = provider({ limits: { outputBytes: 1000 } });
    const session = await local.acquire({ template: 'code-interpreter-v1' });
    const seen: string[] = [];
    const result = await session.run(
      {
        code: "process.stdout.write('x'.repeat(5_000_000)); process.stderr.write('e'.repeat(10)); console.log('done')",
        language: 'javascript',
      },
      { onStdout: (chunk) => seen.push(chunk) },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stdout).toBe(`${'x'.repeat(1000)}\n[fragmentkit: output truncated after 1000 bytes]\n`);
    expect(seen.join('')).toBe(result.stdout);
    expect(result.stderr).toBe('eeeeeeeeee');
  });

  it('serves a preview through the bridge while the server still has no network', async () => {
    const { provider: local } = provider();
    const requestsBefore = targetRequests;
    const session = await local.acquire({ template: 'streamlit-developer' });
    await session.writeFiles([{ path: 'index.html', content: '<h1>preview</h1>' }]);
    const logs: string[] = [];
    const server = await session.start(
      `python3 -c "import urllib.request as u, http.server as h\ntry:\n    u.urlopen('http://127.0.0.1:${targetPort}/', timeout=2); print('reached', flush=True)\nexcept OSError as e:\n    print('blocked', flush=True)\nh.test(HandlerClass=h.SimpleHTTPRequestHandler, port=8000, bind='127.0.0.1')"`,
      { port: 8000, onStdout: (chunk) => logs.push(chunk) },
    );
    expect(server).toMatchObject({ status: 'ready', port: 8000 });
    expect(logs.join('')).toContain('blocked\n');
    if (server.status !== 'ready') return;
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(session.previewUrl(8000)).toBe(server.url);
    expect(await (await fetch(`${server.url}/index.html`)).text()).toBe('<h1>preview</h1>');
    expect(session.getSnapshot().servers).toEqual([{ port: 8000, url: server.url }]);
    expect(targetRequests).toBe(requestsBefore);
    await session.kill();
    await expect(fetch(`${server.url}/index.html`)).rejects.toThrow();
    expect(session.getSnapshot()).toMatchObject({ status: 'killed', servers: [] });
  });

  it('reports a server that exits before its port opens', async () => {
    const { provider: local } = provider();
    const session = await local.acquire({ template: 'streamlit-developer' });
    const server = await session.start('echo "bad config" >&2; exit 3', { port: 8000 });
    expect(server).toMatchObject({ status: 'exited', exitCode: 3, stderr: 'bad config\n' });
  });

  it('keeps a released session for its conversation until the TTL passes', async () => {
    let now = Date.UTC(2025, 0, 1);
    const { provider: local } = provider({ sessionTtlMs: 60_000, clock: { now: () => now } });
    const first = await local.acquire({ template: 'code-interpreter-v1', conversationId: 'c1' });
    await first.writeFiles([{ path: 'state.txt', content: 'from the first run' }]);
    await first.release();
    expect(first.getSnapshot()).toMatchObject({ status: 'kept', expiresAt: now + 60_000 });

    const second = await local.acquire({ template: 'code-interpreter-v1', conversationId: 'c1' });
    expect(second.id).toBe(first.id);
    expect((await second.run('cat state.txt')).stdout).toBe('from the first run');
    const other = await local.acquire({ template: 'code-interpreter-v1', conversationId: 'c2' });
    expect(other.id).not.toBe(first.id);

    await second.release();
    now += 60_001;
    expect(await local.sweep()).toBe(1);
    expect(second.getSnapshot().status).toBe('killed');
    const third = await local.acquire({ template: 'code-interpreter-v1', conversationId: 'c1' });
    expect(third.id).not.toBe(first.id);
  });

  it('confirms installed packages offline and explains what it cannot install', async () => {
    const { provider: local } = provider();
    const session = await local.acquire({ template: 'code-interpreter-v1' });
    const lines: string[] = [];
    const present = await session.install(['pip'], { onProgress: (line) => lines.push(line) });
    const missing = await session.install(['fragmentkit-no-such-package'], { manager: 'pip' });
    expect(present.exitCode).toBe(0);
    expect(lines).toEqual(['Already available: pip.']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('no network access');
    await expect(session.install(['left-pad; rm -rf /'], { manager: 'npm' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('stops a run when the caller aborts', async () => {
    const { provider: local } = provider();
    const session = await local.acquire({ template: 'code-interpreter-v1' });
    const controller = new AbortController();
    const running = session.run('sleep 30', { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect((await running).termination?.reason).toBe('aborted');
  });

  it('runs a code-interpreter fragment end to end', async () => {
    const { provider: local } = provider();
    const result = await runFragment(local, {
      commentary: '',
      template: 'code-interpreter-v1',
      title: 'Sum',
      description: 'Adds numbers.',
      additional_dependencies: [],
      has_additional_dependencies: false,
      install_dependencies_command: '',
      port: null,
      file_path: 'script.py',
      code: 'numbers = [1, 2, 3]\nprint(sum(numbers))\nprint(numbers[7])',
    });
    expect(result).toMatchObject({
      status: 'completed',
      exitCode: 1,
      stdout: '6\n',
      sandbox: { isolation: 'bubblewrap' },
    });
    expect(result.runtimeError).toMatchObject({ name: 'IndexError', message: 'list index out of range' });
    expect(result.runtimeError?.frames[0]).toMatchObject({ file: '/workspace/script.py', line: 3, inApp: true });
  });
});

describe('local sandbox without bubblewrap', { timeout: 30_000 }, () => {
  it('warns loudly once, flags the sessions and still runs Python and Node with a scrubbed environment', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.stubEnv('FAKE_SECRET_KEY', 'sk-fragmentkit-test-secret');
    try {
      const { provider: local } = provider({ bubblewrap: 'off' });
      const first = await local.acquire({ template: 'code-interpreter-v1' });
      const second = await local.acquire({ template: 'code-interpreter-v1' });
      expect(await local.isolation()).toBe('none');
      expect([first.isolation, second.isolation]).toEqual(['none', 'none']);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('WITHOUT ISOLATION');

      const python = await first.run({ code: 'print(6 * 7)', language: 'python' });
      const node = await first.run({
        code: 'console.log(process.env.FAKE_SECRET_KEY ?? "no secret", process.env.HOME === process.cwd())',
        language: 'javascript',
      });
      expect(python.stdout).toBe('42\n');
      expect(node.stdout).toBe('no secret true\n');
    } finally {
      warn.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('kills a runaway process group at the wall-clock limit', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { provider: local } = provider({ bubblewrap: 'off', limits: { wallClockMs: 1000 } });
    const session = await local.acquire({ template: 'code-interpreter-v1' });
    const result = await session.run('sleep 60 & while true; do :; done');
    expect(result.termination?.reason).toBe('wall-clock');
    vi.restoreAllMocks();
  });

  it('falls back when bwrap is missing in auto mode and refuses in require mode', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { provider: auto } = provider({ bubblewrapPath: '/nonexistent/bwrap' });
    expect(await auto.isolation()).toBe('none');
    expect(String(warn.mock.calls[0]?.[0])).toContain('not installed');
    const { provider: strict } = provider({ bubblewrap: 'require', bubblewrapPath: '/nonexistent/bwrap' });
    const error = await strict.acquire({ template: 'code-interpreter-v1' }).catch((caught: unknown) => caught);
    expect(FragmentkitError.isInstance(error) && error.code).toBe('SANDBOX_UNAVAILABLE');
    warn.mockRestore();
  });

  it('refuses to pass secret-looking host variables through inheritEnv', () => {
    expect(() => createLocalSandboxProvider({ inheritEnv: ['OPENAI_API_KEY'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});
