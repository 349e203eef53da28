import { FragmentkitError } from '../errors.js';
import type { Clock } from '../router/clock.js';
import { fragmentRunPlan, shellQuote } from '../sandbox/fragmentRunPlans.js';
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
import { toE2BError } from './e2bErrors.js';
import type { E2BBackgroundCommand, E2BCommandOutcome, E2BSandboxHandle } from './e2bSdk.js';
import type { E2BTemplateOptions } from './e2bTemplates.js';

/** What an E2B session needs from its provider. */
export interface E2BSessionContext {
  clock: Clock;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  outputBytes: number;
  runTimeoutMs: number;
  installTimeoutMs: number;
  startTimeoutMs: number;
  keep(session: E2BSandboxSession): Promise<void>;
  forget(session: E2BSandboxSession): void;
}

const portPollMs = 500;

/** A session over one E2B sandbox. */
export class E2BSandboxSession implements SandboxSession {
  readonly id: string;
  readonly template: string;
  readonly isolation = 'microvm' as const;
  readonly handle: E2BSandboxHandle;
  readonly conversationId: string | undefined;
  private readonly options: E2BTemplateOptions;
  private readonly context: E2BSessionContext;
  private readonly state: SessionState;
  private readonly servers = new Map<number, { url: string; command: string; process?: E2BBackgroundCommand }>();
  private ttlUntil = 0;
  private snippets = 0;
  private running = 0;
  private killed = false;

  constructor(input: {
    handle: E2BSandboxHandle;
    template: string;
    options: E2BTemplateOptions;
    conversationId: string | undefined;
    context: E2BSessionContext;
  }) {
    this.handle = input.handle;
    this.id = input.handle.sandboxId;
    this.template = input.template;
    this.options = input.options;
    this.conversationId = input.conversationId;
    this.context = input.context;
    this.state = createSessionState({
      id: this.id,
      template: this.template,
      isolation: this.isolation,
      status: 'ready',
      servers: [],
    });
  }

  getSnapshot(): SandboxSessionSnapshot {
    return this.state.getSnapshot();
  }

  subscribe(listener: () => void): () => void {
    return this.state.subscribe(listener);
  }

  /** Hands a kept session out again. */
  reacquire(): void {
    this.state.update({ status: 'ready', expiresAt: undefined });
  }

  /** Marks the session kept until `expiresAt`. */
  markKept(expiresAt: number): void {
    this.state.update({ status: 'kept', expiresAt: Math.max(expiresAt, this.ttlUntil) });
  }

  async writeFiles(files: readonly SandboxFile[], options: { signal?: AbortSignal } = {}): Promise<void> {
    const checked = files.map((file) => ({ path: normalizeSandboxPath(file.path), content: String(file.content) }));
    await this.writeInternal(checked, options.signal);
  }

  async install(packages: readonly string[], options: SandboxInstallOptions = {}): Promise<SandboxCommandResult> {
    this.assertAlive();
    const manager: PackageManager = options.manager ?? fragmentRunPlan(this.template)?.packageManager ?? 'pip';
    const specs = packages.map((entry) => parsePackageSpec(entry, manager).spec);
    if (specs.length === 0) return { exitCode: 0, stdout: '', stderr: '' };
    const command =
      manager === 'pip'
        ? `pip install --no-input --progress-bar off ${specs.map(shellQuote).join(' ')}`
        : `npm install --no-fund --no-audit --no-progress ${specs.map(shellQuote).join(' ')}`;
    const onLine = options.onProgress;
    const forward = onLine
      ? (chunk: string) => {
          for (const line of chunk.split('\n')) if (line.trim()) onLine(line);
        }
      : undefined;
    return this.command(command, {
      timeoutMs: options.timeoutMs ?? this.context.installTimeoutMs,
      ...(forward ? { onStdout: forward, onStderr: forward } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async run(command: string | SandboxCode, options: SandboxRunOptions = {}): Promise<SandboxRunResult> {
    this.assertAlive();
    const timeoutMs = options.timeoutMs ?? this.context.runTimeoutMs;
    if (typeof command === 'string') return this.command(command, { ...options, timeoutMs });
    if (this.options.codeInterpreter && this.handle.runCode) return this.runCell(command, { ...options, timeoutMs });
    if (command.language !== 'python' && command.language !== 'javascript') {
      throw new FragmentkitError('INVALID_REQUEST', `Cannot run ${JSON.stringify(command.language)} snippets here.`, {
        details: { language: command.language },
      });
    }
    this.snippets += 1;
    const path =
      command.path === undefined
        ? `${reservedSandboxFolder}/snippets/${this.snippets}.${command.language === 'python' ? 'py' : 'js'}`
        : normalizeSandboxPath(command.path);
    await this.writeInternal([{ path, content: command.code }], options.signal);
    const interpreter = command.language === 'python' ? 'python3' : 'node';
    return this.command(`${interpreter} ${shellQuote(path)}`, { ...options, timeoutMs });
  }

  async start(command: string, options: SandboxStartOptions): Promise<SandboxStartResult> {
    this.assertAlive();
    const { port } = options;
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new FragmentkitError('INVALID_REQUEST', `Port must be a whole number from 1 to 65535; got ${port}.`, {
        details: { port },
      });
    }
    const url = this.previewUrlOf(port);
    const existing = this.servers.get(port);
    if (existing && existing.command === command) return { status: 'ready', port, url };
    // The template's start command already serves this port and reloads changed files.
    if (this.options.servesPort === port) {
      this.servers.set(port, { url, command });
      this.publishServers();
      return { status: 'ready', port, url };
    }
    if (existing?.process) await existing.process.kill().catch(() => undefined);

    let server: E2BBackgroundCommand;
    try {
      server = await this.handle.startCommand(command, {
        cwd: this.options.workDir,
        ...(options.env ? { envs: options.env } : {}),
        ...(options.onStdout ? { onStdout: options.onStdout } : {}),
        ...(options.onStderr ? { onStderr: options.onStderr } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      throw toE2BError(error, 'start');
    }
    let exited: E2BCommandOutcome | undefined;
    void server.wait().then(
      (outcome) => {
        exited = outcome;
      },
      () => {
        exited = { exitCode: 1, stdout: '', stderr: 'The server command failed.' };
      },
    );
    const timeoutMs = options.timeoutMs ?? this.context.startTimeoutMs;
    const deadline = this.context.clock.now() + timeoutMs;
    for (;;) {
      if (exited) return { status: 'exited', port, ...this.capped(exited) };
      const probe = await this.handle
        .runCommand(`timeout 2 bash -c '</dev/tcp/127.0.0.1/${port}'`, { timeoutMs: 5_000 })
        .catch(() => undefined);
      if (probe?.exitCode === 0) break;
      if (options.signal?.aborted) {
        await server.kill().catch(() => undefined);
        throw new FragmentkitError('ABORTED', 'Starting the server was aborted.', { cause: options.signal.reason });
      }
      if (this.context.clock.now() >= deadline) {
        await server.kill().catch(() => undefined);
        throw new FragmentkitError(
          'SANDBOX_TIMEOUT',
          `The server did not accept connections on port ${port} within ${timeoutMs} ms.`,
          { details: { port, timeoutMs, sandboxId: this.id } },
        );
      }
      await this.context.sleep(portPollMs, options.signal).catch(() => undefined);
    }
    this.servers.set(port, { url, command, process: server });
    this.publishServers();
    return { status: 'ready', port, url };
  }

  previewUrl(port: number): string {
    return this.previewUrlOf(port);
  }

  async extendTtl(ms: number): Promise<void> {
    this.assertAlive();
    this.ttlUntil = Math.max(this.ttlUntil, this.context.clock.now() + ms);
    try {
      await this.handle.setTimeout(ms);
    } catch (error) {
      throw toE2BError(error, 'setTimeout');
    }
    const { expiresAt } = this.state.getSnapshot();
    if (expiresAt !== undefined) this.state.update({ expiresAt: Math.max(expiresAt, this.ttlUntil) });
  }

  async release(): Promise<void> {
    if (this.killed) return;
    if (this.conversationId === undefined) return this.kill();
    await this.context.keep(this);
  }

  async kill(): Promise<void> {
    if (this.killed) return;
    this.killed = true;
    this.context.forget(this);
    this.servers.clear();
    this.state.update({ status: 'killed', servers: [], expiresAt: undefined });
    await this.handle.kill().catch(() => undefined);
  }

  private previewUrlOf(port: number): string {
    return `https://${this.handle.getHost(port)}`;
  }

  private assertAlive(): void {
    if (this.killed) {
      throw new FragmentkitError('SANDBOX_UNAVAILABLE', `Sandbox ${this.id} was killed; acquire a new one.`, {
        details: { sandboxId: this.id },
      });
    }
  }

  private publishServers(): void {
    this.state.update({ servers: [...this.servers].map(([port, server]) => ({ port, url: server.url })) });
  }

  private async writeInternal(files: readonly SandboxFile[], signal: AbortSignal | undefined): Promise<void> {
    this.assertAlive();
    if (files.length === 0) return;
    try {
      await this.handle.writeFiles(
        files.map((file) => ({ path: `${this.options.workDir}/${file.path}`, data: file.content })),
        signal ? { signal } : {},
      );
    } catch (error) {
      throw toE2BError(error, 'files.write');
    }
  }

  private async busy<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    this.state.update({ status: 'busy' });
    try {
      return await work();
    } finally {
      this.running -= 1;
      if (!this.killed && this.running === 0) this.state.update({ status: 'ready' });
    }
  }

  private command(command: string, options: SandboxRunOptions): Promise<SandboxCommandResult> {
    return this.busy(async () => {
      const seen = { stdout: '', stderr: '' };
      try {
        const outcome = await this.handle.runCommand(command, {
          cwd: this.options.workDir,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          ...(options.env ? { envs: options.env } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          onStdout: (data) => {
            seen.stdout += data;
            options.onStdout?.(data);
          },
          onStderr: (data) => {
            seen.stderr += data;
            options.onStderr?.(data);
          },
        });
        return this.capped(outcome);
      } catch (error) {
        const mapped = toE2BError(error, 'commands.run');
        if (mapped.code !== 'SANDBOX_TIMEOUT') throw mapped;
        return {
          ...this.capped({ exitCode: 0, stdout: seen.stdout, stderr: seen.stderr }),
          exitCode: null,
          termination: {
            reason: 'wall-clock',
            message: `Stopped after the wall-clock limit of ${options.timeoutMs} ms.`,
          },
        };
      }
    });
  }

  private runCell(code: SandboxCode, options: SandboxRunOptions & { timeoutMs: number }): Promise<SandboxRunResult> {
    return this.busy(async () => {
      const runCode = this.handle.runCode as NonNullable<E2BSandboxHandle['runCode']>;
      try {
        const execution = await runCode(code.code, {
          language: code.language,
          timeoutMs: options.timeoutMs,
          ...(options.env ? { envs: options.env } : {}),
          ...(options.onStdout ? { onStdout: options.onStdout } : {}),
          ...(options.onStderr ? { onStderr: options.onStderr } : {}),
        });
        return {
          ...this.capped({
            exitCode: execution.error ? 1 : 0,
            stdout: execution.stdout.join(''),
            stderr: execution.stderr.join(''),
          }),
          results: execution.results,
          ...(execution.error ? { error: execution.error } : {}),
        };
      } catch (error) {
        const mapped = toE2BError(error, 'runCode');
        if (mapped.code !== 'SANDBOX_TIMEOUT') throw mapped;
        return {
          exitCode: null,
          stdout: '',
          stderr: '',
          termination: {
            reason: 'wall-clock',
            message: `Stopped after the wall-clock limit of ${options.timeoutMs} ms.`,
          },
        };
      }
    });
  }

  private capped(outcome: E2BCommandOutcome): SandboxCommandResult {
    const limit = this.context.outputBytes;
    const cut = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      if (bytes.length <= limit) return { text, truncated: false };
      const kept = new TextDecoder().decode(bytes.subarray(0, limit)).replace(/\uFFFD$/, '');
      return { text: `${kept}\n[fragmentkit: output truncated after ${limit} bytes]\n`, truncated: true };
    };
    const stdout = cut(outcome.stdout);
    const stderr = cut(outcome.stderr);
    return {
      exitCode: outcome.exitCode,
      stdout: stdout.text,
      stderr: stderr.text,
      ...(stdout.truncated ? { stdoutTruncated: true } : {}),
      ...(stderr.truncated ? { stderrTruncated: true } : {}),
    };
  }
}
