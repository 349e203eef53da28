import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { SandboxCommandResult, SandboxTermination, SandboxTerminationReason } from '../sandbox/sandboxProvider.js';
import { bubblewrapArgs, type MountPlan } from './bubblewrap.js';
import { createOutputCollector } from './outputCollector.js';

/** Resource limits of one sandboxed process. */
export interface ProcessLimits {
  cpuSeconds: number;
  memoryBytes: number;
  fileBytes: number;
  outputBytes: number;
}

/** How to run one process in the sandbox. */
export interface SandboxProcessOptions {
  isolation: 'bubblewrap' | 'none';
  bubblewrapPath: string;
  mountPlan: MountPlan | undefined;
  /** Working directory as the process sees it. */
  cwd: string;
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  network: boolean;
  limits: ProcessLimits;
  /** Kill after this long; no limit when undefined (servers). */
  wallClockMs: number | undefined;
  stdin?: string;
  signal?: AbortSignal;
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
}

/** A running sandboxed process. */
export interface SandboxProcess {
  readonly result: Promise<SandboxCommandResult>;
  readonly exited: boolean;
  /** SIGKILLs the whole process group (and with bubblewrap, the whole PID namespace). */
  kill(reason: SandboxTerminationReason): void;
}

const memoryExhausted =
  /MemoryError|heap out of memory|Fatal process out of memory|Fatal process OOM|std::bad_alloc|Cannot allocate memory|Array buffer allocation failed|out of memory/i;
const tailBytes = 4096;
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * A process group is not reaped when Node exits; without bubblewrap's PID namespace a
 * sandboxed server would outlive the host. Kill what is left on the way out.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const group of liveGroups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

/**
 * The `sh` prelude that applies the limits before `exec`ing the command: a soft CPU limit
 * (SIGXCPU) with a hard one a second later (SIGKILL), RLIMIT_DATA for memory and RLIMIT_FSIZE
 * for file size. RLIMIT_DATA, not RLIMIT_AS: V8 reserves gigabytes of address space up front,
 * so an address-space cap stops Node before it starts, while RLIMIT_DATA counts the heap and
 * private writable mappings, the memory a program actually uses.
 */
export function limitPrelude(limits: ProcessLimits): string {
  const cpu = Math.max(1, Math.ceil(limits.cpuSeconds));
  const dataKilobytes = Math.max(1, Math.floor(limits.memoryBytes / 1024));
  const fileBlocks = Math.max(1, Math.floor(limits.fileBytes / 512));
  return `ulimit -S -t ${cpu} && ulimit -H -t ${cpu + 1} && ulimit -d ${dataKilobytes} && ulimit -f ${fileBlocks} && exec "$@"`;
}

/**
 * Spawns one process in the sandbox: under bubblewrap (its own namespaces, see
 * `bubblewrapArgs`) or, for isolation `none`, as a plain child in its own process group.
 * Output is capped, the wall-clock limit SIGKILLs the group, and the result says why a
 * process was stopped.
 */
export function spawnSandboxProcess(options: SandboxProcessOptions): SandboxProcess {
  const command = ['/bin/sh', '-c', limitPrelude(options.limits), 'sh', ...options.argv];
  const [file, args] =
    options.isolation === 'bubblewrap'
      ? [
          options.bubblewrapPath,
          [
            ...bubblewrapArgs(options.mountPlan ?? { mounts: [] }, { cwd: options.cwd, network: options.network }),
            ...command,
          ],
        ]
      : [command[0] as string, command.slice(1)];
  const child: ChildProcess = spawn(file, args, {
    cwd: options.isolation === 'none' ? options.cwd : '/',
    env: { ...options.env },
    detached: true,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  installExitHook();
  if (child.pid !== undefined) liveGroups.add(child.pid);

  const stdout = createOutputCollector(options.limits.outputBytes, options.onStdout);
  const stderr = createOutputCollector(options.limits.outputBytes, options.onStderr);
  let stderrTail = '';
  let killedFor: SandboxTerminationReason | undefined;
  let exited = false;

  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk);
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-tailBytes);
  });
  if (options.stdin !== undefined && child.stdin) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin);
  }

  function kill(reason: SandboxTerminationReason): void {
    if (exited) return;
    killedFor ??= reason;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }

  const timer =
    options.wallClockMs === undefined ? undefined : setTimeout(() => kill('wall-clock'), options.wallClockMs);
  const onAbort = () => kill('aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) kill('aborted');

  const result = new Promise<SandboxCommandResult>((resolve) => {
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      exited = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      stdout.end();
      stderr.end();
      // bubblewrap reports a child killed by signal N as exit code 128 + N.
      const signalName =
        signal ?? (options.isolation === 'bubblewrap' && code !== null && code > 128 ? signalNameOf(code - 128) : null);
      const termination = describeTermination(killedFor, signalName, code, stderrTail, options);
      resolve({
        exitCode: signalName ? null : code,
        stdout: stdout.text(),
        stderr: stderr.text(),
        ...(stdout.truncated ? { stdoutTruncated: true } : {}),
        ...(stderr.truncated ? { stderrTruncated: true } : {}),
        ...(termination ? { termination } : {}),
      });
    };
    child.once('error', (error) => {
      stderr.push(Buffer.from(`${error.message}\n`));
      finish(127, null);
    });
    child.once('exit', (code, signal) => {
      // A grandchild that left the group may hold the pipes open; do not wait for it forever.
      const grace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, signal);
      }, 1000);
      child.once('close', () => {
        clearTimeout(grace);
        finish(code, signal);
      });
    });
  });

  return {
    result,
    get exited() {
      return exited;
    },
    kill,
  };
}

function signalNameOf(number: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, value]) => value === number);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}

function describeTermination(
  killedFor: SandboxTerminationReason | undefined,
  signal: NodeJS.Signals | null,
  code: number | null,
  stderrTail: string,
  options: SandboxProcessOptions,
): SandboxTermination | undefined {
  const withSignal = signal ? { signal } : {};
  if (killedFor === 'wall-clock') {
    return {
      reason: 'wall-clock',
      message: `Stopped after the wall-clock limit of ${formatMs(options.wallClockMs ?? 0)}.`,
      ...withSignal,
    };
  }
  if (killedFor) return { reason: killedFor, message: 'Stopped because the run was aborted.', ...withSignal };
  if (signal === 'SIGXCPU') {
    return {
      reason: 'cpu',
      message: `Stopped after the CPU time limit of ${options.limits.cpuSeconds} s.`,
      ...withSignal,
    };
  }
  if (signal === 'SIGXFSZ') {
    return {
      reason: 'file-size',
      message: `Stopped for writing a file larger than ${formatBytes(options.limits.fileBytes)}.`,
      ...withSignal,
    };
  }
  if ((signal || (code !== null && code !== 0)) && memoryExhausted.test(stderrTail)) {
    return {
      reason: 'memory',
      message: `Stopped after running out of its memory limit of ${formatBytes(options.limits.memoryBytes)}.`,
      ...withSignal,
    };
  }
  if (signal) return { reason: 'signal', message: `Killed by ${signal}.`, signal };
  return undefined;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${bytes} bytes`;
}
