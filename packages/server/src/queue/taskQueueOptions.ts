import { z } from 'zod';
import type { FragmentkitLogger } from '../logger.js';
import { parseStoreInput } from '../store/storeInput.js';
import type { EnqueueTaskInput } from './taskQueue.js';

/**
 * The default priority of each task mode, BullMQ-style: 1 runs first. A user waiting for an
 * explanation beats a patch, which beats background test generation and lint fixes.
 *
 * @example
 * ```ts
 * import { createInProcessQueue, defaultTaskPriorities } from '@fragmentkit/server';
 *
 * const queue = createInProcessQueue({ priorities: { ...defaultTaskPriorities, lint_fix: 2 } });
 * ```
 */
export const defaultTaskPriorities: Readonly<Record<string, number>> = Object.freeze({
  explain: 1,
  patch: 2,
  generate_test: 3,
  lint_fix: 4,
});

/**
 * The largest priority number (the lowest priority) BullMQ accepts; the in-process queue
 * accepts the same range, 1 to this.
 *
 * @example
 * ```ts
 * await queue.enqueue({ name: 'lint_fix', data, priority: maxTaskPriority }); // after everything else
 * ```
 */
export const maxTaskPriority = 2_097_151;

/**
 * Retries of a failed attempt: up to `attempts` in all, the n-th retry waiting a random time
 * up to `min(maxDelayMs, minDelayMs × 2^(n-1))` (exponential backoff with full jitter, so tasks
 * that failed together do not retry together).
 *
 * @example
 * ```ts
 * const retries: TaskRetryOptions = { attempts: 5, backoff: { minDelayMs: 500, maxDelayMs: 60_000 } };
 * ```
 */
export interface TaskRetryOptions {
  /** Attempts per task, the first included. Default 3. */
  attempts?: number;
  backoff?: {
    /** Default 1000. */
    minDelayMs?: number;
    /** Default 30 000. */
    maxDelayMs?: number;
  };
}

/**
 * How long finished (`done` or `dead`) tasks stay readable with `getJob`: the newest `count`,
 * each for at most `ttlMs`. Bounds memory (in-process) or Redis space (BullMQ).
 *
 * @example
 * ```ts
 * const retainFinished: TaskRetentionOptions = { count: 500, ttlMs: 15 * 60_000 };
 * ```
 */
export interface TaskRetentionOptions {
  /** Default 1000. */
  count?: number;
  /** Default one hour. */
  ttlMs?: number;
}

/**
 * Options both task queues share.
 *
 * @example
 * ```ts
 * const options: TaskQueueOptions = {
 *   concurrency: 4,
 *   retries: { attempts: 3, backoff: { minDelayMs: 1000, maxDelayMs: 30_000 } },
 *   timeoutMs: 120_000,
 *   priorities: { explain: 1, patch: 2, generate_test: 3, lint_fix: 4 },
 * };
 * ```
 */
export interface TaskQueueOptions {
  /** Attempts run at once by `process` (unless it is given its own). Default 1. */
  concurrency?: number;
  retries?: TaskRetryOptions;
  /** Longest an attempt may run before it is aborted and counted as failed. Default 5 minutes. */
  timeoutMs?: number;
  /** Priority by task name (1 first), merged over {@link defaultTaskPriorities}. */
  priorities?: Record<string, number>;
  /** Priority of a task whose name has none. Default 10. */
  defaultPriority?: number;
  retainFinished?: TaskRetentionOptions;
  /** Where failed attempts and listener errors are reported. Default: errors to `console.error`. */
  logger?: FragmentkitLogger;
}

const priority = z.number().int().min(1).max(maxTaskPriority);
const count = z.number().int().min(1).max(100);

const queueOptionsSchema = z.object({
  concurrency: z.number().int().min(1).max(1000).default(1),
  retries: z
    .object({
      attempts: count.default(3),
      backoff: z
        .object({
          minDelayMs: z.number().int().min(0).max(86_400_000).default(1000),
          maxDelayMs: z.number().int().min(0).max(86_400_000).default(30_000),
        })
        .refine((backoff) => backoff.maxDelayMs >= backoff.minDelayMs, 'maxDelayMs must not be below minDelayMs')
        .default({ minDelayMs: 1000, maxDelayMs: 30_000 }),
    })
    .default({ attempts: 3, backoff: { minDelayMs: 1000, maxDelayMs: 30_000 } }),
  timeoutMs: z.number().int().min(1).max(86_400_000).default(300_000),
  priorities: z.record(z.string(), priority).default({}),
  defaultPriority: priority.default(10),
  retainFinished: z
    .object({
      count: z.number().int().min(0).max(1_000_000).default(1000),
      ttlMs: z
        .number()
        .int()
        .min(0)
        .max(31 * 86_400_000)
        .default(3_600_000),
    })
    .default({ count: 1000, ttlMs: 3_600_000 }),
});

/**
 * {@link TaskQueueOptions} with every default filled in.
 *
 * @example
 * ```ts
 * const { retries, timeoutMs } = resolveTaskQueueOptions({ timeoutMs: 60_000 }, 'createInProcessQueue');
 * ```
 */
export interface ResolvedTaskQueueOptions {
  concurrency: number;
  retries: { attempts: number; backoff: { minDelayMs: number; maxDelayMs: number } };
  timeoutMs: number;
  priorities: Record<string, number>;
  defaultPriority: number;
  retainFinished: { count: number; ttlMs: number };
}

/**
 * Validates the shared options and fills in defaults.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` naming the option that is out of range.
 *
 * @example
 * ```ts
 * const resolved = resolveTaskQueueOptions(options, 'createBullMqQueue');
 * ```
 */
export function resolveTaskQueueOptions(options: TaskQueueOptions, operation: string): ResolvedTaskQueueOptions {
  // Options beyond the shared ones (clock, connection, ...) are the caller's to check.
  const resolved = parseStoreInput(queueOptionsSchema, options, operation);
  return { ...resolved, priorities: { ...defaultTaskPriorities, ...resolved.priorities } };
}

const enqueueSchema = z.object({
  name: z.string().min(1).max(128),
  data: z.unknown().refine(isJsonSerialisable, 'data must be JSON-serialisable (use null for no data)'),
  priority: priority.optional(),
  idempotencyKey: z.string().min(1).max(512).optional(),
  attempts: count.optional(),
});

/**
 * A checked task, with its priority and attempts decided and its data as the JSON copy the
 * handler will see.
 *
 * @example
 * ```ts
 * const task: CheckedTask = checkEnqueueInput(input, resolved);
 * ```
 */
export interface CheckedTask {
  name: string;
  data: unknown;
  priority: number;
  attempts: number;
  idempotencyKey: string | undefined;
}

/**
 * Validates an {@link EnqueueTaskInput} and fills in the queue's defaults.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` for an invalid task.
 *
 * @example
 * ```ts
 * const task = checkEnqueueInput({ name: 'patch', data }, resolved);
 * task.priority; // 2
 * ```
 */
export function checkEnqueueInput(input: EnqueueTaskInput<unknown>, options: ResolvedTaskQueueOptions): CheckedTask {
  const checked = parseStoreInput(enqueueSchema, input, 'enqueue');
  return {
    name: checked.name,
    data: jsonCopy(checked.data),
    priority: checked.priority ?? options.priorities[checked.name] ?? options.defaultPriority,
    attempts: checked.attempts ?? options.retries.attempts,
    idempotencyKey: checked.idempotencyKey,
  };
}

/**
 * The value as it comes back from JSON, which is what a task's data and result look like
 * after a trip through Redis; the in-process queue uses it too so both behave the same.
 *
 * @example
 * ```ts
 * jsonCopy({ at: new Date(0) }); // { at: '1970-01-01T00:00:00.000Z' }
 * ```
 */
export function jsonCopy<Value>(value: Value): Value {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as Value);
}

function isJsonSerialisable(value: unknown): boolean {
  try {
    return value !== undefined && JSON.stringify(value) !== undefined;
  } catch {
    return false;
  }
}
