/**
 * What an agent task is asked to do: change code (`patch`), explain it, write a test for it or
 * fix lint findings.
 *
 * @example
 * ```ts
 * const mode: AgentTaskMode = 'patch';
 * ```
 */
export type AgentTaskMode = 'patch' | 'explain' | 'generate_test' | 'lint_fix';

/**
 * Where an agent task is on the server. `done` and `failed` are final.
 *
 * @example
 * ```ts
 * const finished = (status: AgentTaskStatus) => status === 'done' || status === 'failed';
 * ```
 */
export type AgentTaskStatus = 'queued' | 'processing' | 'done' | 'failed';

/**
 * One file an agent task proposes to change: the unified `diff` against the submitted content,
 * the full new `content`, and whether the user accepted it.
 *
 * @example
 * ```ts
 * const pending = task.result?.files.filter((file: AgentTaskFile) => file.status === 'pending');
 * ```
 */
export interface AgentTaskFile {
  path: string;
  diff: string;
  content: string;
  status: 'pending' | 'accepted' | 'rejected';
}

/**
 * An agent task as `GET {basePath}/tasks/:id` and each `task` event of its stream describe it.
 *
 * @example
 * ```ts
 * const task: AgentTaskView = await (await fetch(`/api/fragmentkit/tasks/${taskId}`)).json();
 * if (task.status === 'done') show(task.result?.explanation);
 * ```
 */
export interface AgentTaskView {
  id: string;
  projectId: string;
  mode: AgentTaskMode;
  status: AgentTaskStatus;
  createdAt: string;
  updatedAt: string;
  result?: { explanation: string; files: AgentTaskFile[] };
  error?: { code: string; message: string };
  metrics?: { provider?: string; model?: string; inputTokens: number; outputTokens: number; durationMs: number };
}

/**
 * What `POST {basePath}/tasks` takes: the files the task may read and change, where the cursor
 * is, the request and the mode.
 *
 * @example
 * ```ts
 * const input: AgentTaskInput = {
 *   projectId: 'shop',
 *   files: [{ path: 'src/cart.ts', content: editor.getValue() }],
 *   cursor: { file: 'src/cart.ts', line: 12, col: 4 },
 *   prompt: 'Handle an empty cart',
 *   mode: 'patch',
 * };
 * ```
 */
export interface AgentTaskInput {
  projectId: string;
  files: Array<{ path: string; content: string }>;
  cursor?: { file: string; line: number; col: number };
  prompt: string;
  mode: AgentTaskMode;
}
