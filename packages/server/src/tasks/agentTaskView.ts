/**
 * What an agent task does: `patch` changes code as asked, `explain` only explains, `generate_test`
 * writes tests (new files allowed), `lint_fix` fixes lint and type errors.
 *
 * @example
 * ```ts
 * const mode: AgentTaskMode = 'patch';
 * ```
 */
export type AgentTaskMode = 'patch' | 'explain' | 'generate_test' | 'lint_fix';

/**
 * Where an agent task is: `queued` (waiting, or waiting again before a retry), `processing`,
 * `done` (see `result`) or `failed` (see `error`). `done` and `failed` are final.
 *
 * @example
 * ```ts
 * const finished = (status: AgentTaskStatus) => status === 'done' || status === 'failed';
 * ```
 */
export type AgentTaskStatus = 'queued' | 'processing' | 'done' | 'failed';

/**
 * One changed file of a finished task: the diff against the submitted file, the whole file
 * after it (a new file for `generate_test` has no submitted version), and the caller's decision.
 *
 * @example
 * ```ts
 * const file: AgentTaskFile = { path: 'src/App.tsx', diff, content, status: 'pending' };
 * ```
 */
export interface AgentTaskFile {
  path: string;
  /** A unified diff (`--- a/<path>`, `+++ b/<path>`, hunks) from the submitted file to `content`. */
  diff: string;
  content: string;
  status: 'pending' | 'accepted' | 'rejected';
}

/**
 * What a task produced.
 *
 * @example
 * ```ts
 * const result: AgentTaskResult = { explanation: 'Counts up instead of down.', files: [] };
 * ```
 */
export interface AgentTaskResult {
  explanation: string;
  files: AgentTaskFile[];
}

/**
 * What a task cost and who answered it.
 *
 * @example
 * ```ts
 * const metrics: AgentTaskMetrics = { provider: 'anthropic', model: 'claude-sonnet-4-5', inputTokens: 1200, outputTokens: 300, durationMs: 4100 };
 * ```
 */
export interface AgentTaskMetrics {
  provider?: string;
  model?: string;
  inputTokens: number;
  outputTokens: number;
  durationMs: number;
}

/**
 * An agent task as `GET /tasks/:id`, the `task` events of `GET /tasks/:id/events` and the
 * accept/reject routes return it. Failure codes of the task itself (besides provider codes
 * such as `PROVIDER_UNAVAILABLE`): `PATCH_INVALID` (a diff that cannot be read),
 * `PATCH_NOT_APPLICABLE` (a diff that does not apply to the submitted files), `OUTPUT_TRUNCATED`.
 *
 * @example
 * ```ts
 * const view: AgentTaskView = await (await fetch(`/api/fragmentkit/tasks/${taskId}`)).json();
 * if (view.status === 'done') for (const file of view.result!.files) console.log(file.path, file.status);
 * ```
 */
export interface AgentTaskView {
  id: string;
  projectId: string;
  mode: AgentTaskMode;
  status: AgentTaskStatus;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; changes with every change of the task. */
  updatedAt: string;
  result?: AgentTaskResult;
  error?: { code: string; message: string };
  metrics?: AgentTaskMetrics;
}

/**
 * What a task works from, as the caller submitted it: the files, where the cursor is, and the request.
 *
 * @example
 * ```ts
 * const input: AgentTaskSource = { files: [{ path: 'src/a.ts', content }], cursor: { file: 'src/a.ts', line: 3, col: 1 }, prompt: 'Fix the off-by-one' };
 * ```
 */
export interface AgentTaskSource {
  files: Array<{ path: string; content: string }>;
  /** 1-based line and column. */
  cursor?: { file: string; line: number; col: number };
  prompt: string;
}

/**
 * A stored task: its {@link AgentTaskView} fields plus who owns it, its input and a revision
 * that grows with every change (it is the `id` of its Server-Sent Events).
 *
 * @example
 * ```ts
 * const record: AgentTaskRecord | null = await states.get(tenant, taskId);
 * ```
 */
export interface AgentTaskRecord {
  id: string;
  teamId: string;
  userId: string;
  projectId: string;
  mode: AgentTaskMode;
  status: AgentTaskStatus;
  revision: number;
  /** The queue's id of the task's job, once enqueued. */
  jobId?: string;
  input: AgentTaskSource;
  result?: AgentTaskResult;
  error?: { code: string; message: string };
  metrics?: AgentTaskMetrics;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The wire view of a stored task: the contract the client builds on.
 *
 * @example
 * ```ts
 * return Response.json(toAgentTaskView(record));
 * ```
 */
export function toAgentTaskView(record: AgentTaskRecord): AgentTaskView {
  return {
    id: record.id,
    projectId: record.projectId,
    mode: record.mode,
    status: record.status,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    ...(record.result ? { result: record.result } : {}),
    ...(record.error ? { error: { code: record.error.code, message: record.error.message } } : {}),
    ...(record.metrics ? { metrics: record.metrics } : {}),
  };
}

/**
 * Whether a task has reached a final status.
 *
 * @example
 * ```ts
 * if (isFinishedAgentTask(view.status)) unsubscribe();
 * ```
 */
export function isFinishedAgentTask(status: AgentTaskStatus): boolean {
  return status === 'done' || status === 'failed';
}
