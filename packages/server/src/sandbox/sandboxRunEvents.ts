import type {
  ErrorBody,
  FragmentRunPhase,
  FragmentRunStatus,
  FragmentRuntimeError,
  PreviewUnavailable,
  SandboxDisplayResult,
  SandboxIsolation,
  SandboxTermination,
  StaticFinding,
} from '@fragmentkit/core';
import type { ServerSentEvent } from '../sse.js';

/**
 * Where a sandbox run is, in `status` events: core's run phases (`check`, `acquire`,
 * `install`, `write`, `run`, `start`) plus `url` once a server answers at its preview URL.
 *
 * @example
 * ```ts
 * const labels: Record<SandboxRunStatusPhase, string> = {
 *   check: 'Checking', acquire: 'Starting sandbox', install: 'Installing', write: 'Writing files',
 *   run: 'Running', start: 'Starting server', url: 'Live',
 * };
 * ```
 */
export type SandboxRunStatusPhase = Exclude<FragmentRunPhase, 'done'> | 'url';

/**
 * The first event of a `POST {basePath}/sandbox` stream: the request id (for logs and
 * `Idempotency-Key` follow-ups), the conversation the run belongs to and the provider.
 *
 * @example
 * ```ts
 * const meta: SandboxMetaEvent = { type: 'meta', requestId: 'req_1', conversationId: 'c_1', provider: 'local' };
 * ```
 */
export interface SandboxMetaEvent {
  type: 'meta';
  requestId: string;
  conversationId?: string;
  /** The sandbox provider's name, e.g. `local` or `e2b`. */
  provider: string;
}

/**
 * A step of the run began, with a sentence for people; `url` is set for phase `url`.
 *
 * @example
 * ```ts
 * const status: SandboxStatusEvent = { type: 'status', phase: 'install', message: 'Installing pandas with pip.' };
 * ```
 */
export interface SandboxStatusEvent {
  type: 'status';
  phase: SandboxRunStatusPhase;
  message: string;
  url?: string;
}

/**
 * Output of the install, the run or a starting server, as it was printed.
 *
 * @example
 * ```ts
 * const output: SandboxOutputEvent = { type: 'stdout', phase: 'run', chunk: 'hello\n' };
 * ```
 */
export interface SandboxOutputEvent {
  type: 'stdout' | 'stderr';
  phase: SandboxRunStatusPhase;
  chunk: string;
}

/**
 * The outcome of the run. It always comes, also when no sandbox could run the code: then
 * `status` is `unavailable` and `previewUnavailable` says why (and when to retry). Static
 * check findings that did not block the run are its `warnings`.
 *
 * @example
 * ```ts
 * function show(result: SandboxResultEvent) {
 *   if (result.url) frame.src = result.url;
 *   else if (result.previewUnavailable) banner(result.previewUnavailable.reason);
 *   else output.textContent = result.stdout;
 * }
 * ```
 */
export interface SandboxResultEvent {
  type: 'result';
  status: FragmentRunStatus;
  /** The preview URL of a fragment that serves a web app. */
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
  sandbox?: { id: string; isolation: SandboxIsolation };
  warnings: StaticFinding[];
}

/**
 * The last event of a run that produced its `result`.
 *
 * @example
 * ```ts
 * const done: SandboxDoneEvent = { type: 'done' };
 * ```
 */
export interface SandboxDoneEvent {
  type: 'done';
}

/**
 * The last event of a run that ended without a result (the client aborted it, or the server failed).
 *
 * @example
 * ```ts
 * const failed: SandboxErrorEvent = { type: 'error', error: { code: 'ABORTED', message: 'The fragment run was aborted by its caller.' } };
 * ```
 */
export interface SandboxErrorEvent {
  type: 'error';
  error: ErrorBody;
}

/**
 * One event of a `POST {basePath}/sandbox` stream, sent as a Server-Sent Event named by its
 * `type` with ids 1, 2, 3…: `meta`, then `status` / `stdout` / `stderr` as the run goes, then
 * `result` and `done`, or `error`.
 *
 * @example
 * ```ts
 * function onEvent(event: SandboxRunEvent) {
 *   if (event.type === 'stdout') output.append(event.chunk);
 *   if (event.type === 'result' && event.url) frame.src = event.url;
 * }
 * ```
 */
export type SandboxRunEvent =
  | SandboxMetaEvent
  | SandboxStatusEvent
  | SandboxOutputEvent
  | SandboxResultEvent
  | SandboxDoneEvent
  | SandboxErrorEvent;

/**
 * The Server-Sent Event of a sandbox run event; `id` is its position in the stream.
 *
 * @example
 * ```ts
 * sandboxServerSentEvent({ type: 'done' }, 7); // { id: '7', event: 'done', data: '{"type":"done"}' }
 * ```
 */
export function sandboxServerSentEvent(event: SandboxRunEvent, id: number): ServerSentEvent {
  return { id: String(id), event: event.type, data: JSON.stringify(event) };
}
