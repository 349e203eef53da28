import type { ErrorBody } from '@fragmentkit/core';
import type { Job, JobState } from 'bullmq';
import type { TaskJob, TaskStatus } from './taskQueue.js';

/** Marks a failure reason fragmentkit wrote, so other reasons (a stall limit) stay plain text. */
const encodedErrorPrefix = 'fragmentkit-error:';

/**
 * Writes an attempt's error as the message of the error the BullMQ processor throws: BullMQ
 * keeps only the message (as `failedReason`), and the code and details must survive.
 *
 * @example
 * ```ts
 * throw new Error(encodeTaskError(error.toJSON()));
 * ```
 */
export function encodeTaskError(body: ErrorBody): string {
  return `${encodedErrorPrefix}${JSON.stringify(body)}`;
}

/**
 * Reads a BullMQ `failedReason` back into an error body. Reasons BullMQ wrote itself (a job
 * that stalled too often, a lost lock) become `INTERNAL` errors with that text.
 *
 * @example
 * ```ts
 * decodeTaskError('job stalled more than allowable limit'); // { code: 'INTERNAL', message: 'job stalled more than allowable limit' }
 * ```
 */
export function decodeTaskError(failedReason: string): ErrorBody {
  if (failedReason.startsWith(encodedErrorPrefix)) {
    try {
      const body = JSON.parse(failedReason.slice(encodedErrorPrefix.length)) as ErrorBody;
      if (typeof body?.code === 'string' && typeof body.message === 'string') return body;
    } catch {
      // Not ours after all: report the text as it is.
    }
  }
  return { code: 'INTERNAL', message: failedReason };
}

/**
 * The task status of a BullMQ job state. BullMQ's `failed` is terminal (attempts used up or an
 * unrecoverable error), so it is the dead-letter state; a job `delayed` after a failed attempt
 * is waiting for its retry. null for a job BullMQ no longer has.
 *
 * @example
 * ```ts
 * taskStatusOf('prioritized', job); // 'queued'
 * ```
 */
export function taskStatusOf(state: JobState | 'unknown', job: Pick<Job, 'attemptsMade'>): TaskStatus | null {
  switch (state) {
    case 'completed':
      return 'done';
    case 'failed':
      return 'dead';
    case 'active':
      return 'processing';
    case 'delayed':
      return job.attemptsMade > 0 ? 'failed' : 'queued';
    case 'waiting':
    case 'prioritized':
    case 'waiting-children':
      return 'queued';
    default:
      return null;
  }
}

/**
 * A {@link TaskJob} snapshot of a BullMQ job in the given state.
 *
 * @example
 * ```ts
 * const [job, state] = await Promise.all([queue.getJob(id), queue.getJobState(id)]);
 * const snapshot = job ? toTaskJob(job, state) : null;
 * ```
 */
export function toTaskJob<Data, Result>(job: Job, state: JobState | 'unknown'): TaskJob<Data, Result> | null {
  const status = taskStatusOf(state, job);
  if (status === null || job.id === undefined) return null;
  const finished = status === 'done' || status === 'dead';
  return {
    id: job.id,
    name: job.name,
    data: job.data as Data,
    status,
    priority: job.opts.priority ?? 0,
    attempts: job.attemptsStarted ?? job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    ...(status === 'done' ? { result: job.returnvalue as Result } : {}),
    ...(job.failedReason && status !== 'done' ? { error: decodeTaskError(job.failedReason) } : {}),
    timestamps: {
      enqueuedAt: job.timestamp,
      ...(job.processedOn ? { startedAt: job.processedOn } : {}),
      ...(finished && job.finishedOn ? { finishedAt: job.finishedOn } : {}),
    },
  };
}
