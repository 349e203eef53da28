import { type ErrorBody, isAbortError } from '@fragmentkit/core';
import { isErrorBody, networkError, readErrorBody } from '../readErrorBody.js';
import { readServerSentEvents } from '../readServerSentEvents.js';
import type { AgentTaskInput, AgentTaskView } from './agentTaskView.js';
import { type AcceptedFile, resolveAcceptedFiles } from './resolveAcceptedFiles.js';

/**
 * Where the client is with its task: `idle` before `create`, `submitting` until the server took it, then the task's own status.
 *
 * @example
 * ```ts
 * const busy = (status: AgentTaskClientStatus) => status === 'submitting' || status === 'queued' || status === 'processing';
 * ```
 */
export type AgentTaskClientStatus = 'idle' | 'submitting' | AgentTaskView['status'];

/**
 * The state of an agent task session; a new object after every change.
 *
 * @example
 * ```ts
 * const explanation = (state: AgentTaskState) => state.task?.result?.explanation ?? state.error?.message;
 * ```
 */
export interface AgentTaskState {
  status: AgentTaskClientStatus;
  /** The task as the server last described it. */
  task?: AgentTaskView;
  /** Why creating, following, accepting or rejecting failed; a failed task's own error is in `task.error`. */
  error?: ErrorBody;
  /** An accept or reject in flight. */
  pending?: 'accept' | 'reject';
}

export interface AgentTaskSessionOptions {
  endpoint: string;
  fetch: () => typeof fetch;
  headers: () => Record<string, string>;
  /** Contents of an editor buffer now, to re-anchor an accepted diff when it changed since submit. */
  readCurrent: () => ((path: string) => string | undefined) | undefined;
  onAccepted: () => ((files: AcceptedFile[]) => void) | undefined;
  generateId?: () => string;
  /** Read when a stream breaks, so a host may change it between renders. */
  reconnect: () => { attempts?: number; wait?: (attempt: number, signal: AbortSignal) => Promise<void> };
}

export interface AgentTaskSession {
  create(input: AgentTaskInput): Promise<void>;
  follow(taskId: string): Promise<void>;
  accept(paths?: readonly string[]): Promise<void>;
  reject(paths?: readonly string[]): Promise<void>;
  stop(): void;
  getSnapshot(): AgentTaskState;
  subscribe(listener: () => void): () => void;
}

const finalStatuses: ReadonlySet<string> = new Set(['done', 'failed']);

/** The agent-task client behind `useAgentTask`: creates a task, follows its events and accepts or rejects its files. */
export function createAgentTaskSession(options: AgentTaskSessionOptions): AgentTaskSession {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const listeners = new Set<() => void>();
  let state: AgentTaskState = { status: 'idle' };
  let controller: AbortController | undefined;
  /** The contents submitted per path: the base every diff of the task was made against. */
  let submitted = new Map<string, string>();

  function setState(next: AgentTaskState): void {
    state = next;
    for (const listener of [...listeners]) listener();
  }

  function showTask(task: AgentTaskView): void {
    setState({ ...state, task, status: task.status, error: undefined });
  }

  function request(path: string, init: RequestInit = {}): Promise<Response> {
    return options.fetch()(`${endpoint}${path}`, {
      ...init,
      headers: { ...options.headers(), ...(init.headers as Record<string, string> | undefined) },
    });
  }

  function restart(): AbortController {
    controller?.abort();
    controller = new AbortController();
    return controller;
  }

  async function readTask(response: Response, what: string): Promise<AgentTaskView> {
    if (!response.ok) throw await readErrorBody(response, what);
    return (await response.json()) as AgentTaskView;
  }

  function fail(error: unknown, what: string): void {
    if (isAbortError(error)) return;
    const body = isErrorBody(error) ? error : networkError(what, error);
    setState({ ...state, status: state.task?.status ?? 'idle', error: body, pending: undefined });
  }

  /** Follows the task's events until it is done or failed, resuming a broken stream from its last event. */
  async function follow(taskId: string, signal: AbortSignal): Promise<void> {
    const url = `/tasks/${encodeURIComponent(taskId)}/events`;
    let lastEventId: string | undefined;
    let failures = 0;
    for (;;) {
      let progressed = false;
      let ended = false;
      try {
        const response = await request(url, {
          headers: { Accept: 'text/event-stream', ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
          signal,
        });
        if (!response.ok || !response.body) {
          // A 4xx will not get better by asking again; a 5xx might.
          if (response.status >= 400 && response.status < 500) throw await readErrorBody(response, url);
          // Not awaited: cancelling a body some fetch implementations never started can hang.
          response.body?.cancel().catch(() => {});
        } else {
          await readServerSentEvents(
            response.body,
            (event) => {
              if (event.event !== 'task') return undefined;
              if (event.id) lastEventId = event.id;
              progressed = true;
              const task = JSON.parse(event.data) as AgentTaskView;
              showTask(task);
              ended = finalStatuses.has(task.status);
              return !ended;
            },
            signal,
          );
        }
      } catch (error) {
        if (isAbortError(error) || isErrorBody(error)) throw error;
      }
      if (ended) return;
      // A stream can also end because the task finished before a reconnect asked for newer events.
      try {
        const task = await readTask(await request(`/tasks/${encodeURIComponent(taskId)}`, { signal }), url);
        showTask(task);
        if (finalStatuses.has(task.status)) return;
      } catch (error) {
        if (isAbortError(error)) throw error;
      }
      failures = progressed ? 1 : failures + 1;
      const attempts = options.reconnect().attempts ?? 3;
      if (failures > attempts) {
        throw {
          code: 'STREAM_INCOMPLETE',
          message: `Lost the events of task ${taskId} after ${attempts} attempts to reconnect. Try again.`,
        } satisfies ErrorBody;
      }
      await (options.reconnect().wait ?? backoff)(failures, signal);
    }
  }

  async function decide(kind: 'accept' | 'reject', paths: readonly string[] | undefined): Promise<void> {
    const task = state.task;
    if (!task || state.pending) return;
    const before = new Set(task.result?.files.filter((file) => file.status === 'accepted').map((file) => file.path));
    setState({ ...state, pending: kind, error: undefined });
    const url = `/tasks/${encodeURIComponent(task.id)}/${kind}`;
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(paths ? { paths: [...paths] } : {}),
      });
      const next = await readTask(response, url);
      setState({ ...state, task: next, status: next.status, pending: undefined });
      const accepted = next.result?.files.filter((file) => file.status === 'accepted' && !before.has(file.path)) ?? [];
      if (accepted.length > 0) options.onAccepted()?.(resolveAcceptedFiles(accepted, submitted, options.readCurrent()));
    } catch (error) {
      fail(error, url);
    }
  }

  return {
    async create(input) {
      const { signal } = restart();
      submitted = new Map(input.files.map((file) => [file.path, file.content]));
      setState({ status: 'submitting' });
      try {
        const response = await request('/tasks', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': (options.generateId ?? randomId)() },
          body: JSON.stringify(input),
          signal,
        });
        if (!response.ok) throw await readErrorBody(response, '/tasks');
        const created = (await response.json()) as { taskId: string; status: AgentTaskView['status'] };
        setState({ ...state, status: created.status });
        await follow(created.taskId, signal);
      } catch (error) {
        fail(error, `${endpoint}/tasks`);
      }
    },
    async follow(taskId) {
      const { signal } = restart();
      setState({ status: 'queued' });
      try {
        await follow(taskId, signal);
      } catch (error) {
        fail(error, `${endpoint}/tasks/${taskId}`);
      }
    },
    accept: (paths) => decide('accept', paths),
    reject: (paths) => decide('reject', paths),
    stop() {
      controller?.abort();
      controller = undefined;
    },
    getSnapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

function backoff(attempt: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, 500 * 2 ** (attempt - 1));
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
