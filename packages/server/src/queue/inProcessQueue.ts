import { FragmentkitError } from '@fragmentkit/core';
import { defaultLogger } from '../logger.js';
import { type QueueClock, systemQueueClock } from './queueClock.js';
import { type AttemptOutcome, isPermanentTaskFailure, runTaskAttempt, taskBackoffDelayMs } from './taskAttempt.js';
import type { TaskHandler, TaskJob, TaskQueue, TaskTimestamps } from './taskQueue.js';
import {
  type CheckedTask,
  checkEnqueueInput,
  jsonCopy,
  type ResolvedTaskQueueOptions,
  resolveTaskQueueOptions,
  type TaskQueueOptions,
} from './taskQueueOptions.js';
import { createTaskSubscribers } from './taskSubscribers.js';

/**
 * Options of {@link createInProcessQueue}.
 *
 * @example
 * ```ts
 * const options: InProcessQueueOptions = {
 *   concurrency: 2,
 *   retries: { attempts: 3, backoff: { minDelayMs: 1000, maxDelayMs: 30_000 } },
 *   timeoutMs: 120_000,
 *   retainFinished: { count: 200, ttlMs: 600_000 },
 * };
 * ```
 */
export interface InProcessQueueOptions extends TaskQueueOptions {
  /** Time and timers for backoff, timeouts and retention. Default: the real ones. */
  clock?: QueueClock;
  /** Returns a number in [0, 1) for the backoff jitter, like `Math.random` (the default). */
  random?: () => number;
  /** Makes task ids. Default `crypto.randomUUID`. */
  generateId?: () => string;
}

interface TaskRecord {
  id: string;
  task: CheckedTask;
  sequence: number;
  status: TaskJob['status'];
  attempts: number;
  result?: unknown;
  error?: TaskJob['error'];
  timestamps: TaskTimestamps;
  retryTimer?: unknown;
}

/**
 * Creates the embedded task queue: tasks live in this process's memory and run here, so it
 * needs no setup and suits one host instance (use `@fragmentkit/server/bullmq` for several).
 * Waiting tasks run by priority (1 first, then in order of arrival), at most `concurrency` at a
 * time; a failed attempt is retried after an exponential backoff with full jitter until
 * `retries.attempts` is used up, then the task is `dead`; each attempt is aborted and failed at
 * `timeoutMs`; finished tasks are kept for `getJob` up to `retainFinished` (count and age), so
 * memory stays bounded. Tasks are lost when the process stops.
 *
 * @example
 * ```ts
 * import { createInProcessQueue } from '@fragmentkit/server';
 *
 * const queue = createInProcessQueue<{ conversationId: string }, { diff: string }>({
 *   concurrency: 2,
 *   timeoutMs: 120_000,
 * });
 * await queue.process(async ({ data, signal }) => ({ diff: await runPatchTask(data.conversationId, { signal }) }));
 * const { id } = await queue.enqueue({ name: 'patch', data: { conversationId }, idempotencyKey });
 * queue.subscribe(id, (job) => console.log(job.status));
 * ```
 */
export function createInProcessQueue<Data = unknown, Result = unknown>(
  options: InProcessQueueOptions = {},
): TaskQueue<Data, Result> {
  const resolved: ResolvedTaskQueueOptions = resolveTaskQueueOptions(options, 'createInProcessQueue');
  const clock = options.clock ?? systemQueueClock;
  const random = options.random ?? Math.random;
  const generateId = options.generateId ?? (() => crypto.randomUUID());
  const logger = options.logger ?? defaultLogger;

  const records = new Map<string, TaskRecord>();
  const byIdempotencyKey = new Map<string, string>();
  /** Queued tasks, highest priority (lowest number) first, then oldest first. */
  const waiting: TaskRecord[] = [];
  /** Ids of finished tasks, oldest finish first. */
  const finished: string[] = [];
  const running = new Map<string, Promise<void>>();
  const subscribers = createTaskSubscribers<Data, Result>((error, id) =>
    logger.error({ error, taskId: id }, 'task listener failed'),
  );
  let handler: TaskHandler<Data, Result> | undefined;
  let concurrency = resolved.concurrency;
  let sequence = 0;
  let closed = false;

  function snapshot(record: TaskRecord): TaskJob<Data, Result> {
    return {
      id: record.id,
      name: record.task.name,
      data: record.task.data as Data,
      status: record.status,
      priority: record.task.priority,
      attempts: record.attempts,
      maxAttempts: record.task.attempts,
      ...(record.status === 'done' ? { result: record.result as Result } : {}),
      ...(record.error && record.status !== 'done' ? { error: record.error } : {}),
      timestamps: { ...record.timestamps },
    };
  }

  function changed(record: TaskRecord): void {
    if (!subscribers.has(record.id)) return;
    const job = snapshot(record);
    subscribers.publish(record.id, () => job);
  }

  function forget(id: string): void {
    const record = records.get(id);
    records.delete(id);
    subscribers.remove(id);
    const key = record?.task.idempotencyKey;
    if (key !== undefined && byIdempotencyKey.get(key) === id) byIdempotencyKey.delete(key);
  }

  function evictFinished(): void {
    const { count, ttlMs } = resolved.retainFinished;
    while (finished.length > count) forget(finished.shift()!);
    const now = clock.now();
    while (finished.length > 0) {
      const finishedAt = records.get(finished[0]!)?.timestamps.finishedAt ?? 0;
      if (finishedAt + ttlMs > now) break;
      forget(finished.shift()!);
    }
  }

  function addWaiting(record: TaskRecord): void {
    const before = waiting.findIndex(
      (other) =>
        other.task.priority > record.task.priority ||
        (other.task.priority === record.task.priority && other.sequence > record.sequence),
    );
    waiting.splice(before === -1 ? waiting.length : before, 0, record);
  }

  function dispatch(): void {
    while (!closed && handler && running.size < concurrency && waiting.length > 0) {
      start(waiting.shift()!, handler);
    }
  }

  function start(record: TaskRecord, run: TaskHandler<Data, Result>): void {
    record.status = 'processing';
    record.attempts += 1;
    record.timestamps.startedAt = clock.now();
    delete record.timestamps.retryAt;
    changed(record);
    const controller = new AbortController();
    const attempt = runTaskAttempt({
      handler: run,
      task: {
        id: record.id,
        name: record.task.name,
        data: jsonCopy(record.task.data) as Data,
        attempt: record.attempts,
        signal: controller.signal,
      },
      timeoutMs: resolved.timeoutMs,
      clock,
      controller,
    }).then((outcome) => settle(record, outcome));
    running.set(record.id, attempt);
  }

  function settle(record: TaskRecord, outcome: AttemptOutcome<Result>): void {
    running.delete(record.id);
    const now = clock.now();
    if (outcome.ok) {
      record.status = 'done';
      record.result = outcome.result;
      delete record.error;
      finish(record, now);
    } else {
      const { error } = outcome;
      record.error = error.toJSON();
      const permanent = isPermanentTaskFailure(error);
      const lastAttempt = record.attempts >= record.task.attempts;
      const fields = { taskId: record.id, taskName: record.task.name, attempt: record.attempts, error: record.error };
      if (permanent || lastAttempt) {
        record.status = 'dead';
        logger.error(fields, permanent ? 'task failed permanently' : 'task failed its last attempt');
        finish(record, now);
      } else {
        record.status = 'failed';
        logger.warn(fields, 'task attempt failed; retrying');
        if (!closed) scheduleRetry(record, now);
      }
    }
    changed(record);
    dispatch();
  }

  function scheduleRetry(record: TaskRecord, now: number): void {
    const delayMs = taskBackoffDelayMs(record.attempts, resolved.retries.backoff, random);
    record.timestamps.retryAt = now + delayMs;
    record.retryTimer = clock.setTimeout(() => {
      delete record.retryTimer;
      if (closed || records.get(record.id) !== record) return;
      record.status = 'queued';
      addWaiting(record);
      changed(record);
      dispatch();
    }, delayMs);
  }

  function finish(record: TaskRecord, now: number): void {
    record.timestamps.finishedAt = now;
    finished.push(record.id);
    evictFinished();
  }

  return {
    async enqueue(input) {
      if (closed) throw new FragmentkitError('INTERNAL', 'The task queue is closed; it takes no more tasks.');
      const task = checkEnqueueInput(input, resolved);
      evictFinished();
      const existing = task.idempotencyKey === undefined ? undefined : byIdempotencyKey.get(task.idempotencyKey);
      if (existing !== undefined) return { id: existing };
      const id = generateId();
      sequence += 1;
      const record: TaskRecord = {
        id,
        task,
        sequence,
        status: 'queued',
        attempts: 0,
        timestamps: { enqueuedAt: clock.now() },
      };
      records.set(id, record);
      if (task.idempotencyKey !== undefined) byIdempotencyKey.set(task.idempotencyKey, id);
      addWaiting(record);
      dispatch();
      return { id };
    },

    async process(taskHandler, processOptions = {}) {
      if (closed) throw new FragmentkitError('INTERNAL', 'The task queue is closed; it runs no more tasks.');
      if (handler) throw new FragmentkitError('INTERNAL', 'This task queue already has a handler.');
      const checked = processOptions.concurrency ?? resolved.concurrency;
      if (!Number.isInteger(checked) || checked < 1) {
        throw new FragmentkitError(
          'INVALID_REQUEST',
          `concurrency must be a positive integer, not ${String(checked)}.`,
        );
      }
      concurrency = checked;
      handler = taskHandler;
      dispatch();
    },

    async getJob(id) {
      evictFinished();
      const record = records.get(id);
      return record ? snapshot(record) : null;
    },

    subscribe(id, listener) {
      const record = records.get(id);
      const current = record ? snapshot(record) : null;
      return subscribers.add(id, listener, () => current);
    },

    async close() {
      closed = true;
      for (const record of records.values()) {
        if (record.retryTimer !== undefined) clock.clearTimeout(record.retryTimer);
        delete record.retryTimer;
      }
      waiting.length = 0;
      await Promise.all(running.values());
    },
  };
}
