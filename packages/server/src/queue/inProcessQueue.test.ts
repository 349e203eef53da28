import { afterEach, describe, expect, it } from 'vitest';
import type { FragmentkitLogger } from '../logger.js';
import { createManualQueueClock, type ManualQueueClock } from './__fixtures__/manualQueueClock.js';
import { createInProcessQueue, type InProcessQueueOptions } from './inProcessQueue.js';
import type { TaskQueue, TaskStatus } from './taskQueue.js';
import { describeTaskQueueContract } from './taskQueueContract.js';

let contractClock: ManualQueueClock = createManualQueueClock();
describeTaskQueueContract('in-process', {
  create: (options) => {
    contractClock = createManualQueueClock();
    return createInProcessQueue({ ...options, clock: contractClock, logger: silentLogger().logger });
  },
  advance: (ms) => contractClock.advance(ms),
});

function silentLogger() {
  const entries: { level: string; fields: Record<string, unknown>; message?: string }[] = [];
  const logger: FragmentkitLogger = {
    info: (fields, message) => entries.push({ level: 'info', fields, message }),
    warn: (fields, message) => entries.push({ level: 'warn', fields, message }),
    error: (fields, message) => entries.push({ level: 'error', fields, message }),
  };
  return { logger, entries };
}

describe('createInProcessQueue', () => {
  let clock: ManualQueueClock;
  const queues: TaskQueue<unknown, unknown>[] = [];

  function createQueue(options: InProcessQueueOptions = {}) {
    clock = createManualQueueClock();
    let ids = 0;
    const queue = createInProcessQueue<unknown, unknown>({
      clock,
      logger: silentLogger().logger,
      generateId: () => {
        ids += 1;
        return `task-${ids}`;
      },
      ...options,
    });
    queues.push(queue);
    return queue;
  }

  afterEach(async () => {
    const closing = Promise.all(queues.splice(0).map((queue) => queue.close()));
    // Attempts still running settle at their timeout, which only this clock can reach.
    await clock.advance(86_400_000);
    await closing;
  });

  it('waits a full-jitter exponential backoff before each retry, capped at maxDelayMs', async () => {
    const queue = createQueue({
      random: () => 0.5,
      retries: { attempts: 4, backoff: { minDelayMs: 1000, maxDelayMs: 3000 } },
    });
    const startedAt: number[] = [];
    await queue.process(async () => {
      startedAt.push(clock.now());
      throw new Error('still flaky');
    });
    const start = clock.now();
    const { id } = await queue.enqueue({ name: 'patch', data: null });
    await clock.settle();

    // Half of 1000, half of 2000, then half of min(3000, 4000).
    expect(await queue.getJob(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      timestamps: { retryAt: start + 500 },
    });
    await clock.advance(499);
    expect(startedAt).toHaveLength(1);
    await clock.advance(1);
    expect(startedAt).toEqual([start, start + 500]);
    await clock.advance(1000);
    expect(startedAt).toEqual([start, start + 500, start + 1500]);
    await clock.advance(1500);
    expect(startedAt).toEqual([start, start + 500, start + 1500, start + 3000]);
    expect(await queue.getJob(id)).toMatchObject({
      status: 'dead',
      attempts: 4,
      error: { code: 'INTERNAL', message: 'Unexpected error: still flaky' },
      timestamps: { finishedAt: start + 3000 },
    });
  });

  it('tells a subscriber about every transition, retries included', async () => {
    const queue = createQueue({ random: () => 0, retries: { attempts: 2 } });
    let calls = 0;
    await queue.process(async () => {
      calls += 1;
      if (calls === 1) throw new Error('first attempt fails');
      return 'fine';
    });
    const { id } = await queue.enqueue({ name: 'patch', data: null });
    const statuses: [TaskStatus, number][] = [];
    queue.subscribe(id, (job) => statuses.push([job.status, job.attempts]));
    await clock.advance(10);

    expect(statuses).toEqual([
      ['processing', 1],
      ['failed', 1],
      ['queued', 1],
      ['processing', 2],
      ['done', 2],
    ]);
  });

  it('delivers the queued snapshot first to a subscriber that comes before the worker', async () => {
    const queue = createQueue();
    const { id } = await queue.enqueue({ name: 'explain', data: null });
    const statuses: TaskStatus[] = [];
    queue.subscribe(id, (job) => statuses.push(job.status));
    await queue.process(async () => 'answer');
    await clock.settle();
    expect(statuses).toEqual(['queued', 'processing', 'done']);
  });

  it('frees the slot of a timed-out attempt, so the next task runs though the handler never returns', async () => {
    const queue = createQueue({ timeoutMs: 1000, retries: { attempts: 1 }, concurrency: 1 });
    const started: string[] = [];
    await queue.process(async (task) => {
      started.push(task.id);
      if (task.id === 'task-1') return new Promise(() => {});
      return 'quick';
    });
    await queue.enqueue({ name: 'patch', data: null });
    const second = await queue.enqueue({ name: 'patch', data: null });
    await clock.advance(999);
    expect(started).toEqual(['task-1']);
    await clock.advance(1);
    expect(started).toEqual(['task-1', 'task-2']);
    expect(await queue.getJob(second.id)).toMatchObject({ status: 'done' });
  });

  it('keeps only the newest finished tasks, and each only for ttlMs', async () => {
    const queue = createQueue({ retainFinished: { count: 2, ttlMs: 60_000 } });
    await queue.process(async () => 'done');
    const first = await queue.enqueue({ name: 'explain', data: null, idempotencyKey: 'first' });
    const second = await queue.enqueue({ name: 'explain', data: null });
    const third = await queue.enqueue({ name: 'explain', data: null });
    await clock.settle();

    expect(await queue.getJob(first.id)).toBeNull();
    expect(await queue.getJob(second.id)).toMatchObject({ status: 'done' });
    // The key of a forgotten task may be used again.
    const again = await queue.enqueue({ name: 'explain', data: null, idempotencyKey: 'first' });
    expect(again.id).not.toBe(first.id);

    await clock.advance(60_000);
    expect(await queue.getJob(third.id)).toBeNull();
  });

  it('hands each attempt its own copy of the data', async () => {
    const queue = createQueue({ random: () => 0, retries: { attempts: 2 } });
    const seen: unknown[] = [];
    await queue.process(async (task) => {
      const data = task.data as { items: string[] };
      seen.push(structuredClone(data));
      data.items.push('mutated');
      if (task.attempt === 1) throw new Error('retry');
    });
    const input = { items: ['a'] };
    const { id } = await queue.enqueue({ name: 'patch', data: input });
    input.items.push('changed by the caller');
    await clock.advance(10);
    expect(seen).toEqual([{ items: ['a'] }, { items: ['a'] }]);
    expect((await queue.getJob(id))?.data).toEqual({ items: ['a'] });
  });

  it('logs failed attempts and listener errors without stopping', async () => {
    const { logger, entries } = silentLogger();
    const queue = createQueue({ logger, random: () => 0, retries: { attempts: 2 } });
    await queue.process(async (task) => {
      if (task.attempt === 1) throw new Error('boom');
      return 'ok';
    });
    const { id } = await queue.enqueue({ name: 'patch', data: null });
    queue.subscribe(id, () => {
      throw new Error('listener bug');
    });
    await clock.advance(10);
    expect(await queue.getJob(id)).toMatchObject({ status: 'done' });
    expect(entries.map((entry) => [entry.level, entry.message])).toContainEqual([
      'warn',
      'task attempt failed; retrying',
    ]);
    expect(entries.filter((entry) => entry.message === 'task listener failed').length).toBeGreaterThan(0);
  });

  it('waits for running attempts on close and takes no tasks afterwards', async () => {
    const queue = createQueue();
    let finish = () => {};
    await queue.process(
      () =>
        new Promise<string>((resolve) => {
          finish = () => resolve('finished');
        }),
    );
    const { id } = await queue.enqueue({ name: 'explain', data: null });
    await clock.settle();
    let closed = false;
    const closing = queue.close().then(() => {
      closed = true;
    });
    await clock.settle();
    expect(closed).toBe(false);
    finish();
    await closing;
    expect(await queue.getJob(id)).toMatchObject({ status: 'done', result: 'finished' });
    await expect(queue.enqueue({ name: 'explain', data: null })).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('rejects invalid options and a second handler with typed errors', async () => {
    expect(() => createInProcessQueue({ concurrency: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    expect(() => createInProcessQueue({ retries: { backoff: { minDelayMs: 100, maxDelayMs: 10 } } })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    expect(() => createInProcessQueue({ priorities: { patch: 0 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    const queue = createQueue();
    await queue.process(async () => null);
    await expect(queue.process(async () => null)).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
