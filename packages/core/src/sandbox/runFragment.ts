import { type ErrorCode, FragmentkitError, isAbortError } from '../errors.js';
import type { Fragment } from '../fragment/schema.js';
import { type FragmentRunPlan, fragmentRunPlan, renderRunCommand } from './fragmentRunPlans.js';
import { parsePackageSpec } from './packageSpec.js';
import { type FragmentRuntimeError, parseRuntimeError, runtimeErrorFromExecution } from './runtimeError.js';
import { normalizeSandboxPath } from './sandboxPath.js';
import type {
  SandboxCommandResult,
  SandboxDisplayResult,
  SandboxIsolation,
  SandboxLanguage,
  SandboxProvider,
  SandboxRunResult,
  SandboxSession,
  SandboxTermination,
} from './sandboxProvider.js';
import { checkFragment, type StaticCheckOptions, type StaticFinding } from './staticChecks.js';

/**
 * Time limits of {@link runFragment}, each in milliseconds. Unset limits fall back to the
 * provider's own.
 *
 * @example
 * ```ts
 * const timeouts: RunFragmentTimeouts = { acquireMs: 30_000, installMs: 120_000, runMs: 30_000, startMs: 90_000 };
 * ```
 */
export interface RunFragmentTimeouts {
  /** Waiting for a sandbox; when it passes the result is `unavailable` with `SANDBOX_TIMEOUT`. Default 60 s. */
  acquireMs?: number;
  installMs?: number;
  runMs?: number;
  /** Waiting for a server's port to open. */
  startMs?: number;
}

/**
 * The step {@link runFragment} is at, reported through `onProgress`.
 *
 * @example
 * ```ts
 * const labels: Record<FragmentRunPhase, string> = {
 *   check: 'Checking', acquire: 'Starting sandbox', install: 'Installing', write: 'Writing files',
 *   run: 'Running', start: 'Starting server', done: 'Done',
 * };
 * ```
 */
export type FragmentRunPhase = 'check' | 'acquire' | 'install' | 'write' | 'run' | 'start' | 'done';

/**
 * One progress report of {@link runFragment}. Output of the install, the run or the server
 * arrives as it is printed, with `stream` set.
 *
 * @example
 * ```ts
 * await runFragment(provider, fragment, {
 *   onProgress: ({ phase, message, stream }) => log(stream ? `[${phase} ${stream}] ${message}` : `[${phase}] ${message}`),
 * });
 * ```
 */
export interface FragmentRunProgress {
  phase: FragmentRunPhase;
  message: string;
  stream?: 'stdout' | 'stderr';
}

/**
 * Options of {@link runFragment}.
 *
 * @example
 * ```ts
 * const options: RunFragmentOptions = {
 *   conversationId: 'c_42',
 *   userId: 'u_1',
 *   checks: { policy: 'block' },
 *   timeouts: { runMs: 20_000 },
 *   signal: request.signal,
 * };
 * ```
 */
export interface RunFragmentOptions {
  /** Edits of the same conversation run in the same sandbox (see {@link SandboxSession.release}). */
  conversationId?: string;
  userId?: string;
  teamId?: string;
  onProgress?: (progress: FragmentRunProgress) => void;
  /** Aborting rejects with `ABORTED` and kills the sandbox. */
  signal?: AbortSignal;
  timeouts?: RunFragmentTimeouts;
  /** Static check settings; the policy decides whether findings stop the run. */
  checks?: StaticCheckOptions;
  /** Run plans for templates beyond the built-in ones, or to override them. */
  plans?: Readonly<Record<string, FragmentRunPlan>>;
}

/**
 * How a run ended:
 * - `completed`: the code ran to its end (look at `exitCode` and `runtimeError`);
 * - `serving`: a server is up at `url`;
 * - `browser`: the template renders in the browser preview; nothing ran here;
 * - `blocked`: the static checks stopped it (see `findings`);
 * - `unavailable`: no sandbox could run it (see `previewUnavailable`); the code is kept;
 * - `failed`: installing dependencies failed, or the server did not come up.
 *
 * @example
 * ```ts
 * if (result.status === 'unavailable') banner(`Preview unavailable: ${result.previewUnavailable?.reason}`);
 * ```
 */
export type FragmentRunStatus = 'completed' | 'serving' | 'browser' | 'blocked' | 'unavailable' | 'failed';

/**
 * Why a fragment could not be previewed, with the error code a program can act on.
 *
 * @example
 * ```ts
 * if (result.previewUnavailable?.retryAfterMs) setTimeout(retry, result.previewUnavailable.retryAfterMs);
 * ```
 */
export interface PreviewUnavailable {
  reason: string;
  code: ErrorCode | (string & {});
  /** When the sandbox provider said when to try again (an open circuit). */
  retryAfterMs?: number;
}

/**
 * The outcome of {@link runFragment}. It always carries the `fragment`, so the code is never
 * lost, whatever happened to the run.
 *
 * @example
 * ```ts
 * const result = await runFragment(provider, fragment, { conversationId });
 * switch (result.status) {
 *   case 'serving': iframe.src = result.url!; break;
 *   case 'completed': output.textContent = result.stdout; break;
 *   case 'unavailable': banner(result.previewUnavailable!.reason); break;
 * }
 * ```
 */
export interface FragmentRunResult {
  status: FragmentRunStatus;
  fragment: Fragment;
  findings: StaticFinding[];
  url?: string;
  stdout: string;
  stderr: string;
  /** `null` when nothing ran or the process was stopped by a signal. */
  exitCode: number | null;
  runtimeError?: FragmentRuntimeError;
  /** Rich results of a code-interpreter run (charts, tables). */
  results?: SandboxDisplayResult[];
  previewUnavailable?: PreviewUnavailable;
  termination?: SandboxTermination;
  /** The sandbox it ran in. */
  sandbox?: { id: string; isolation: SandboxIsolation };
}

const defaultAcquireMs = 60_000;
const unavailableCodes: ReadonlySet<string> = new Set(['SANDBOX_UNAVAILABLE', 'PROVIDER_UNAVAILABLE']);

/**
 * Runs a fragment end to end: static checks, a sandbox from `provider`, its
 * `additional_dependencies` installed, `file_path` and `files[]` written, then the code run
 * (code-interpreter and script templates) or its server started (web templates, the result
 * has the `url`). Browser-preview templates return `status: 'browser'` without a sandbox.
 *
 * The fragment's `install_dependencies_command` is never executed: dependencies are installed
 * from the validated `additional_dependencies` list, so a model cannot smuggle in a shell
 * command. Server fragments without a `conversationId` get one of their own, so their sandbox
 * outlives this call until the provider's TTL cleans it up.
 *
 * It does not throw for sandbox trouble: when no sandbox is available (`SANDBOX_UNAVAILABLE`,
 * an open circuit, a timeout) the result is `status: 'unavailable'` with the reason, and the
 * fragment is kept. Only aborting through `signal` rejects, with `ABORTED`.
 *
 * @example
 * ```ts
 * import { runFragment } from '@fragmentkit/core';
 * import { createLocalSandboxProvider } from '@fragmentkit/core/node';
 *
 * const provider = createLocalSandboxProvider();
 * const result = await runFragment(provider, fragment, {
 *   conversationId,
 *   checks: { policy: 'block' },
 *   onProgress: ({ phase, message }) => console.log(phase, message),
 * });
 * if (result.runtimeError) attachAsContext(result.runtimeError);
 * ```
 */
export async function runFragment(
  provider: SandboxProvider,
  fragment: Fragment,
  options: RunFragmentOptions = {},
): Promise<FragmentRunResult> {
  const { signal, timeouts = {} } = options;
  throwIfAborted(signal);
  const progress = (phase: FragmentRunPhase, message: string, stream?: 'stdout' | 'stderr') =>
    options.onProgress?.(stream ? { phase, message, stream } : { phase, message });

  const report = checkFragment(fragment, options.checks);
  const base: FragmentRunResult = {
    status: 'completed',
    fragment,
    findings: report.findings,
    stdout: '',
    stderr: '',
    exitCode: null,
  };
  progress(
    'check',
    report.findings.length === 0 ? 'No findings.' : `${report.findings.length} finding(s) (policy: ${report.policy}).`,
  );
  if (report.blocked) return { ...base, status: 'blocked' };

  const plan = fragmentRunPlan(fragment.template, options.plans);
  if (!plan) {
    return unavailable(base, {
      code: 'INVALID_FRAGMENT',
      reason: `There is no run plan for template "${fragment.template}"; pass one in the \`plans\` option.`,
    });
  }
  if (plan.kind === 'browser') {
    progress('done', 'Rendered by the browser preview.');
    return { ...base, status: 'browser' };
  }

  const conversationId =
    options.conversationId ?? (plan.kind === 'server' ? `fragment-run-${crypto.randomUUID()}` : undefined);
  progress('acquire', `Acquiring a ${fragment.template} sandbox from ${provider.name}.`);
  let session: SandboxSession;
  try {
    session = await acquireWithin(
      provider,
      {
        template: fragment.template,
        ...(conversationId === undefined ? {} : { conversationId }),
        ...(options.userId === undefined ? {} : { userId: options.userId }),
        ...(options.teamId === undefined ? {} : { teamId: options.teamId }),
      },
      timeouts.acquireMs ?? defaultAcquireMs,
      signal,
    );
  } catch (error) {
    if (signal?.aborted || isAbortError(error) || isAborted(error)) throw abortedError(signal, error);
    return unavailable(base, describeUnavailable(error));
  }

  const sandbox = { id: session.id, isolation: session.isolation };
  let keep = true;
  try {
    const withSandbox = { ...base, sandbox };
    const dependencies = (fragment.additional_dependencies ?? []).map(
      (dependency) => parsePackageSpec(dependency, plan.packageManager).spec,
    );
    if (dependencies.length > 0) {
      progress('install', `Installing ${dependencies.join(', ')} with ${plan.packageManager}.`);
      const install = await session.install(dependencies, {
        manager: plan.packageManager,
        onProgress: (line) => progress('install', line, 'stdout'),
        ...optional('timeoutMs', timeouts.installMs),
        ...optional('signal', signal),
      });
      if (install.exitCode !== 0) return installFailed(withSandbox, dependencies, install);
    }

    const mainPath = normalizeSandboxPath(fragment.file_path);
    const files = new Map<string, string>([[mainPath, fragment.code]]);
    for (const file of fragment.files ?? []) files.set(normalizeSandboxPath(file.file_path), file.code);
    progress('write', `Writing ${[...files.keys()].join(', ')}.`);
    await session.writeFiles(
      [...files].map(([path, content]) => ({ path, content })),
      optional('signal', signal),
    );

    const output = {
      onStdout: (chunk: string) => progress(plan.kind === 'server' ? 'start' : 'run', chunk, 'stdout'),
      onStderr: (chunk: string) => progress(plan.kind === 'server' ? 'start' : 'run', chunk, 'stderr'),
      ...optional('signal', signal),
    };
    const language = plan.kind === 'code' ? plan.language : languageOfPath(mainPath);

    if (plan.kind === 'server') {
      const port = fragment.port ?? plan.port;
      progress('start', `Starting the server on port ${port}.`);
      const server = await session.start(renderRunCommand(plan.command, { file: mainPath, port }), {
        port,
        ...output,
        ...optional('timeoutMs', timeouts.startMs),
      });
      if (server.status === 'ready') {
        progress('done', `Serving at ${server.url}.`);
        return { ...withSandbox, status: 'serving', url: server.url };
      }
      progress('done', 'The server exited before it accepted connections.');
      return { ...withSandbox, ...commandFields(server, language), status: 'failed' };
    }

    progress('run', plan.kind === 'code' ? `Running ${mainPath} as ${plan.language}.` : `Running ${plan.command}.`);
    const result = await session.run(
      plan.kind === 'code'
        ? { code: fragment.code, language: plan.language, path: mainPath }
        : renderRunCommand(plan.command, { file: mainPath }),
      { ...output, ...optional('timeoutMs', timeouts.runMs) },
    );
    progress('done', `Exited with code ${result.exitCode ?? result.termination?.signal ?? 'unknown'}.`);
    return { ...withSandbox, ...commandFields(result, language), status: 'completed' };
  } catch (error) {
    keep = false;
    await session.kill().catch(() => undefined);
    if (signal?.aborted || isAbortError(error) || isAborted(error)) throw abortedError(signal, error);
    if (FragmentkitError.isInstance(error) && error.code === 'SANDBOX_TIMEOUT') {
      return {
        ...base,
        sandbox,
        status: 'failed',
        runtimeError: { name: 'TimeoutError', message: error.message, frames: [] },
      };
    }
    return { ...unavailable(base, describeUnavailable(error)), sandbox };
  } finally {
    if (keep) await session.release().catch(() => undefined);
  }
}

function commandFields(
  result: SandboxRunResult | SandboxCommandResult,
  language: SandboxLanguage,
): Pick<FragmentRunResult, 'stdout' | 'stderr' | 'exitCode' | 'runtimeError' | 'results' | 'termination'> {
  const run = result as SandboxRunResult;
  const runtimeError = run.error
    ? runtimeErrorFromExecution(run.error)
    : result.exitCode === 0 && !result.termination
      ? undefined
      : (parseRuntimeError(result.stderr, language) ?? stoppedError(result));
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    exitCode: result.exitCode,
    ...(runtimeError ? { runtimeError } : {}),
    ...(run.results ? { results: run.results } : {}),
    ...(result.termination ? { termination: result.termination } : {}),
  };
}

const terminationErrorNames: Record<SandboxTermination['reason'], string> = {
  'wall-clock': 'TimeoutError',
  cpu: 'CpuTimeLimitError',
  memory: 'MemoryError',
  'file-size': 'FileSizeLimitError',
  aborted: 'AbortError',
  signal: 'KilledError',
};

function stoppedError(result: SandboxCommandResult): FragmentRuntimeError {
  if (result.termination) {
    return { name: terminationErrorNames[result.termination.reason], message: result.termination.message, frames: [] };
  }
  return { name: 'ExitError', message: `The process exited with code ${result.exitCode}.`, frames: [] };
}

function installFailed(
  base: FragmentRunResult,
  dependencies: readonly string[],
  install: SandboxCommandResult,
): FragmentRunResult {
  const lastLine = install.stderr.trim().split('\n').at(-1) ?? '';
  const why = install.termination ? install.termination.message : lastLine;
  return {
    ...base,
    status: 'failed',
    stdout: install.stdout,
    stderr: install.stderr,
    exitCode: install.exitCode,
    runtimeError: {
      name: 'InstallError',
      message: `Installing ${dependencies.join(', ')} failed${why ? `: ${why}` : '.'}`,
      frames: [],
    },
    ...(install.termination ? { termination: install.termination } : {}),
  };
}

function unavailable(base: FragmentRunResult, previewUnavailable: PreviewUnavailable): FragmentRunResult {
  return { ...base, status: 'unavailable', previewUnavailable };
}

function describeUnavailable(error: unknown): PreviewUnavailable {
  if (FragmentkitError.isInstance(error)) {
    const retryAfterMs = error.details?.retryAfterMs;
    return {
      code: unavailableCodes.has(error.code) ? 'SANDBOX_UNAVAILABLE' : error.code,
      reason: error.message,
      ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'SANDBOX_UNAVAILABLE', reason: `The sandbox failed: ${message}` };
}

function languageOfPath(path: string): SandboxLanguage {
  return path.endsWith('.py') ? 'python' : 'javascript';
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function isAborted(error: unknown): boolean {
  return FragmentkitError.isInstance(error) && error.code === 'ABORTED';
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal);
}

function abortedError(signal: AbortSignal | undefined, cause?: unknown): FragmentkitError {
  if (isAborted(cause)) return cause as FragmentkitError;
  return new FragmentkitError('ABORTED', 'The fragment run was aborted by its caller.', {
    cause: cause ?? signal?.reason,
  });
}

/**
 * `provider.acquire` bounded by `timeoutMs` and `signal`, even for a provider that ignores
 * signals: a session that arrives after the deadline is killed rather than leaked.
 */
async function acquireWithin(
  provider: SandboxProvider,
  acquireOptions: Parameters<SandboxProvider['acquire']>[0],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<SandboxSession> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new FragmentkitError(
        'SANDBOX_TIMEOUT',
        `No ${acquireOptions.template} sandbox within ${timeoutMs} ms.`,
        {
          isRetryable: true,
          details: { template: acquireOptions.template, timeoutMs },
        },
      );
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    onAbort = () => {
      controller.abort(signal?.reason);
      reject(abortedError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const acquiring = provider.acquire({ ...acquireOptions, signal: controller.signal });
  try {
    return await Promise.race([acquiring, deadline]);
  } catch (error) {
    acquiring.then(
      (late) => late.kill().catch(() => undefined),
      () => undefined,
    );
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
