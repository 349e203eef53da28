import { FragmentkitError } from '@fragmentkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskContext, TaskJob, TaskQueue, TaskStatus } from './taskQueue.js';
import type { TaskQueueOptions } from './taskQueueOptions.js';

/*
 * The behaviour every TaskQueue must show, as one suite that each queue's test file runs.
 * Test support only: nothing in the package imports this file.
 */

/**
 * What the contract needs from a queue implementation's test file.
 *
 * @example
 * ```ts
 * const harness: TaskQueueHarness = {
 *   create: (options) => createInProcessQueue({ ...options, clock }),
 *   advance: (ms) => clock.advance(ms),
 * };
 * ```
 */
export interface TaskQueueHarness {
  /** A queue with fresh state (e.g. a unique Redis queue name) and the given options. */
  create(
    options: TaskQueueOptions,
  ): TaskQueue<Record<string, unknown>, unknown> | Promise<TaskQueue<Record<string, unknown>, unknown>>;
  /** Lets `ms` of time pass: a fake clock moves, or real time passes. */
  advance(ms: number): Promise<void>;
  /** Releases what `create` made beyond the queue itself (closing the queue is the suite's job). */
  cleanup?(): Promise<void>;
}

const terminal = new Set<TaskStatus>(['done', 'dead']);

/** Fast retries and a short timeout, so a queue on real time finishes the suite quickly. */
const fastRetries = { attempts: 3, backoff: { minDelayMs: 10, maxDelayMs: 40 } };
const timeoutMs = 300;

/** Resolves when the test releases it. */
function gate(): { promise: Promise<void>; release: () => void } {
  let release = () => {};
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

/**
 * Runs the shared {@link TaskQueue} contract against queues made by `harness.create`.
 *
 * @example
 * ```ts
 * describeTaskQueueContract('in-process', harness);
 * ```
 */
export function describeTaskQueueContract(name: string, harness: TaskQueueHarness): void {
  describe(`TaskQueue contract: ${name}`, () => {
    const queues: TaskQueue<Record<string, unknown>, unknown>[] = [];

    async function createQueue(options: TaskQueueOptions = {}) {
      const queue = await harness.create({ retries: fastRetries, timeoutMs, ...options });
      queues.push(queue);
      return queue;
    }

    afterEach(async () => {
      await Promise.all(queues.splice(0).map((queue) => queue.close()));
      await harness.cleanup?.();
    });

    /** Polls `read` until `until` holds, letting time pass between reads; bounded. */
    async function waitFor<Value>(
      read: () => Promise<Value> | Value,
      until: (value: Value) => boolean,
    ): Promise<Value> {
      let value = await read();
      for (let step = 0; step < 1000 && !until(value); step += 1) {
        await harness.advance(10);
        value = await read();
      }
      expect(until(value), `condition not reached; last value: ${JSON.stringify(value)}`).toBe(true);
      return value;
    }

    const finished = (queue: TaskQueue<Record<string, unknown>, unknown>, id: string) =>
      waitFor(
        () => queue.getJob(id),
        (job) => job !== null && terminal.has(job.status),
      ) as Promise<TaskJob<Record<string, unknown>, unknown>>;

    it('runs a task and records its result', async () => {
      const queue = await createQueue();
      const seen: TaskContext<Record<string, unknown>>[] = [];
      await queue.process(async (task) => {
        seen.push(task);
        return { answer: `explained ${String(task.data.path)}`, at: new Date(0) };
      });
      const { id } = await queue.enqueue({ name: 'explain', data: { path: 'src/App.tsx' } });

      const job = await finished(queue, id);
      expect(job).toMatchObject({
        id,
        name: 'explain',
        data: { path: 'src/App.tsx' },
        status: 'done',
        attempts: 1,
        maxAttempts: 3,
        // Results come back as JSON, as they would through Redis.
        result: { answer: 'explained src/App.tsx', at: '1970-01-01T00:00:00.000Z' },
      });
      expect(job.error).toBeUndefined();
      const { enqueuedAt, startedAt, finishedAt } = job.timestamps;
      expect(enqueuedAt).toBeLessThanOrEqual(startedAt!);
      expect(startedAt).toBeLessThanOrEqual(finishedAt!);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ id, name: 'explain', data: { path: 'src/App.tsx' }, attempt: 1 });
      expect(seen[0]!.signal.aborted).toBe(false);
    });

    it('stores no result as null and fails an attempt whose result is not JSON', async () => {
      const queue = await createQueue({ retries: { attempts: 1 } });
      await queue.process(async (task) => (task.data.kind === 'nothing' ? undefined : { size: 10n }));
      const nothing = await queue.enqueue({ name: 'explain', data: { kind: 'nothing' } });
      const bigint = await queue.enqueue({ name: 'explain', data: { kind: 'bigint' } });

      expect(await finished(queue, nothing.id)).toMatchObject({ status: 'done', result: null });
      expect(await finished(queue, bigint.id)).toMatchObject({
        status: 'dead',
        error: { code: 'INTERNAL', message: 'The task handler returned a result that is not JSON-serialisable.' },
      });
    });

    it('retries a failing task with backoff until an attempt succeeds', async () => {
      const queue = await createQueue();
      const attempts: number[] = [];
      await queue.process(async (task) => {
        attempts.push(task.attempt);
        if (task.attempt < 3) throw new Error(`flaky ${task.attempt}`);
        return 'third time lucky';
      });
      const { id } = await queue.enqueue({ name: 'patch', data: {} });

      const job = await finished(queue, id);
      expect(job).toMatchObject({ status: 'done', attempts: 3, result: 'third time lucky' });
      expect(job.error).toBeUndefined();
      expect(attempts).toEqual([1, 2, 3]);
    });

    it('moves a task whose every attempt fails to the dead-letter state with the last error', async () => {
      const queue = await createQueue();
      let calls = 0;
      await queue.process(async () => {
        calls += 1;
        throw new FragmentkitError('PROVIDER_UNAVAILABLE', `model down (${calls})`, { isRetryable: true });
      });
      const { id } = await queue.enqueue({ name: 'generate_test', data: {}, attempts: 2 });

      const job = await finished(queue, id);
      expect(job).toMatchObject({
        status: 'dead',
        attempts: 2,
        maxAttempts: 2,
        error: { code: 'PROVIDER_UNAVAILABLE', message: 'model down (2)' },
      });
      expect(job.result).toBeUndefined();
      expect(calls).toBe(2);
    });

    it('does not retry a task whose error says its input is wrong', async () => {
      const queue = await createQueue();
      let calls = 0;
      await queue.process(async () => {
        calls += 1;
        throw new FragmentkitError('INVALID_REQUEST', 'src/missing.ts is not in the fragment', {
          details: { path: 'src/missing.ts' },
        });
      });
      const { id } = await queue.enqueue({ name: 'patch', data: {} });

      const job = await finished(queue, id);
      expect(job).toMatchObject({
        status: 'dead',
        attempts: 1,
        error: {
          code: 'INVALID_REQUEST',
          message: 'src/missing.ts is not in the fragment',
          details: { path: 'src/missing.ts' },
        },
      });
      expect(calls).toBe(1);
    });

    it('fails an attempt that outlives the timeout and aborts its signal, even when the handler ignores it', async () => {
      const queue = await createQueue({ retries: { attempts: 1 } });
      const signals: AbortSignal[] = [];
      await queue.process((task) => {
        signals.push(task.signal);
        return new Promise(() => {});
      });
      const { id } = await queue.enqueue({ name: 'lint_fix', data: {} });

      const job = await finished(queue, id);
      expect(job).toMatchObject({
        status: 'dead',
        attempts: 1,
        error: { code: 'ABORTED', details: { reason: 'timeout', timeoutMs } },
      });
      expect(signals).toHaveLength(1);
      expect(signals[0]!.aborted).toBe(true);
    });

    it('runs waiting tasks by priority: mode first, then order of arrival', async () => {
      const queue = await createQueue({ concurrency: 1 });
      const ids = new Map<string, string>();
      for (const [label, input] of [
        ['lint', { name: 'lint_fix', data: { label: 'lint' } }],
        ['test', { name: 'generate_test', data: { label: 'test' } }],
        ['patch', { name: 'patch', data: { label: 'patch' } }],
        ['explain', { name: 'explain', data: { label: 'explain' } }],
        ['urgent', { name: 'lint_fix', data: { label: 'urgent' }, priority: 1 }],
        ['custom', { name: 'summarize', data: { label: 'custom' } }],
      ] as const) {
        ids.set(label, (await queue.enqueue(input)).id);
      }
      const order: string[] = [];
      await queue.process(async (task) => {
        order.push(String(task.data.label));
      });

      await waitFor(
        () => order.length,
        (length) => length === 6,
      );
      expect(order).toEqual(['explain', 'urgent', 'patch', 'test', 'lint', 'custom']);
      expect((await queue.getJob(ids.get('urgent')!))?.priority).toBe(1);
      expect((await queue.getJob(ids.get('custom')!))?.priority).toBe(10);
    });

    it('runs at most `concurrency` tasks at once', async () => {
      const queue = await createQueue();
      const release = gate();
      let running = 0;
      let mostAtOnce = 0;
      await queue.process(
        async () => {
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          await release.promise;
          running -= 1;
        },
        { concurrency: 2 },
      );
      const ids = await Promise.all([1, 2, 3].map(() => queue.enqueue({ name: 'explain', data: {} })));

      const statuses = () => Promise.all(ids.map(async ({ id }) => (await queue.getJob(id))?.status));
      const during = await waitFor(statuses, (list) => list.filter((status) => status === 'processing').length === 2);
      expect(during.filter((status) => status === 'queued')).toHaveLength(1);
      release.release();
      await waitFor(statuses, (list) => list.every((status) => status === 'done'));
      expect(mostAtOnce).toBe(2);
    });

    it('adds a task once per idempotency key', async () => {
      const queue = await createQueue();
      const first = await queue.enqueue({ name: 'patch', data: { try: 1 }, idempotencyKey: 'request-42' });
      const second = await queue.enqueue({ name: 'patch', data: { try: 2 }, idempotencyKey: 'request-42' });
      const other = await queue.enqueue({ name: 'patch', data: { try: 3 }, idempotencyKey: 'request-43' });
      expect(second.id).toBe(first.id);
      expect(other.id).not.toBe(first.id);

      const runs: unknown[] = [];
      await queue.process(async (task) => {
        runs.push(task.data.try);
      });
      await finished(queue, first.id);
      await finished(queue, other.id);
      expect(runs.sort()).toEqual([1, 3]);
    });

    it('tells a subscriber the current status and every change until the task is done', async () => {
      const queue = await createQueue();
      const release = gate();
      await queue.process(async () => {
        await release.promise;
        return 'ok';
      });
      const { id } = await queue.enqueue({ name: 'explain', data: {} });
      const statuses: TaskStatus[] = [];
      const unsubscribe = queue.subscribe(id, (job) => statuses.push(job.status));

      await waitFor(
        () => statuses.at(-1),
        (status) => status === 'processing',
      );
      release.release();
      await waitFor(
        () => statuses.at(-1),
        (status) => status === 'done',
      );
      unsubscribe();
      // Changes close together may be merged, but never reordered or repeated.
      expect(statuses.at(-1)).toBe('done');
      expect(statuses).toEqual([...new Set(statuses)]);
      const order: TaskStatus[] = ['queued', 'processing', 'done'];
      expect(statuses.map((status) => order.indexOf(status))).toEqual(
        [...statuses.map((status) => order.indexOf(status))].sort(),
      );
    });

    it('answers null for a task it does not know', async () => {
      const queue = await createQueue();
      expect(await queue.getJob('no-such-task')).toBeNull();
    });

    it('rejects invalid tasks with INVALID_REQUEST', async () => {
      const queue = await createQueue();
      for (const input of [
        { name: '', data: {} },
        { name: 'patch', data: {}, priority: 0 },
        { name: 'patch', data: {}, priority: 3_000_000 },
        { name: 'patch', data: {}, attempts: 0 },
        { name: 'patch', data: { size: 10n } },
        { name: 'patch', data: undefined },
      ]) {
        await expect(queue.enqueue(input as never)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      }
    });
  });
}
