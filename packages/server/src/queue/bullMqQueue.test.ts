import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeWithRedis, redisUrl } from '../../test/testRedis.js';
import type { FragmentkitLogger } from '../logger.js';
import { type BullMqQueueOptions, createBullMqQueue } from './bullMqQueue.js';
import type { TaskJob, TaskQueue } from './taskQueue.js';
import { describeTaskQueueContract } from './taskQueueContract.js';

const prefix = 'fk-test';
const quiet: FragmentkitLogger = { info() {}, warn() {}, error() {} };
const realTime = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Removes every key of the queues the tests created. */
const createdQueueNames: string[] = [];
function uniqueQueueName(): string {
  const name = `tasks-${randomUUID()}`;
  createdQueueNames.push(name);
  return name;
}

async function obliterateCreatedQueues(): Promise<void> {
  for (const name of createdQueueNames.splice(0)) {
    const queue = new Queue(name, { connection: { url: redisUrl }, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

describeWithRedis('BullMQ task queue against real Redis', () => {
  afterAll(obliterateCreatedQueues);

  describeTaskQueueContract('BullMQ', {
    create: (options) =>
      createBullMqQueue({
        ...options,
        connection: { url: redisUrl },
        queueName: uniqueQueueName(),
        prefix,
        logger: quiet,
      }),
    advance: realTime,
    cleanup: obliterateCreatedQueues,
  });

  describe('createBullMqQueue', () => {
    const queues: TaskQueue<Record<string, unknown>, unknown>[] = [];
    const children: ChildProcess[] = [];

    function createQueue(options: Partial<BullMqQueueOptions> & { queueName: string }) {
      const queue = createBullMqQueue<Record<string, unknown>, unknown>({
        connection: { url: redisUrl },
        prefix,
        logger: quiet,
        ...options,
      });
      queues.push(queue);
      return queue;
    }

    afterEach(async () => {
      for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
      await Promise.all(queues.splice(0).map((queue) => queue.close()));
      await obliterateCreatedQueues();
    });

    async function waitForJob(
      queue: TaskQueue<Record<string, unknown>, unknown>,
      id: string,
      until: (job: TaskJob<Record<string, unknown>, unknown> | null) => boolean,
      timeoutMs = 20_000,
    ) {
      const deadline = Date.now() + timeoutMs;
      let job = await queue.getJob(id);
      while (!until(job) && Date.now() < deadline) {
        await realTime(25);
        job = await queue.getJob(id);
      }
      expect(until(job), `task state not reached; last: ${JSON.stringify(job)}`).toBe(true);
      return job!;
    }

    it('keeps dead tasks in BullMQ’s failed set, the dead letters', async () => {
      const queueName = uniqueQueueName();
      const queue = createQueue({ queueName, retries: { attempts: 2, backoff: { minDelayMs: 1, maxDelayMs: 5 } } });
      await queue.process(async () => {
        throw new Error('always');
      });
      const { id } = await queue.enqueue({ name: 'patch', data: { file: 'a.ts' } });
      const job = await waitForJob(queue, id, (current) => current?.status === 'dead');
      expect(job).toMatchObject({ attempts: 2, error: { code: 'INTERNAL', message: 'Unexpected error: always' } });

      const raw = new Queue(queueName, { connection: { url: redisUrl }, prefix });
      const failed = await raw.getFailed();
      await raw.close();
      expect(failed.map((entry) => [entry.id, entry.name, entry.data, entry.attemptsMade])).toEqual([
        [id, 'patch', { file: 'a.ts' }, 2],
      ]);
    });

    it('gives BullMQ the task’s priority and attempts', async () => {
      const queueName = uniqueQueueName();
      const queue = createQueue({ queueName, priorities: { patch: 7 }, retries: { attempts: 4 } });
      const { id } = await queue.enqueue({ name: 'patch', data: {} });
      const raw = new Queue(queueName, { connection: { url: redisUrl }, prefix });
      const job = await raw.getJob(id);
      const state = await raw.getJobState(id);
      await raw.close();
      expect(job?.opts).toMatchObject({ priority: 7, attempts: 4, backoff: { type: 'fragmentkit-full-jitter' } });
      expect(state).toBe('prioritized');
    });

    it('does not lose a task whose worker process is killed mid-task: another worker completes it', async () => {
      const queueName = uniqueQueueName();
      const crashSettings = { lockDurationMs: 1_000, stalledIntervalMs: 300 };
      const child = spawn(
        process.execPath,
        [
          '--conditions=@fragmentkit/source',
          '--import',
          'tsx',
          fileURLToPath(new URL('./__fixtures__/bullMqCrashWorker.ts', import.meta.url)),
        ],
        {
          cwd: fileURLToPath(new URL('../..', import.meta.url)),
          env: {
            ...process.env,
            REDIS_URL: redisUrl,
            QUEUE_NAME: queueName,
            QUEUE_PREFIX: prefix,
            LOCK_DURATION_MS: String(crashSettings.lockDurationMs),
            STALLED_INTERVAL_MS: String(crashSettings.stalledIntervalMs),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push(child);
      let output = '';
      let errors = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        errors += chunk.toString();
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      const waitForOutput = async (text: string) => {
        const deadline = Date.now() + 30_000;
        while (!output.includes(text) && child.exitCode === null && Date.now() < deadline) await realTime(25);
        expect(output, `worker process output (stderr: ${errors})`).toContain(text);
      };

      await waitForOutput('ready');
      const queue = createQueue({ queueName, ...crashSettings });
      const { id } = await queue.enqueue({ name: 'patch', data: { file: 'src/App.tsx' } });
      await waitForOutput(`started ${id} attempt 1`);
      expect(await queue.getJob(id)).toMatchObject({ status: 'processing', attempts: 1 });

      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      // The dead worker's lock is still held: the task is not free yet.
      expect((await queue.getJob(id))?.status).toBe('processing');

      const seen: { data: unknown; attempt: number }[] = [];
      await queue.process(async (task) => {
        seen.push({ data: task.data, attempt: task.attempt });
        return { completedBy: process.pid };
      });
      const job = await waitForJob(queue, id, (current) => current?.status === 'done');
      expect(job).toMatchObject({ status: 'done', attempts: 2, result: { completedBy: process.pid } });
      expect(seen).toEqual([{ data: { file: 'src/App.tsx' }, attempt: 2 }]);
    });

    it('rejects invalid options with a typed error', () => {
      expect(() => createBullMqQueue({ connection: { url: redisUrl }, queueName: 'a:b' })).toThrow(
        expect.objectContaining({ code: 'INVALID_REQUEST' }),
      );
      expect(() => createBullMqQueue({ connection: undefined as never, queueName: 'tasks' })).toThrow(
        expect.objectContaining({ code: 'INVALID_REQUEST' }),
      );
    });
  });
});
