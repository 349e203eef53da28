import type { ErrorBody } from '@fragmentkit/core';

/**
 * Where a task is in its life:
 * - `queued`: waiting for a worker (first time, or again after a failed attempt's backoff);
 * - `processing`: a handler runs it now;
 * - `failed`: the last attempt failed and another one is scheduled (see `timestamps.retryAt`);
 * - `done`: an attempt succeeded; `result` holds what the handler returned;
 * - `dead`: the dead-letter state: the last attempt failed, or the error said retrying is
 *   pointless; `error` says why. No attempt follows.
 *
 * @example
 * ```ts
 * const finished = (status: TaskStatus) => status === 'done' || status === 'dead';
 * ```
 */
export type TaskStatus = 'queued' | 'processing' | 'done' | 'failed' | 'dead';

/**
 * A task to enqueue. `name` is the task's mode (`explain`, `patch`, `generate_test`,
 * `lint_fix`, ...), which also picks its default priority.
 *
 * @example
 * ```ts
 * const input: EnqueueTaskInput<{ conversationId: string }> = {
 *   name: 'patch',
 *   data: { conversationId },
 *   idempotencyKey: request.headers.get('Idempotency-Key') ?? undefined,
 * };
 * ```
 */
export interface EnqueueTaskInput<Data> {
  name: string;
  /** JSON-serialisable, not undefined; the handler receives a JSON copy (as it would through Redis). */
  data: Data;
  /** 1 runs first, up to 2 097 151. Default: the queue's priority for `name`. */
  priority?: number;
  /**
   * Enqueueing again with the same key, while the first task is still known to the queue,
   * returns the first task's id instead of adding a second task.
   */
  idempotencyKey?: string;
  /** Attempts for this task, the first included. Default: the queue's `retries.attempts`. */
  attempts?: number;
}

/**
 * When things happened to a task, in milliseconds since the Unix epoch.
 *
 * @example
 * ```ts
 * const waitedMs = (job.timestamps.startedAt ?? Date.now()) - job.timestamps.enqueuedAt;
 * ```
 */
export interface TaskTimestamps {
  enqueuedAt: number;
  /** Start of the latest attempt. */
  startedAt?: number;
  /** When the task became `done` or `dead`. */
  finishedAt?: number;
  /** When the next attempt of a `failed` task may start (in-process queue only). */
  retryAt?: number;
}

/**
 * A snapshot of a task, as `getJob` and subscribers see it.
 *
 * @example
 * ```ts
 * const job: TaskJob<PatchTaskData, PatchTaskResult> | null = await queue.getJob(id);
 * if (job?.status === 'dead') console.log(job.error?.code, job.error?.message);
 * ```
 */
export interface TaskJob<Data = unknown, Result = unknown> {
  id: string;
  name: string;
  data: Data;
  status: TaskStatus;
  priority: number;
  /** Attempts started so far, the current one included. */
  attempts: number;
  maxAttempts: number;
  /** What the handler returned, once `done`. */
  result?: Result;
  /** The error of the latest failed attempt; absent once the task is `done`. */
  error?: ErrorBody;
  timestamps: TaskTimestamps;
}

/**
 * What a handler gets for one attempt of a task.
 *
 * @example
 * ```ts
 * const handler: TaskHandler<{ prompt: string }, string> = async (task: TaskContext<{ prompt: string }>) => {
 *   const response = await fetch(modelUrl, { method: 'POST', body: task.data.prompt, signal: task.signal });
 *   return response.text();
 * };
 * ```
 */
export interface TaskContext<Data> {
  id: string;
  name: string;
  data: Data;
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * Aborts when the attempt runs past the queue's `timeoutMs`. Pass it to every call that
   * accepts one: an attempt that ignores it is failed at the timeout all the same, and whatever
   * it does afterwards is discarded.
   */
  signal: AbortSignal;
}

/**
 * Runs one attempt of a task. Resolve with a JSON-serialisable result, or throw: a
 * `FragmentkitError` with a 4xx code other than 429 and `isRetryable` false (bad input) makes the
 * task `dead` at once; any other error is retried while attempts remain.
 *
 * @example
 * ```ts
 * const handler: TaskHandler<{ path: string }, { lines: number }> = async ({ data, signal }) => {
 *   const text = await readFromSandbox(data.path, { signal });
 *   return { lines: text.split('\n').length };
 * };
 * ```
 */
export type TaskHandler<Data, Result> = (task: TaskContext<Data>) => Promise<Result>;

/**
 * Options of `process`.
 *
 * @example
 * ```ts
 * await queue.process(handler, { concurrency: 4 } satisfies ProcessTaskOptions);
 * ```
 */
export interface ProcessTaskOptions {
  /** Attempts this process runs at once. Default: the queue's `concurrency`. */
  concurrency?: number;
}

/**
 * Receives task snapshots; see {@link TaskQueue.subscribe}.
 *
 * @example
 * ```ts
 * const listener: TaskListener<unknown, unknown> = (job) => send({ event: 'task-status', data: JSON.stringify(job) });
 * ```
 */
export type TaskListener<Data, Result> = (job: TaskJob<Data, Result>) => void;

/**
 * A queue of agent tasks (explain, patch, generate a test, fix lint, sandbox work) with
 * priorities by mode, retries with backoff, a timeout per attempt and a dead-letter state. The
 * in-process queue (`createInProcessQueue`) needs no setup; the BullMQ queue
 * (`@fragmentkit/server/bullmq`) keeps tasks in Redis, shares them between processes and
 * survives a worker that dies mid-task. Both behave the same through this interface.
 *
 * @example
 * ```ts
 * import { createInProcessQueue } from '@fragmentkit/server';
 *
 * const queue: TaskQueue<{ prompt: string }, string> = createInProcessQueue({ concurrency: 2 });
 * await queue.process(async ({ data, signal }) => runAgent(data.prompt, { signal }));
 * const { id } = await queue.enqueue({ name: 'explain', data: { prompt: 'What does App.tsx do?' } });
 * const unsubscribe = queue.subscribe(id, (job) => {
 *   if (job.status === 'done' || job.status === 'dead') unsubscribe();
 * });
 * ```
 */
export interface TaskQueue<Data = unknown, Result = unknown> {
  /**
   * Adds a task and returns its id.
   *
   * @throws {FragmentkitError} `INVALID_REQUEST` for an invalid task (empty name, priority out of
   * range, data that is not JSON-serialisable), `INTERNAL` once the queue is closed.
   */
  enqueue(input: EnqueueTaskInput<Data>): Promise<{ id: string }>;
  /**
   * Starts running tasks with `handler`; resolves once the worker is ready. One handler per
   * queue object.
   */
  process(handler: TaskHandler<Data, Result>, options?: ProcessTaskOptions): Promise<void>;
  /** The task, or null when it is unknown or no longer kept (see the retention options). */
  getJob(id: string): Promise<TaskJob<Data, Result> | null>;
  /**
   * Calls `listener` with the task's current snapshot, then after every change of it, in order
   * (changes close together may arrive as one). Nothing is delivered for an unknown task.
   * Returns the function that stops it.
   */
  subscribe(id: string, listener: TaskListener<Data, Result>): () => void;
  /**
   * Stops taking tasks and waits for running attempts to settle (each at most `timeoutMs`).
   * Tasks still waiting stay in Redis with BullMQ and are dropped by the in-process queue.
   */
  close(): Promise<void>;
}
