import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FragmentkitError } from '../errors.js';
import { type Clock, systemClock } from '../router/clock.js';
import { reservedSandboxFolder } from '../sandbox/sandboxPath.js';
import type { SandboxAcquireOptions, SandboxIsolation, SandboxProvider } from '../sandbox/sandboxProvider.js';
import { bubblewrapHowTo, detectBubblewrap, planMounts } from './bubblewrap.js';
import { type LocalSandboxContext, LocalSandboxSession } from './localSandboxSession.js';
import { resolveNodeRuntime, resolvePythonRuntime } from './runtimes.js';
import { buildSandboxEnvironment } from './sandboxEnvironment.js';

/**
 * Resource limits of the local sandbox.
 *
 * @example
 * ```ts
 * const limits: Partial<LocalSandboxLimits> = { wallClockMs: 10_000, memoryBytes: 256 * 1024 * 1024 };
 * ```
 */
export interface LocalSandboxLimits {
  /** Wall-clock limit of a run; the process group is SIGKILLed when it passes. Default 30 s. */
  wallClockMs: number;
  /** CPU seconds of a run (RLIMIT_CPU: SIGXCPU, then SIGKILL a second later). Default 30. */
  cpuSeconds: number;
  /** CPU seconds of a server started with `start()`. Default 600. */
  serverCpuSeconds: number;
  /** Memory of each process (RLIMIT_DATA: heap and private writable mappings). Default 1 GiB. */
  memoryBytes: number;
  /** Bytes of stdout and of stderr kept per process; the rest is drained and dropped. Default 1 MiB. */
  outputBytes: number;
  /** Largest file a process may write (RLIMIT_FSIZE). Default 128 MiB. */
  fileBytes: number;
  /** Wall-clock limit of `install()`. Default 5 min. */
  installTimeoutMs: number;
}

/**
 * The defaults of {@link LocalSandboxLimits}.
 *
 * @example
 * ```ts
 * import { createLocalSandboxProvider, defaultLocalSandboxLimits } from '@fragmentkit/core/node';
 * createLocalSandboxProvider({ limits: { wallClockMs: defaultLocalSandboxLimits.wallClockMs * 2 } });
 * ```
 */
export const defaultLocalSandboxLimits: Readonly<LocalSandboxLimits> = Object.freeze({
  wallClockMs: 30_000,
  cpuSeconds: 30,
  serverCpuSeconds: 600,
  memoryBytes: 1024 * 1024 * 1024,
  outputBytes: 1024 * 1024,
  fileBytes: 128 * 1024 * 1024,
  installTimeoutMs: 300_000,
});

/**
 * Options of {@link createLocalSandboxProvider}.
 *
 * @example
 * ```ts
 * const options: LocalSandboxProviderOptions = {
 *   bubblewrap: 'require',
 *   limits: { wallClockMs: 10_000, memoryBytes: 512 * 1024 * 1024 },
 *   env: { MPLBACKEND: 'Agg' },
 * };
 * ```
 */
export interface LocalSandboxProviderOptions {
  /** Where session work directories are created. Default: `<os tmpdir>/fragmentkit-sandboxes`. */
  rootDir?: string;
  /**
   * `auto` (default): bubblewrap when it works, else a plain child process with a loud warning.
   * `require`: `acquire` fails with `SANDBOX_UNAVAILABLE` without bubblewrap. `off`: always a
   * plain child process (trusted code only).
   */
  bubblewrap?: 'auto' | 'require' | 'off';
  /** Default `bwrap` (looked up on PATH). */
  bubblewrapPath?: string;
  limits?: Partial<LocalSandboxLimits>;
  /** Variables set for every sandboxed process. Nothing of the host's environment is inherited otherwise. */
  env?: Record<string, string>;
  /** Host variables to pass through by name; names that look like credentials are refused. */
  inheritEnv?: string[];
  /** The Python command to use. Default `python3`. */
  python?: string;
  /** More host folders the sandbox may read, e.g. a folder of preinstalled packages. */
  readOnlyPaths?: string[];
  /**
   * Lets `install()` reach the network (package registries). The code itself never gets
   * network access. Default false: `install()` then only confirms packages are already there.
   */
  allowNetworkForInstall?: boolean;
  /** How long a session released with a conversation id is kept. Default 15 min. */
  sessionTtlMs?: number;
  /** How long `start()` waits for a server's port. Default 60 s. */
  startTimeoutMs?: number;
  /** For the session TTL. Default {@link systemClock}. */
  clock?: Clock;
}

/**
 * The local sandbox provider, see {@link createLocalSandboxProvider}.
 *
 * @example
 * ```ts
 * const provider: LocalSandboxProvider = createLocalSandboxProvider();
 * if ((await provider.isolation()) === 'none') console.warn('running without isolation');
 * ```
 */
export interface LocalSandboxProvider extends SandboxProvider {
  /** How sessions are isolated on this machine (detects bubblewrap on first call). */
  isolation(): Promise<SandboxIsolation>;
  /** Kills kept sessions whose TTL has passed. @returns how many were killed. */
  sweep(): Promise<number>;
  /** Kills every session and stops the TTL timer. */
  close(): Promise<void>;
}

interface Setup {
  context: LocalSandboxContext;
  rootDir: string;
}

/**
 * Creates a sandbox provider that runs Python and Node code, scripts and dev servers on this
 * machine. With bubblewrap (`bwrap`, Linux) each process gets its own user, PID, IPC, UTS and
 * network namespaces (no network at all), a read-only view of the system folders with home
 * folders, `/root`, `/var` and credentials hidden, a private `/tmp`, and the session's work
 * directory mounted at `/workspace` as the only writable place. Without bubblewrap it falls
 * back to a plain child process and says so loudly: `console.warn` once and `isolation: 'none'`
 * on every session. Every process also runs under CPU, memory, file-size, wall-clock and output
 * limits with an environment built from an allowlist (no host secrets).
 *
 * Servers started with `start()` keep their own network namespace; a small bridge inside the
 * sandbox forwards a Unix socket in the work directory to the server's port, and the host
 * exposes that socket on `127.0.0.1` only. So a preview is reachable from this machine while
 * the server still cannot reach the network or the host's loopback services.
 *
 * @example
 * ```ts
 * import { runFragment } from '@fragmentkit/core';
 * import { createLocalSandboxProvider } from '@fragmentkit/core/node';
 *
 * const provider = createLocalSandboxProvider({ bubblewrap: 'require', limits: { wallClockMs: 10_000 } });
 * const result = await runFragment(provider, fragment, { conversationId });
 * console.log(result.stdout, result.runtimeError);
 * process.on('SIGTERM', () => void provider.close());
 * ```
 */
export function createLocalSandboxProvider(options: LocalSandboxProviderOptions = {}): LocalSandboxProvider {
  const limits = resolveLimits(options.limits);
  const clock = options.clock ?? systemClock;
  const sessionTtlMs = positive('sessionTtlMs', options.sessionTtlMs ?? 15 * 60_000);
  const startTimeoutMs = positive('startTimeoutMs', options.startTimeoutMs ?? 60_000);
  const mode = options.bubblewrap ?? 'auto';
  const bubblewrapPath = options.bubblewrapPath ?? 'bwrap';
  // Fails fast on invalid or secret-looking variable names instead of on the first run.
  buildSandboxEnvironment({ home: '/', path: [], inherit: options.inheritEnv ?? [], extra: options.env ?? {} });
  const kept = new Map<string, LocalSandboxSession>();
  const live = new Set<LocalSandboxSession>();
  let setup: Promise<Setup> | undefined;
  let sweepTimer: ReturnType<typeof setInterval> | undefined;
  let warned = false;
  let closed = false;

  async function prepare(): Promise<Setup> {
    const status = mode === 'off' ? undefined : await detectBubblewrap(bubblewrapPath);
    const isolation = status?.available ? 'bubblewrap' : 'none';
    if (mode === 'require' && isolation === 'none') {
      throw new FragmentkitError(
        'SANDBOX_UNAVAILABLE',
        `The local sandbox requires bubblewrap, which is not usable here: ${status && !status.available ? status.reason : bubblewrapHowTo}`,
        { details: { provider: 'local', bubblewrap: 'require' } },
      );
    }
    if (isolation === 'none' && !warned) {
      warned = true;
      console.warn(
        `[fragmentkit] WARNING: the local sandbox runs code WITHOUT ISOLATION (plain child processes): sandboxed code can read your files, use the network and reach local services. ${
          status && !status.available ? status.reason : 'bubblewrap was turned off.'
        } Only run trusted code this way, or use bubblewrap: 'require' or the E2B provider.`,
      );
    }
    const pythonCommand = options.python ?? 'python3';
    const [python, rootDir] = await Promise.all([
      resolvePythonRuntime(pythonCommand),
      (async () => {
        const path = options.rootDir ?? join(tmpdir(), 'fragmentkit-sandboxes');
        await mkdir(path, { recursive: true, mode: 0o700 });
        return path;
      })(),
    ]);
    const node = resolveNodeRuntime();
    const readOnlyPaths = [...node.prefixes, ...(python?.prefixes ?? []), ...(options.readOnlyPaths ?? [])];
    const context: LocalSandboxContext = {
      isolation,
      bubblewrapPath,
      limits,
      node,
      python,
      pythonCommand,
      env: { ...options.env },
      inheritEnv: [...(options.inheritEnv ?? [])],
      allowNetworkForInstall: options.allowNetworkForInstall ?? false,
      startTimeoutMs,
      sessionTtlMs,
      clock,
      mountPlanFor: (hostWorkDir) =>
        isolation === 'bubblewrap'
          ? planMounts({ hostWorkDir, insideWorkDir: '/workspace', readOnlyPaths })
          : undefined,
      keep(session, conversationId) {
        const previous = kept.get(conversationId);
        if (previous && previous !== session) void previous.kill();
        kept.set(conversationId, session);
        startSweeping();
      },
      forget(session) {
        live.delete(session);
        for (const [conversationId, entry] of kept) if (entry === session) kept.delete(conversationId);
        if (kept.size === 0) stopSweeping();
      },
    };
    return { context, rootDir };
  }

  function ready(): Promise<Setup> {
    setup ??= prepare();
    // A failed setup (bubblewrap required but missing) is tried again on the next acquire.
    setup.catch(() => {
      setup = undefined;
    });
    return setup;
  }

  function startSweeping(): void {
    if (sweepTimer || closed) return;
    sweepTimer = setInterval(() => void sweep(), Math.min(sessionTtlMs, 60_000));
    sweepTimer.unref?.();
  }

  function stopSweeping(): void {
    if (sweepTimer) clearInterval(sweepTimer);
    sweepTimer = undefined;
  }

  async function sweep(): Promise<number> {
    const now = clock.now();
    const expired = [...kept.values()].filter((session) => (session.getSnapshot().expiresAt ?? 0) <= now);
    await Promise.all(expired.map((session) => session.kill()));
    return expired.length;
  }

  return {
    name: 'local',
    async isolation() {
      return (await ready()).context.isolation;
    },
    async acquire(acquireOptions: SandboxAcquireOptions) {
      if (acquireOptions.signal?.aborted) {
        throw new FragmentkitError('ABORTED', 'Acquiring a sandbox was aborted.', {
          cause: acquireOptions.signal.reason,
        });
      }
      if (closed) {
        throw new FragmentkitError('SANDBOX_UNAVAILABLE', 'The local sandbox provider was closed.', {
          details: { provider: 'local' },
        });
      }
      if (typeof acquireOptions.template !== 'string' || acquireOptions.template.length === 0) {
        throw new FragmentkitError('INVALID_REQUEST', 'acquire() needs a template id.');
      }
      const { context, rootDir } = await ready();
      await sweep();
      const { conversationId } = acquireOptions;
      const existing = conversationId === undefined ? undefined : kept.get(conversationId);
      if (existing && existing.template === acquireOptions.template) {
        kept.delete(conversationId as string);
        existing.reacquire();
        return existing;
      }
      const hostWorkDir = await mkdtemp(join(rootDir, 'session-'));
      await mkdir(join(hostWorkDir, reservedSandboxFolder), { recursive: true });
      const session = new LocalSandboxSession({
        id: `local-${randomUUID()}`,
        template: acquireOptions.template,
        hostWorkDir,
        conversationId,
        context,
      });
      live.add(session);
      return session;
    },
    sweep,
    async close() {
      closed = true;
      stopSweeping();
      await Promise.all([...live].map((session) => session.kill()));
    },
  };
}

function resolveLimits(overrides: Partial<LocalSandboxLimits> = {}): LocalSandboxLimits {
  const limits = { ...defaultLocalSandboxLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) positive(name, value);
  return limits;
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `Local sandbox option ${name} must be a positive number; got ${value}.`,
      {
        details: { option: name, value: String(value) },
      },
    );
  }
  return value;
}
