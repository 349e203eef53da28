/**
 * How strongly a session is separated from the machine that hosts it:
 * - `bubblewrap`: a local child process in its own user, PID, network, IPC and UTS namespaces
 *   with a read-only system and a private writable work directory;
 * - `microvm`: a remote sandbox (E2B Firecracker microVM);
 * - `none`: a plain local child process. It can read the host's files and use its network;
 *   only for trusted code during development.
 *
 * @example
 * ```ts
 * import type { SandboxIsolation } from '@fragmentkit/core';
 *
 * function assertIsolated(isolation: SandboxIsolation) {
 *   if (isolation === 'none') throw new Error('Refusing to run untrusted code without isolation');
 * }
 * ```
 */
export type SandboxIsolation = 'bubblewrap' | 'microvm' | 'none';

/**
 * What {@link SandboxProvider.acquire} needs: the template to run and who the sandbox is for.
 * A `conversationId` lets later edits of the same conversation run in the same sandbox.
 *
 * @example
 * ```ts
 * const session = await provider.acquire({ template: 'nextjs-developer', conversationId, userId, teamId });
 * ```
 */
export interface SandboxAcquireOptions {
  /** Template id, e.g. `nextjs-developer`. */
  template: string;
  /** Sessions released with a conversation id are kept for the next acquire of that conversation. */
  conversationId?: string;
  /** Recorded with the sandbox (E2B metadata) for auditing and billing. */
  userId?: string;
  /** Recorded with the sandbox (E2B metadata) for auditing and billing. */
  teamId?: string;
  /** Gives up waiting for a sandbox; rejects with `ABORTED`. */
  signal?: AbortSignal;
}

/**
 * One file to write into a session's work directory.
 *
 * @example
 * ```ts
 * const file: SandboxFile = { path: 'pages/index.tsx', content: 'export default () => <h1>Hi</h1>;' };
 * ```
 */
export interface SandboxFile {
  /** Relative to the work directory; `..` segments and absolute paths are rejected. */
  path: string;
  content: string;
}

/**
 * The package manager {@link SandboxSession.install} uses.
 *
 * @example
 * ```ts
 * await session.install(['pandas'], { manager: 'pip' });
 * ```
 */
export type PackageManager = 'pip' | 'npm';

/**
 * Options of {@link SandboxSession.install}.
 *
 * @example
 * ```ts
 * await session.install(['zod'], { manager: 'npm', onProgress: (line) => console.log(line), timeoutMs: 120_000 });
 * ```
 */
export interface SandboxInstallOptions {
  /** Defaults to the package manager of the session's template (`pip` for Python templates). */
  manager?: PackageManager;
  /** Called with each line the package manager prints, as it prints it. */
  onProgress?: (line: string) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Languages {@link SandboxSession.run} accepts for a code snippet.
 *
 * @example
 * ```ts
 * await session.run({ code: 'print(1 + 1)', language: 'python' });
 * ```
 */
export type SandboxLanguage = 'python' | 'javascript';

/**
 * A code snippet to run, instead of a shell command.
 *
 * @example
 * ```ts
 * const snippet: SandboxCode = { code: 'console.log(process.version)', language: 'javascript' };
 * ```
 */
export interface SandboxCode {
  code: string;
  language: SandboxLanguage;
  /**
   * Where the code is written before it runs, relative to the work directory, so stack traces
   * name that file. Default: a new file under `.fragmentkit/snippets/`. Code-interpreter cells
   * ignore it.
   */
  path?: string;
}

/**
 * Options of {@link SandboxSession.run}.
 *
 * @example
 * ```ts
 * await session.run('python3 main.py', { onStdout: (chunk) => process.stdout.write(chunk), timeoutMs: 10_000 });
 * ```
 */
export interface SandboxRunOptions {
  /** Called with output as it arrives; stops after the provider's output cap. */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Wall-clock limit of this run; the provider's own limit applies when it is lower. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Extra environment variables for this run only. */
  env?: Record<string, string>;
}

/**
 * Why the sandbox stopped a process before it finished on its own:
 * `wall-clock` (ran too long), `cpu` (used too much CPU time), `memory` (ran out of its memory
 * cap), `file-size` (wrote too large a file), `aborted` (the caller's signal) or `signal`
 * (killed by a signal from elsewhere).
 *
 * @example
 * ```ts
 * if (result.termination?.reason === 'wall-clock') console.log('The code ran into the time limit.');
 * ```
 */
export type SandboxTerminationReason = 'wall-clock' | 'cpu' | 'memory' | 'file-size' | 'aborted' | 'signal';

/**
 * How and why a process was stopped.
 *
 * @example
 * ```ts
 * const termination: SandboxTermination = { reason: 'wall-clock', message: 'Stopped after 30 s of wall-clock time.' };
 * ```
 */
export interface SandboxTermination {
  reason: SandboxTerminationReason;
  /** A sentence for people. */
  message: string;
  /** The signal that ended the process, e.g. `SIGKILL`, when there was one. */
  signal?: string;
}

/**
 * An error raised inside a code-interpreter cell, as E2B reports it.
 *
 * @example
 * ```ts
 * if (result.error) console.log(`${result.error.name}: ${result.error.value}`);
 * ```
 */
export interface SandboxExecutionError {
  name: string;
  value: string;
  /** The raw traceback text. */
  traceback: string;
}

/**
 * A rich result of a code-interpreter cell (the value of the last line, a chart, a table), in
 * every format the kernel produced. Binary formats (`png`, `jpeg`, `pdf`) are base64.
 *
 * @example
 * ```ts
 * const chart = result.results?.find((item) => item.png);
 * if (chart) image.src = `data:image/png;base64,${chart.png}`;
 * ```
 */
export interface SandboxDisplayResult {
  /** True for the value of the cell's last expression; false for display calls such as `plt.show()`. */
  isMainResult: boolean;
  text?: string;
  html?: string;
  markdown?: string;
  svg?: string;
  png?: string;
  jpeg?: string;
  pdf?: string;
  latex?: string;
  json?: string;
  javascript?: string;
  /** Tabular data, e.g. of a DataFrame. */
  data?: Record<string, unknown>;
  /** Structured chart data extracted from a matplotlib figure. */
  chart?: unknown;
}

/**
 * The outcome of a command that ran to its end or was stopped.
 *
 * @example
 * ```ts
 * const result = await session.install(['requests']);
 * if (result.exitCode !== 0) console.error(result.stderr);
 * ```
 */
export interface SandboxCommandResult {
  /** `null` when the process was stopped by a signal. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** True when stdout went over the output cap; the kept part ends with a marker line. */
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
  /** Present when the sandbox stopped the process. */
  termination?: SandboxTermination;
}

/**
 * The outcome of {@link SandboxSession.run}.
 *
 * @example
 * ```ts
 * const result = await session.run({ code: 'df.describe()', language: 'python' });
 * console.log(result.results?.[0]?.html ?? result.stdout);
 * ```
 */
export interface SandboxRunResult extends SandboxCommandResult {
  /** Rich results of a code-interpreter cell. */
  results?: SandboxDisplayResult[];
  /** The error a code-interpreter cell raised. */
  error?: SandboxExecutionError;
}

/**
 * Options of {@link SandboxSession.start}.
 *
 * @example
 * ```ts
 * await session.start('streamlit run app.py --server.port 8501', { port: 8501, timeoutMs: 60_000 });
 * ```
 */
export interface SandboxStartOptions {
  /** The port the server listens on inside the sandbox. */
  port: number;
  /** How long to wait for the port to accept connections. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  env?: Record<string, string>;
}

/**
 * The outcome of {@link SandboxSession.start}: the server is `ready` at `url`, or it `exited`
 * before its port accepted connections (then stdout/stderr say why).
 *
 * @example
 * ```ts
 * const server = await session.start('python3 -m http.server 8000', { port: 8000 });
 * if (server.status === 'ready') iframe.src = server.url;
 * else console.error(server.stderr);
 * ```
 */
export type SandboxStartResult =
  | { status: 'ready'; port: number; url: string }
  | ({ status: 'exited'; port: number } & SandboxCommandResult);

/**
 * Where a session is in its life: `ready` (handed out, idle), `busy` (a command is running),
 * `kept` (released and kept for its conversation), `released` (given back) or `killed`.
 *
 * @example
 * ```ts
 * const alive = session.getSnapshot().status !== 'killed';
 * ```
 */
export type SandboxSessionStatus = 'ready' | 'busy' | 'kept' | 'released' | 'killed';

/**
 * What a session looks like now. A new object after every change, never mutated.
 *
 * @example
 * ```ts
 * const { status, servers } = session.getSnapshot();
 * ```
 */
export interface SandboxSessionSnapshot {
  readonly id: string;
  readonly template: string;
  readonly isolation: SandboxIsolation;
  readonly status: SandboxSessionStatus;
  /** Servers started with {@link SandboxSession.start} that are ready. */
  readonly servers: readonly { readonly port: number; readonly url: string }[];
  /** When a kept session is cleaned up, in ms since the epoch. */
  readonly expiresAt?: number;
}

/**
 * A sandbox handed out by a {@link SandboxProvider}. Call {@link SandboxSession.release} when
 * done (or {@link SandboxSession.kill} when something went wrong).
 *
 * @example
 * ```ts
 * const session = await provider.acquire({ template: 'code-interpreter-v1', conversationId });
 * try {
 *   await session.writeFiles([{ path: 'data.csv', content: csv }]);
 *   const result = await session.run({ code: 'import pandas as pd; print(pd.read_csv("data.csv").shape)', language: 'python' });
 *   console.log(result.stdout);
 * } finally {
 *   await session.release();
 * }
 * ```
 */
export interface SandboxSession {
  readonly id: string;
  readonly template: string;
  readonly isolation: SandboxIsolation;
  /** Writes files into the work directory, creating folders as needed. */
  writeFiles(files: readonly SandboxFile[], options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Installs packages. Names are validated (a malformed name is `INVALID_REQUEST`) and passed
   * as arguments, never through a shell.
   */
  install(packages: readonly string[], options?: SandboxInstallOptions): Promise<SandboxCommandResult>;
  /** Runs a shell command, or a code snippet, to its end. A non-zero exit is a result, not an error. */
  run(command: string | SandboxCode, options?: SandboxRunOptions): Promise<SandboxRunResult>;
  /**
   * Starts a long-running server and waits until `port` accepts connections.
   *
   * @throws FragmentkitError `SANDBOX_TIMEOUT` when the port does not open within `timeoutMs`.
   */
  start(command: string, options: SandboxStartOptions): Promise<SandboxStartResult>;
  /** The URL under which `port` of this sandbox is reachable from the host or the browser. */
  previewUrl(port: number): string;
  /** Keeps the sandbox alive for at least `ms` more. */
  extendTtl(ms: number): Promise<void>;
  /**
   * Done with the session. With a `conversationId` it is kept for that conversation's next
   * acquire (until its TTL runs out); otherwise it is destroyed. A sandbox that ran code is
   * never handed to another conversation.
   */
  release(): Promise<void>;
  /** Destroys the sandbox and everything running in it. */
  kill(): Promise<void>;
  getSnapshot(): SandboxSessionSnapshot;
  /** @returns a function that unsubscribes. */
  subscribe(listener: () => void): () => void;
}

/**
 * Hands out sandboxes. Implemented by `createLocalSandboxProvider` (`@fragmentkit/core/node`)
 * and `createE2BSandboxProvider` (`@fragmentkit/core/e2b`).
 *
 * @throws FragmentkitError `SANDBOX_UNAVAILABLE` from `acquire` when no sandbox can be had
 * (provider down, circuit open, isolation required but missing).
 *
 * @example
 * ```ts
 * import { runFragment, type SandboxProvider } from '@fragmentkit/core';
 * import { createLocalSandboxProvider } from '@fragmentkit/core/node';
 *
 * const provider: SandboxProvider = createLocalSandboxProvider();
 * const result = await runFragment(provider, fragment, { conversationId });
 * ```
 */
export interface SandboxProvider {
  /** Short name for logs, e.g. `local` or `e2b`. */
  readonly name: string;
  acquire(options: SandboxAcquireOptions): Promise<SandboxSession>;
}
