import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { defaultEndpoint, useOptionalFragmentkit } from '../FragmentkitProvider.js';
import { type AgentTaskState, createAgentTaskSession } from './agentTaskSession.js';
import type { AgentTaskInput } from './agentTaskView.js';
import type { AcceptedFile } from './resolveAcceptedFiles.js';

/**
 * Options of {@link useAgentTask}; `endpoint`, `fetch` and `headers` default to the `FragmentkitProvider`'s.
 *
 * @example
 * ```ts
 * const options: UseAgentTaskOptions = { readFile: (path) => buffers.get(path)?.getValue(), onAccepted: applyToBuffers };
 * ```
 */
export interface UseAgentTaskOptions {
  endpoint?: string;
  fetch?: typeof fetch;
  headers?: Record<string, string> | (() => Record<string, string>);
  /**
   * Called with the files each accept turned to `accepted`, so the host writes them into its
   * editor buffers. When {@link UseAgentTaskOptions.readFile} says a buffer changed since the
   * task was submitted, `content` is the diff applied to the current buffer, not the task's copy.
   */
  onAccepted?: (files: AcceptedFile[]) => void;
  /** The current contents of an open buffer, or `undefined` when the host does not hold the file. */
  readFile?: (path: string) => string | undefined;
  /** Attempts to reconnect a broken event stream without a new event in between. Default 3. */
  reconnectAttempts?: number;
  /** Waits before reconnect attempt `attempt`; rejects when `signal` aborts. Default 0.5 s, 1 s, 2 s… */
  reconnectWait?: (attempt: number, signal: AbortSignal) => Promise<void>;
}

/**
 * What {@link useAgentTask} returns: the task state plus its actions. None of the actions reject.
 *
 * @example
 * ```ts
 * const { status, task, accept }: UseAgentTaskResult = useAgentTask();
 * ```
 */
export interface UseAgentTaskResult extends AgentTaskState {
  /** Submits a task (with a fresh `Idempotency-Key`) and follows its events until it is done or failed. */
  create: (input: AgentTaskInput) => Promise<void>;
  /** Follows an existing task, e.g. after a page reload. */
  follow: (taskId: string) => Promise<void>;
  /** Accepts every pending file, or those of `paths`; `onAccepted` then gets them. */
  accept: (paths?: readonly string[]) => Promise<void>;
  /** Rejects every pending file, or those of `paths`. */
  reject: (paths?: readonly string[]) => Promise<void>;
  /** Stops following events; the task goes on on the server. */
  stop: () => void;
}

/**
 * Runs an agent task on the fragmentkit server (`POST /tasks`), follows its progress over
 * Server-Sent Events (reconnecting with `Last-Event-ID`), and accepts or rejects the files it
 * proposes, all at once or per path. Pair it with `<DiffView>` to review the diffs.
 *
 * @example
 * ```tsx
 * import { DiffView, useAgentTask } from '@fragmentkit/react';
 *
 * function FixButton({ editor }: { editor: { path: string; getValue(): string; setValue(text: string): void } }) {
 *   const task = useAgentTask({
 *     readFile: (path) => (path === editor.path ? editor.getValue() : undefined),
 *     onAccepted: (files) => files.forEach((file) => !file.conflict && editor.setValue(file.content ?? '')),
 *   });
 *   return (
 *     <>
 *       <button type="button" onClick={() => void task.create({
 *         projectId: 'demo', mode: 'lint_fix', prompt: 'Fix the lint errors',
 *         files: [{ path: editor.path, content: editor.getValue() }],
 *       })}>Fix lint</button>
 *       <p>{task.status}</p>
 *       {task.task?.result && (
 *         <DiffView files={task.task.result.files} onAccept={task.accept} onReject={task.reject} />
 *       )}
 *     </>
 *   );
 * }
 * ```
 */
export function useAgentTask(options: UseAgentTaskOptions = {}): UseAgentTaskResult {
  const context = useOptionalFragmentkit();
  const endpoint = options.endpoint ?? context?.endpoint ?? defaultEndpoint;
  const latest = useRef({ options, context });
  useEffect(() => {
    latest.current = { options, context };
  });

  const session = useMemo(
    () =>
      createAgentTaskSession({
        endpoint,
        fetch: () => latest.current.options.fetch ?? latest.current.context?.fetch ?? globalThis.fetch,
        headers: () => {
          const headers = latest.current.options.headers ?? latest.current.context?.headers;
          return (typeof headers === 'function' ? headers() : headers) ?? {};
        },
        readCurrent: () => latest.current.options.readFile,
        onAccepted: () => latest.current.options.onAccepted,
        reconnect: () => ({
          attempts: latest.current.options.reconnectAttempts,
          wait: latest.current.options.reconnectWait,
        }),
      }),
    [endpoint],
  );
  useEffect(() => () => session.stop(), [session]);

  const state = useSyncExternalStore(session.subscribe, session.getSnapshot, session.getSnapshot);
  return useMemo(
    () => ({
      ...state,
      create: session.create,
      follow: session.follow,
      accept: session.accept,
      reject: session.reject,
      stop: session.stop,
    }),
    [state, session],
  );
}
