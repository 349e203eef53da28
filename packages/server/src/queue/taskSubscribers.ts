import type { TaskJob, TaskListener } from './taskQueue.js';

/**
 * Produces the snapshot to deliver: the one taken at the change (in-process) or a fresh read
 * (BullMQ). null when the task is unknown.
 */
type SnapshotSource<Data, Result> = () => TaskJob<Data, Result> | null | Promise<TaskJob<Data, Result> | null>;

interface Subscriber<Data, Result> {
  listener: TaskListener<Data, Result>;
  delivered: string | undefined;
  chain: Promise<void>;
  active: boolean;
}

/**
 * The listeners of each task. See {@link createTaskSubscribers}.
 *
 * @example
 * ```ts
 * const unsubscribe = subscribers.add(id, listener, () => snapshot(id));
 * subscribers.publish(id, () => snapshot(id));
 * ```
 */
export interface TaskSubscribers<Data, Result> {
  /** Adds a listener and delivers the snapshot `initial` gives; returns the unsubscribe function. */
  add(id: string, listener: TaskListener<Data, Result>, initial: SnapshotSource<Data, Result>): () => void;
  /** Delivers a new snapshot to the task's listeners, after everything delivered before. */
  publish(id: string, snapshot: SnapshotSource<Data, Result>): void;
  /** True when someone listens to the task. */
  has(id: string): boolean;
  /** Drops the task's listeners. */
  remove(id: string): void;
}

/**
 * Keeps the listeners of each task and delivers snapshots to each listener one at a time and
 * in order, skipping a snapshot that shows nothing new (same status, attempt and times), so a
 * listener sees every change once even when changes are read back asynchronously. A listener
 * that throws is reported and keeps its subscription; it never stops the queue.
 *
 * @example
 * ```ts
 * const subscribers = createTaskSubscribers<Data, Result>((error, id) =>
 *   logger.error({ error, taskId: id }, 'task listener failed'),
 * );
 * ```
 */
export function createTaskSubscribers<Data, Result>(
  onError: (error: unknown, id: string) => void,
): TaskSubscribers<Data, Result> {
  const byTask = new Map<string, Set<Subscriber<Data, Result>>>();

  function enqueue(id: string, subscriber: Subscriber<Data, Result>, source: SnapshotSource<Data, Result>): void {
    subscriber.chain = subscriber.chain
      .then(source)
      .then((job) => {
        if (!job || !subscriber.active) return;
        const key = changeKey(job);
        if (key === subscriber.delivered) return;
        subscriber.delivered = key;
        subscriber.listener(job);
      })
      .catch((error: unknown) => onError(error, id));
  }

  return {
    add(id, listener, initial) {
      const subscriber: Subscriber<Data, Result> = {
        listener,
        delivered: undefined,
        chain: Promise.resolve(),
        active: true,
      };
      let subscribers = byTask.get(id);
      if (!subscribers) {
        subscribers = new Set();
        byTask.set(id, subscribers);
      }
      subscribers.add(subscriber);
      enqueue(id, subscriber, initial);
      return () => {
        subscriber.active = false;
        const current = byTask.get(id);
        current?.delete(subscriber);
        if (current?.size === 0) byTask.delete(id);
      };
    },
    publish(id, snapshot) {
      for (const subscriber of byTask.get(id) ?? []) enqueue(id, subscriber, snapshot);
    },
    has: (id) => (byTask.get(id)?.size ?? 0) > 0,
    remove(id) {
      for (const subscriber of byTask.get(id) ?? []) subscriber.active = false;
      byTask.delete(id);
    },
  };
}

function changeKey(job: TaskJob<unknown, unknown>): string {
  const { startedAt, finishedAt, retryAt } = job.timestamps;
  return [job.status, job.attempts, startedAt ?? '', finishedAt ?? '', retryAt ?? ''].join(':');
}
