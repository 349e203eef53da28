import type { Sandbox as CodeInterpreterSandbox, Result as E2BResult } from '@e2b/code-interpreter';
import type { Sandbox as E2BSandbox } from 'e2b';
import type { SandboxDisplayResult, SandboxExecutionError } from '../sandbox/sandboxProvider.js';

/**
 * What the provider passes to {@link E2BSdk.create}. Connection fields are passed to the SDK
 * unchanged; unset ones fall back to the SDK's environment variables (`E2B_API_KEY`, ...).
 *
 * @example
 * ```ts
 * const options: E2BCreateOptions = { metadata: { userId: 'u_1' }, timeoutMs: 600_000, codeInterpreter: false };
 * ```
 */
export interface E2BCreateOptions {
  metadata: Record<string, string>;
  /** E2B kills the sandbox after this long unless it is extended. */
  timeoutMs: number;
  /** Create it through `@e2b/code-interpreter`, so {@link E2BSandboxHandle.runCode} works. */
  codeInterpreter: boolean;
  apiKey?: string;
  domain?: string;
  /** The E2B API base URL, e.g. a local fake in tests. */
  apiUrl?: string;
  /** The URL of the sandbox's own API (envd), e.g. a local fake in tests. */
  sandboxUrl?: string;
  requestTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Options of a command in an E2B sandbox.
 *
 * @example
 * ```ts
 * await handle.runCommand('ls', { cwd: '/home/user', timeoutMs: 10_000 });
 * ```
 */
export interface E2BCommandOptions {
  cwd?: string;
  envs?: Record<string, string>;
  /** E2B's own command timeout; 0 means none. */
  timeoutMs?: number;
  onStdout?: (data: string) => void;
  onStderr?: (data: string) => void;
  signal?: AbortSignal;
}

/**
 * How an E2B command ended. A non-zero exit is an outcome, not an error.
 *
 * @example
 * ```ts
 * const outcome: E2BCommandOutcome = { exitCode: 1, stdout: '', stderr: 'No such file', error: 'exit status 1' };
 * ```
 */
export interface E2BCommandOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  error?: string;
}

/**
 * A command started in the background (a server).
 *
 * @example
 * ```ts
 * const server = await handle.startCommand('npm run dev', { cwd: '/home/user' });
 * await server.kill();
 * ```
 */
export interface E2BBackgroundCommand {
  readonly pid: number;
  /** Resolves when the command ends. */
  wait(): Promise<E2BCommandOutcome>;
  kill(): Promise<void>;
}

/**
 * What a code-interpreter cell produced.
 *
 * @example
 * ```ts
 * const execution = await handle.runCode!('1 + 1', { language: 'python' });
 * execution.results[0]?.text; // '2'
 * ```
 */
export interface E2BExecution {
  stdout: string[];
  stderr: string[];
  results: SandboxDisplayResult[];
  error?: SandboxExecutionError;
}

/**
 * The part of an E2B sandbox the provider uses. {@link e2bSdk} wraps the real `Sandbox` in it;
 * tests implement it in memory.
 *
 * @example
 * ```ts
 * const handle: E2BSandboxHandle = await e2bSdk.create('nextjs-developer', { metadata: {}, timeoutMs: 600_000, codeInterpreter: false });
 * await handle.writeFiles([{ path: '/home/user/pages/index.tsx', data: code }]);
 * console.log(`https://${handle.getHost(3000)}`);
 * ```
 */
export interface E2BSandboxHandle {
  readonly sandboxId: string;
  writeFiles(files: readonly { path: string; data: string }[], options?: { signal?: AbortSignal }): Promise<void>;
  /** Runs a command to its end; a non-zero exit resolves, it does not reject. */
  runCommand(command: string, options: E2BCommandOptions): Promise<E2BCommandOutcome>;
  startCommand(command: string, options: Omit<E2BCommandOptions, 'timeoutMs'>): Promise<E2BBackgroundCommand>;
  /** Present for sandboxes created with `codeInterpreter: true`. */
  runCode?(
    code: string,
    options: {
      language: string;
      timeoutMs?: number;
      onStdout?: (line: string) => void;
      onStderr?: (line: string) => void;
      envs?: Record<string, string>;
    },
  ): Promise<E2BExecution>;
  /** `<port>-<sandboxId>.<domain>`, without a scheme. */
  getHost(port: number): string;
  setTimeout(timeoutMs: number): Promise<void>;
  isRunning(options?: { requestTimeoutMs?: number }): Promise<boolean>;
  kill(): Promise<void>;
}

/**
 * The seam between the E2B provider and the E2B SDK: how a sandbox is created.
 *
 * @example
 * ```ts
 * import { createE2BSandboxProvider, e2bSdk, type E2BSdk } from '@fragmentkit/core/e2b';
 *
 * const countingSdk: E2BSdk = {
 *   async create(template, options) {
 *     metrics.increment('e2b.create', { template });
 *     return e2bSdk.create(template, options);
 *   },
 * };
 * const provider = createE2BSandboxProvider({ sdk: countingSdk });
 * ```
 */
export interface E2BSdk {
  create(template: string, options: E2BCreateOptions): Promise<E2BSandboxHandle>;
}

/**
 * The real E2B SDK: `Sandbox.create` of `e2b`, or of `@e2b/code-interpreter` for
 * code-interpreter templates. Both are optional peer dependencies, loaded on first use.
 *
 * @example
 * ```ts
 * import { e2bSdk } from '@fragmentkit/core/e2b';
 *
 * const handle = await e2bSdk.create('code-interpreter-v1', { metadata: {}, timeoutMs: 300_000, codeInterpreter: true });
 * const execution = await handle.runCode!('print("hi")', { language: 'python' });
 * await handle.kill();
 * ```
 */
export const e2bSdk: E2BSdk = {
  async create(template, options) {
    const { codeInterpreter, ...rest } = options;
    const sandboxOptions = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
    if (codeInterpreter) {
      const { Sandbox } = await import('@e2b/code-interpreter');
      return wrapSandbox(await Sandbox.create(template, sandboxOptions));
    }
    const { Sandbox } = await import('e2b');
    return wrapSandbox(await Sandbox.create(template, sandboxOptions));
  },
};

function wrapSandbox(sandbox: E2BSandbox | CodeInterpreterSandbox): E2BSandboxHandle {
  const handle: E2BSandboxHandle = {
    sandboxId: sandbox.sandboxId,
    async writeFiles(files, options = {}) {
      await sandbox.files.write(
        files.map((file) => ({ path: file.path, data: file.data })),
        options.signal ? { signal: options.signal } : undefined,
      );
    },
    async runCommand(command, options) {
      try {
        const result = await sandbox.commands.run(command, { ...definedOnly(options), background: false });
        return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, ...errorField(result.error) };
      } catch (error) {
        if (isCommandExit(error)) {
          return { exitCode: error.exitCode, stdout: error.stdout, stderr: error.stderr, ...errorField(error.error) };
        }
        throw error;
      }
    },
    async startCommand(command, options) {
      const started = await sandbox.commands.run(command, { ...definedOnly(options), background: true, timeoutMs: 0 });
      return {
        pid: started.pid,
        async wait() {
          try {
            const result = await started.wait();
            return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
          } catch (error) {
            if (isCommandExit(error)) return { exitCode: error.exitCode, stdout: error.stdout, stderr: error.stderr };
            throw error;
          }
        },
        async kill() {
          await started.kill();
        },
      };
    },
    getHost: (port) => sandbox.getHost(port),
    setTimeout: (timeoutMs) => sandbox.setTimeout(timeoutMs),
    isRunning: (options = {}) => sandbox.isRunning(definedOnly(options)),
    async kill() {
      await sandbox.kill();
    },
  };
  if ('runCode' in sandbox) {
    handle.runCode = async (code, options) => {
      const execution = await sandbox.runCode(code, {
        language: options.language,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.envs ? { envs: options.envs } : {}),
        ...(options.onStdout ? { onStdout: (message) => options.onStdout?.(message.line) } : {}),
        ...(options.onStderr ? { onStderr: (message) => options.onStderr?.(message.line) } : {}),
      });
      return {
        stdout: execution.logs.stdout,
        stderr: execution.logs.stderr,
        results: execution.results.map(toDisplayResult),
        ...(execution.error
          ? {
              error: {
                name: execution.error.name,
                value: execution.error.value,
                traceback: execution.error.traceback,
              },
            }
          : {}),
      };
    };
  }
  return handle;
}

const displayFormats = [
  'text',
  'html',
  'markdown',
  'svg',
  'png',
  'jpeg',
  'pdf',
  'latex',
  'json',
  'javascript',
] as const;

function toDisplayResult(result: E2BResult): SandboxDisplayResult {
  const display: SandboxDisplayResult = { isMainResult: result.isMainResult };
  for (const format of displayFormats) {
    const value = result[format];
    if (typeof value === 'string') display[format] = value;
  }
  if (result.data) display.data = result.data;
  if (result.chart) display.chart = result.chart;
  return display;
}

function isCommandExit(error: unknown): error is { exitCode: number; stdout: string; stderr: string; error?: string } {
  return (
    error instanceof Error &&
    error.name === 'CommandExitError' &&
    typeof (error as { exitCode?: unknown }).exitCode === 'number'
  );
}

function errorField(error: string | undefined): { error?: string } {
  return error ? { error } : {};
}

function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}
