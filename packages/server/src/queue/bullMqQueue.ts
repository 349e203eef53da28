import { createHash, randomUUID } from 'node:crypto';
import { FragmentkitError } from '@fragmentkit/core';
import { type ConnectionOptions, type Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { z } from 'zod';
import { defaultLogger } from '../logger.js';
import { parseStoreInput } from '../store/storeInput.js';
import { encodeTaskError, toTaskJob } from './bullMqTaskJob.js';
import { systemQueueClock } from './queueClock.js';
import { isPermanentTaskFailure, runTaskAttempt, taskBackoffDelayMs } from './taskAttempt.js';
import type { TaskJob, TaskQueue } from './taskQueue.js';
import { checkEnqueueInput, resolveTaskQueueOptions, type TaskQueueOptions } from './taskQueueOptions.js';
import { createTaskSubscribers } from './taskSubscribers.js';

/**
 * Options of {@link createBullMqQueue}.
 *
 * @example
 * ```ts
 * const options: BullMqQueueOptions = {
 *   connection: { url: process.env.REDIS_URL },
 *   queueName: 'agent-tasks',
 *   concurrency: 4,
 *   retries: { attempts: 3, backoff: { minDelayMs: 1000, maxDelayMs: 30_000 } },
 *   timeoutMs: 120_000,
 * };
 * ```
 */
export interface BullMqQueueOptions extends TaskQueueOptions {
  /**
   * ioredis options (`{ url }` or host/port) or an ioredis instance. BullMQ duplicates an
   * instance for the blocking connections workers and events need; give such an instance
   * `maxRetriesPerRequest: null`.
   */
  connection: ConnectionOptions;
  /** Name of the BullMQ queue; no `:`. Every process that shares tasks uses the same one. */
  queueName: string;
  /** Prefix of every Redis key of the queue. Default `fk`. */
  prefix?: string;
  /**
   * How often a worker checks for tasks whose worker died (their lock expired) and puts them
   * back in the queue. Default 30 000.
   */
  stalledIntervalMs?: number;
  /** How often a task may stall before it is dead instead of requeued. Default 1. */
  maxStalledCount?: number;
  /**
   * How long a worker's lock on a running task lasts without renewal; it renews every half of
   * this while the process lives, so a dead worker's task is free again after at most this.
   * Default 30 000.
   */
  lockDurationMs?: number;
  /** Returns a number in [0, 1) for the backoff jitter, like `Math.random` (the default). */
  random?: () => number;
}

const bullMqOptionsSchema = z.object({
  queueName: z
    .string()
    .min(1)
    .max(200)
    .refine((name) => !name.includes(':'), 'queueName must not contain ":"'),
  prefix: z.string().min(1).max(200).default('fk'),
  stalledIntervalMs: z.number().int().min(1).max(3_600_000).default(30_000),
  maxStalledCount: z.number().int().min(0).max(100).default(1),
  lockDurationMs: z.number().int().min(1).max(3_600_000).default(30_000),
});

const backoffType = 'fragmentkit-full-jitter';
const changeEvents = ['added', 'waiting', 'active', 'completed', 'failed', 'delayed', 'stalled', 'removed'] as const;

/**
 * Creates a task queue on BullMQ, for several host instances: tasks live in Redis, any
 * process may enqueue, and every process that calls `process` works on them. On top of
 * BullMQ's priorities (1 first), attempts and stalled-job detection it adds what the
 * in-process queue does: per-mode priorities, exponential backoff with full jitter capped at
 * `maxDelayMs`, a timeout per attempt (the handler's signal aborts and the attempt fails), and
 * the `dead` state for tasks BullMQ gave up on (they stay in BullMQ's failed set, the dead
 * letters, for `retainFinished`). A task whose worker dies mid-attempt is not lost: its lock
 * expires after `lockDurationMs`, and the next stalled check of any live worker puts it back
 * in the queue.
 *
 * @example
 * ```ts
 * import { createBullMqQueue } from '@fragmentkit/server/bullmq';
 *
 * const queue = createBullMqQueue<{ conversationId: string }, { diff: string }>({
 *   connection: { url: process.env.REDIS_URL },
 *   queueName: 'agent-tasks',
 *   concurrency: 4,
 *   timeoutMs: 120_000,
 * });
 * await queue.process(async ({ data, signal }) => ({ diff: await runPatchTask(data.conversationId, { signal }) }));
 * const { id } = await queue.enqueue({ name: 'patch', data: { conversationId }, idempotencyKey });
 * ```
 */
export function createBullMqQueue<Data = unknown, Result = unknown>(
  options: BullMqQueueOptions,
): TaskQueue<Data, Result> {
  const resolved = resolveTaskQueueOptions(options, 'createBullMqQueue');
  const { queueName, prefix, stalledIntervalMs, maxStalledCount, lockDurationMs } = parseStoreInput(
    bullMqOptionsSchema,
    options,
    'createBullMqQueue',
  );
  if (typeof options.connection !== 'object' || options.connection === null) {
    throw new FragmentkitError('INVALID_REQUEST', 'createBullMqQueue needs a connection: ioredis options or instance.');
  }
  const { connection } = options;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? defaultLogger;
  const retainFinished = {
    count: resolved.retainFinished.count,
    age: Math.ceil(resolved.retainFinished.ttlMs / 1000),
  };

  const queue = new Queue(queueName, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: retainFinished, removeOnFail: retainFinished },
  });
  queue.on('error', (error) => logger.error({ error, queueName }, 'task queue connection error'));
  let worker: Worker | undefined;
  let events: Promise<QueueEvents> | undefined;
  let closed = false;

  const subscribers = createTaskSubscribers<Data, Result>((error, id) =>
    logger.error({ error, taskId: id, queueName }, 'task listener failed'),
  );

  /**
   * The job's hash and its state are two reads. A hash read between two equal state reads
   * belongs to that state; otherwise the job moved meanwhile and is read again.
   */
  async function readJob(id: string): Promise<TaskJob<Data, Result> | null> {
    let state = await queue.getJobState(id);
    for (let read = 0; ; read += 1) {
      const job = await queue.getJob(id);
      if (!job) return null;
      const stateAfter = await queue.getJobState(id);
      if (stateAfter === state || read === 4) return toTaskJob<Data, Result>(job, stateAfter);
      state = stateAfter;
    }
  }

  function listenForChanges(): Promise<QueueEvents> {
    events ??= (async () => {
      const queueEvents = new QueueEvents(queueName, { connection, prefix });
      queueEvents.on('error', (error) => logger.error({ error, queueName }, 'task events connection error'));
      for (const event of changeEvents) {
        queueEvents.on(event, ({ jobId }: { jobId: string }) => {
          if (subscribers.has(jobId)) subscribers.publish(jobId, () => readJob(jobId));
        });
      }
      await queueEvents.waitUntilReady();
      return queueEvents;
    })();
    // A failed start (Redis unreachable) is not remembered: the next subscriber tries again.
    events.catch(() => {
      events = undefined;
    });
    return events;
  }

  return {
    async enqueue(input) {
      if (closed) throw new FragmentkitError('INTERNAL', 'The task queue is closed; it takes no more tasks.');
      const task = checkEnqueueInput(input, resolved);
      const jobId =
        task.idempotencyKey === undefined
          ? randomUUID()
          : `key-${createHash('sha256').update(task.idempotencyKey).digest('hex')}`;
      // BullMQ adds nothing when a job with this id exists and answers with that job's id.
      const job = await queue.add(task.name, task.data, {
        jobId,
        priority: task.priority,
        attempts: task.attempts,
        backoff: { type: backoffType },
      });
      return { id: job.id ?? jobId };
    },

    async process(handler, processOptions = {}) {
      if (closed) throw new FragmentkitError('INTERNAL', 'The task queue is closed; it runs no more tasks.');
      if (worker) throw new FragmentkitError('INTERNAL', 'This task queue already has a handler.');
      const concurrency = processOptions.concurrency ?? resolved.concurrency;
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new FragmentkitError(
          'INVALID_REQUEST',
          `concurrency must be a positive integer, not ${String(concurrency)}.`,
        );
      }
      worker = new Worker(
        queueName,
        async (job: Job) => {
          const controller = new AbortController();
          const attempt = job.attemptsStarted;
          const outcome = await runTaskAttempt({
            handler,
            task: { id: job.id!, name: job.name, data: job.data as Data, attempt, signal: controller.signal },
            timeoutMs: resolved.timeoutMs,
            clock: systemQueueClock,
            controller,
          });
          if (outcome.ok) return outcome.result;
          const { error } = outcome;
          const fields = { taskId: job.id, taskName: job.name, attempt, queueName, error: error.toJSON() };
          const encoded = encodeTaskError(error.toJSON());
          if (isPermanentTaskFailure(error)) {
            logger.error(fields, 'task failed permanently');
            throw new UnrecoverableError(encoded);
          }
          logger.warn(fields, 'task attempt failed');
          throw new Error(encoded);
        },
        {
          connection,
          prefix,
          concurrency,
          stalledInterval: stalledIntervalMs,
          maxStalledCount,
          lockDuration: lockDurationMs,
          settings: {
            backoffStrategy: (attemptsMade) => taskBackoffDelayMs(attemptsMade, resolved.retries.backoff, random),
          },
        },
      );
      worker.on('error', (error) => logger.error({ error, queueName }, 'task worker error'));
      await worker.waitUntilReady();
    },

    getJob: readJob,

    subscribe(id, listener) {
      // The initial read waits for the event stream, so no change between the two is missed.
      return subscribers.add(id, listener, async () => {
        await listenForChanges();
        return readJob(id);
      });
    },

    async close() {
      closed = true;
      await worker?.close();
      const queueEvents = await events?.catch(() => undefined);
      await queueEvents?.close();
      await queue.close();
    },
  };
}
