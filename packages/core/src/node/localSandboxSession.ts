import { rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { FragmentkitError } from '../errors.js';
import type { Clock } from '../router/clock.js';
import { fragmentRunPlan } from '../sandbox/fragmentRunPlans.js';
import { parsePackageSpec } from '../sandbox/packageSpec.js';
import { normalizeSandboxPath, reservedSandboxFolder } from '../sandbox/sandboxPath.js';
import type {
  PackageManager,
  SandboxCode,
  SandboxCommandResult,
  SandboxFile,
  SandboxInstallOptions,
  SandboxRunOptions,
  SandboxRunResult,
  SandboxSession,
  SandboxSessionSnapshot,
  SandboxStartOptions,
  SandboxStartResult,
} from '../sandbox/sandboxProvider.js';
import { createSessionState, type SessionState } from '../sandbox/sessionState.js';
import type { MountPlan } from './bubblewrap.js';
import { createHostProxy, type HostProxy, portBridgeSource, waitForSocket } from './portBridge.js';
import type { Runtime } from './runtimes.js';
import { buildSandboxEnvironment } from './sandboxEnvironment.js';
import { type ProcessLimits, type SandboxProcess, spawnSandboxProcess } from './sandboxProcess.js';
import { missingNodePackagesSource, missingPythonPackagesSource, writeFileScript } from './sandboxScripts.js';

/** Everything a local session shares with its provider. */
export interface LocalSandboxContext {
  isolation: 'bubblewrap' | 'none';
  bubblewrapPath: string;
  limits: {
    wallClockMs: number;
    cpuSeconds: number;
    serverCpuSeconds: number;
    memoryBytes: number;
    outputBytes: number;
    fileBytes: number;
    installTimeoutMs: number;
  };
  node: Runtime;
  python: Runtime | undefined;
  pythonCommand: string;
  env: Readonly<Record<string, string>>;
  inheritEnv: readonly string[];
  allowNetworkForInstall: boolean;
  startTimeoutMs: number;
  sessionTtlMs: number;
  clock: Clock;
  mountPlanFor(hostWorkDir: string): MountPlan | undefined;
  keep(session: LocalSandboxSession, conversationId: string): void;
  forget(session: LocalSandboxSession): void;
}

interface RunningServer {
  process: SandboxProcess;
  proxy: HostProxy;
  url: string;
  command: string;
}

const insideWorkDir = '/workspace';
const pythonPackagesFolder = `${reservedSandboxFolder}/python`;
const maxSocketPathLength = 100;

/**
 * A session of the local sandbox: a private work directory on the host and, per command, a
 * fresh sandboxed process (bubblewrap or a plain child process). Commands of one session share
 * the work directory only; each runs in namespaces of its own.
 */
export class LocalSandboxSession implements SandboxSession {
  readonly id: string;
  readonly template: string;
  readonly isolation: 'bubblewrap' | 'none';
  readonly hostWorkDir: string;
  private readonly context: LocalSandboxContext;
  private readonly conversationId: string | undefined;
  private readonly state: SessionState;
  private readonly processes = new Set<SandboxProcess>();
  private readonly servers = new Map<number, RunningServer>();
  private readonly mountPlan: MountPlan | undefined;
  private running = 0;
  private snippets = 0;
  private ttlUntil = 0;
  private killed = false;

  constructor(input: {
    id: string;
    template: string;
    hostWorkDir: string;
    conversationId: string | undefined;
    context: LocalSandboxContext;
  }) {
    this.id = input.id;
    this.template = input.template;
    this.hostWorkDir = input.hostWorkDir;
    this.conversationId = input.conversationId;
    this.context = input.context;
    this.isolation = input.context.isolation;
    this.mountPlan = input.context.mountPlanFor(input.hostWorkDir);
    this.state = createSessionState({
      id: this.id,
      template: this.template,
      isolation: this.isolation,
      status: 'ready',
      servers: [],
    });
  }

  /** The work directory as the sandboxed processes see it. */
  get workDir(): string {
    return this.isolation === 'bubblewrap' ? insideWorkDir : this.hostWorkDir;
  }

  getSnapshot(): SandboxSessionSnapshot {
    return this.state.getSnapshot();
  }

  subscribe(listener: () => void): () => void {
    return this.state.subscribe(listener);
  }

  /** Hands a kept session out again. */
  reacquire(): void {
    this.state.update({ status: this.running > 0 ? 'busy' : 'ready', expiresAt: undefined });
  }

  async writeFiles(files: readonly SandboxFile[], options: { signal?: AbortSignal } = {}): Promise<void> {
    const checked = files.map((file) => ({ path: normalizeSandboxPath(file.path), content: String(file.content) }));
    await this.writeInternal(checked, options.signal);
  }

  async install(packages: readonly string[], options: SandboxInstallOptions = {}): Promise<SandboxCommandResult> {
    this.assertAlive();
    const manager: PackageManager =
      options.manager ?? fragmentRunPlan(this.template)?.packageManager ?? ('pip' as PackageManager);
    const specs = packages.map((entry) => parsePackageSpec(entry, manager));
    if (specs.length === 0) return { exitCode: 0, stdout: '', stderr: '' };
    const lines = lineSplitter(options.onProgress);
    const timeoutMs = Math.min(
      options.timeoutMs ?? this.context.limits.installTimeoutMs,
      this.context.limits.installTimeoutMs,
    );
    const common = {
      wallClockMs: timeoutMs,
      cpuSeconds: Math.ceil(timeoutMs / 1000),
      onStdout: lines.stdout,
      onStderr: lines.stderr,
      ...(options.signal ? { signal: options.signal } : {}),
    };

    if (!this.context.allowNetworkForInstall) {
      const names = specs.map((spec) => spec.name);
      const check =
        manager === 'pip'
          ? await this.pythonArgv(['-c', missingPythonPackagesSource, ...names])
          : [this.context.node.executable, '-e', missingNodePackagesSource, ...names];
      if (!check) return pythonMissing(this.context.pythonCommand);
      const result = await this.execute(check, { ...common, network: false, onStdout: undefined });
      const missing = parseMissing(result.stdout);
      if (result.exitCode === 0 && missing?.length === 0) {
        const message = `Already available: ${names.join(', ')}.\n`;
        options.onProgress?.(message.trim());
        return { exitCode: 0, stdout: message, stderr: '' };
      }
      const message =
        `Cannot install ${(missing ?? names).join(', ')}: the local sandbox has no network access. ` +
        'Install them on the host beforehand, or create the provider with `allowNetworkForInstall: true` ' +
        '(the install step then runs with network; the code itself never does).\n';
      options.onProgress?.(message.trim());
      return { exitCode: 1, stdout: '', stderr: `${result.stderr}${message}` };
    }

    const argv =
      manager === 'pip'
        ? await this.pythonArgv([
            '-m',
            'pip',
            'install',
            '--no-input',
            '--progress-bar',
            'off',
            '--target',
            pythonPackagesFolder,
            ...specs.map((spec) => spec.spec),
          ])
        : ['npm', 'install', '--no-fund', '--no-audit', '--no-progress', ...specs.map((spec) => spec.spec)];
    if (!argv) return pythonMissing(this.context.pythonCommand);
    const result = await this.execute(argv, { ...common, network: true });
    lines.flush();
    return result;
  }

  async run(command: string | SandboxCode, options: SandboxRunOptions = {}): Promise<SandboxRunResult> {
    this.assertAlive();
    let argv: string[] | undefined;
    if (typeof command === 'string') {
      argv = ['/bin/sh', '-c', command];
    } else if (command.language === 'python' || command.language === 'javascript') {
      const path = this.snippetPath(command);
      await this.writeInternal([{ path, content: command.code }], options.signal);
      argv =
        command.language === 'python'
          ? await this.pythonArgv([path])
          : [this.context.node.executable, '--experimental-detect-module', path];
      if (!argv) return pythonMissing(this.context.pythonCommand);
    } else {
      throw new FragmentkitError(
        'INVALID_REQUEST',
        `The local sandbox runs python and javascript snippets, not ${JSON.stringify((command as SandboxCode).language)}.`,
        { details: { language: (command as SandboxCode).language } },
      );
    }
    const limit = this.context.limits.wallClockMs;
    return this.execute(argv, {
      network: false,
      wallClockMs: Math.min(options.timeoutMs ?? limit, limit),
      cpuSeconds: this.context.limits.cpuSeconds,
      ...(options.onStdout ? { onStdout: options.onStdout } : {}),
      ...(options.onStderr ? { onStderr: options.onStderr } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
  }

  async start(command: string, options: SandboxStartOptions): Promise<SandboxStartResult> {
    this.assertAlive();
    const { port } = options;
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new FragmentkitError('INVALID_REQUEST', `Port must be a whole number from 1 to 65535; got ${port}.`, {
        details: { port },
      });
    }
    const existing = this.servers.get(port);
    // Dev servers reload changed files themselves; the same command keeps serving.
    if (existing && !existing.process.exited && existing.command === command) {
      return { status: 'ready', port, url: existing.url };
    }
    if (existing) await this.stopServer(port);

    const socketName = `${reservedSandboxFolder}/port-${port}.sock`;
    const hostSocket = join(this.hostWorkDir, socketName);
    if (hostSocket.length > maxSocketPathLength) {
      throw new FragmentkitError(
        'INVALID_REQUEST',
        `The sandbox root folder is too deep for a Unix socket (${hostSocket.length} characters); use a shorter rootDir.`,
        { details: { path: hostSocket } },
      );
    }
    await rm(hostSocket, { force: true });
    const argv = [this.context.node.executable, '-e', portBridgeSource, socketName, String(port), command];
    const server = this.spawn(argv, {
      network: false,
      wallClockMs: undefined,
      cpuSeconds: this.context.limits.serverCpuSeconds,
      ...(options.onStdout ? { onStdout: options.onStdout } : {}),
      ...(options.onStderr ? { onStderr: options.onStderr } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    const timeoutMs = options.timeoutMs ?? this.context.startTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const ready = await waitForSocket(
      hostSocket,
      () => server.exited || Date.now() > deadline || options.signal?.aborted === true || this.killed,
    );
    if (!ready) {
      if (server.exited) return { status: 'exited', port, ...(await server.result) };
      server.kill(options.signal?.aborted ? 'aborted' : 'wall-clock');
      const output = await server.result;
      if (options.signal?.aborted) {
        throw new FragmentkitError('ABORTED', 'Starting the server was aborted.', { cause: options.signal.reason });
      }
      throw new FragmentkitError(
        'SANDBOX_TIMEOUT',
        `The server did not accept connections on port ${port} within ${timeoutMs} ms.`,
        { details: { port, timeoutMs, stdout: output.stdout.slice(-2000), stderr: output.stderr.slice(-2000) } },
      );
    }
    const proxy = await createHostProxy(hostSocket);
    const url = `http://127.0.0.1:${proxy.port}`;
    this.servers.set(port, { process: server, proxy, url, command });
    this.publishServers();
    void server.result.then(() => {
      if (this.servers.get(port)?.process === server) void this.stopServer(port);
    });
    return { status: 'ready', port, url };
  }

  previewUrl(port: number): string {
    const server = this.servers.get(port);
    if (!server) {
      throw new FragmentkitError(
        'NOT_FOUND',
        `No server is running on port ${port} in sandbox ${this.id}; start one first.`,
        {
          details: { port, sandboxId: this.id },
        },
      );
    }
    return server.url;
  }

  async extendTtl(ms: number): Promise<void> {
    this.ttlUntil = Math.max(this.ttlUntil, this.context.clock.now() + ms);
    const { expiresAt } = this.state.getSnapshot();
    if (expiresAt !== undefined) this.state.update({ expiresAt: Math.max(expiresAt, this.ttlUntil) });
  }

  async release(): Promise<void> {
    if (this.killed) return;
    if (this.conversationId === undefined) return this.kill();
    const expiresAt = Math.max(this.context.clock.now() + this.context.sessionTtlMs, this.ttlUntil);
    this.state.update({ status: 'kept', expiresAt });
    this.context.keep(this, this.conversationId);
  }

  async kill(): Promise<void> {
    if (this.killed) return;
    this.killed = true;
    this.context.forget(this);
    for (const child of this.processes) child.kill('signal');
    await Promise.all([...this.servers.keys()].map((port) => this.stopServer(port)));
    await Promise.all([...this.processes].map((child) => child.result));
    await rm(this.hostWorkDir, { recursive: true, force: true });
    this.state.update({ status: 'killed', servers: [], expiresAt: undefined });
  }

  private assertAlive(): void {
    if (this.killed) {
      throw new FragmentkitError('SANDBOX_UNAVAILABLE', `Sandbox ${this.id} was killed; acquire a new one.`, {
        details: { sandboxId: this.id },
      });
    }
  }

  private async stopServer(port: number): Promise<void> {
    const server = this.servers.get(port);
    if (!server) return;
    this.servers.delete(port);
    server.process.kill('signal');
    await server.proxy.close();
    this.publishServers();
  }

  private publishServers(): void {
    this.state.update({ servers: [...this.servers].map(([port, server]) => ({ port, url: server.url })) });
  }

  /**
   * Writes each file with `sh` inside the sandbox, never from the host: a symlink the sandboxed
   * code planted in the work directory can then only lead where the sandbox may write anyway.
   */
  private async writeInternal(files: readonly SandboxFile[], signal: AbortSignal | undefined): Promise<void> {
    this.assertAlive();
    for (const file of files) {
      const result = await this.execute(['/bin/sh', '-c', writeFileScript, 'sh', file.path], {
        network: false,
        wallClockMs: 60_000,
        cpuSeconds: 60,
        stdin: file.content,
        ...(signal ? { signal } : {}),
      });
      if (result.exitCode === 0) continue;
      if (signal?.aborted)
        throw new FragmentkitError('ABORTED', 'Writing files was aborted.', { cause: signal.reason });
      throw new FragmentkitError(
        'INTERNAL',
        `Writing ${file.path} into sandbox ${this.id} failed: ${result.stderr.trim()}`,
        {
          details: { sandboxId: this.id, path: file.path },
        },
      );
    }
  }

  private snippetPath(code: SandboxCode): string {
    if (code.path !== undefined) return normalizeSandboxPath(code.path);
    this.snippets += 1;
    return `${reservedSandboxFolder}/snippets/${this.snippets}.${code.language === 'python' ? 'py' : 'js'}`;
  }

  private async pythonArgv(args: readonly string[]): Promise<string[] | undefined> {
    return this.context.python ? [this.context.python.executable, ...args] : undefined;
  }

  private async execute(
    argv: readonly string[],
    options: Parameters<LocalSandboxSession['spawn']>[1],
  ): Promise<SandboxCommandResult> {
    this.running += 1;
    this.state.update({ status: 'busy' });
    try {
      return await this.spawn(argv, options).result;
    } finally {
      this.running -= 1;
      if (!this.killed && this.running === 0) this.state.update({ status: 'ready' });
    }
  }

  private spawn(
    argv: readonly string[],
    options: {
      network: boolean;
      wallClockMs: number | undefined;
      cpuSeconds: number;
      stdin?: string;
      signal?: AbortSignal;
      env?: Readonly<Record<string, string>>;
      onStdout?: ((text: string) => void) | undefined;
      onStderr?: ((text: string) => void) | undefined;
    },
  ): SandboxProcess {
    const { limits, node, python } = this.context;
    const processLimits: ProcessLimits = {
      cpuSeconds: options.cpuSeconds,
      memoryBytes: limits.memoryBytes,
      fileBytes: limits.fileBytes,
      outputBytes: limits.outputBytes,
    };
    const workDir = this.workDir;
    const env = buildSandboxEnvironment({
      home: workDir,
      path: [...(python ? [python.binDir] : []), node.binDir, '/usr/local/bin', '/usr/bin', '/bin'],
      inherit: this.context.inheritEnv,
      extra: {
        PYTHONPATH: posix.join(workDir, pythonPackagesFolder),
        ...this.context.env,
        ...options.env,
      },
    });
    const child = spawnSandboxProcess({
      isolation: this.isolation,
      bubblewrapPath: this.context.bubblewrapPath,
      mountPlan: this.mountPlan,
      cwd: workDir,
      argv,
      env,
      network: options.network,
      limits: processLimits,
      wallClockMs: options.wallClockMs,
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onStdout ? { onStdout: options.onStdout } : {}),
      ...(options.onStderr ? { onStderr: options.onStderr } : {}),
    });
    this.processes.add(child);
    void child.result.then(() => this.processes.delete(child));
    return child;
  }
}

function pythonMissing(command: string): SandboxRunResult {
  return {
    exitCode: 127,
    stdout: '',
    stderr: `Python (${command}) was not found on this machine; install Python 3 or pass the \`python\` option.\n`,
  };
}

function parseMissing(stdout: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
    return Array.isArray(parsed) ? parsed.map(String) : undefined;
  } catch {
    return undefined;
  }
}

/** Turns output chunks into whole lines for `onProgress`. */
function lineSplitter(onLine: ((line: string) => void) | undefined) {
  const pending = { stdout: '', stderr: '' };
  const feed = (stream: 'stdout' | 'stderr') => (text: string) => {
    if (!onLine) return;
    const lines = (pending[stream] + text).split('\n');
    pending[stream] = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  };
  return {
    stdout: feed('stdout'),
    stderr: feed('stderr'),
    flush() {
      for (const stream of ['stdout', 'stderr'] as const) {
        if (pending[stream].trim()) onLine?.(pending[stream]);
        pending[stream] = '';
      }
    },
  };
}
