import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createScriptedModel } from '../../test/scriptedModel.js';
import { describeWithRedis, redisUrl } from '../../test/testRedis.js';
import { createFragmentkit } from '../fragmentkit.js';
import { type BullMqQueueOptions, createBullMqQueue } from '../queue/bullMqQueue.js';
import {
  databaseUrl,
  openTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../store/__fixtures__/testDatabases.js';
import { createFragmentStore, type FragmentStore } from '../store/fragmentStore.js';
import {
  answerEvents,
  collectTaskEvents,
  counterPatchAnswer,
  createCaller,
  fixedCounterSource,
  headerAuth,
  silentLogger,
  taskBody,
} from './__fixtures__/agentTaskHarness.js';
import type { AgentTaskJobData, AgentTaskJobOutcome } from './agentTaskWorker.js';

const prefix = 'fk-test-tasks';
const realTime = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describeWithRedis('agent tasks on BullMQ with PostgreSQL state', () => {
  // Several instances share state only through a server database: PGlite lives in one process.
  if (!postgresAvailable) {
    const message = `PostgreSQL is unreachable at ${databaseUrl}; start it to run these tests`;
    if (process.env.CI === 'true') it('needs PostgreSQL in CI', () => expect.fail(message));
    else it.skip(`(skipped: ${message})`, () => {});
    return;
  }

  let database: TestDatabase;
  let store: FragmentStore;
  const queueNames: string[] = [];
  const queues: Array<{ close(): Promise<void> }> = [];
  const children: ChildProcess[] = [];

  const createQueue = (queueName: string, options: Partial<BullMqQueueOptions> = {}) => {
    const queue = createBullMqQueue<AgentTaskJobData, AgentTaskJobOutcome>({
      connection: { url: redisUrl },
      queueName,
      prefix,
      logger: silentLogger,
      ...options,
    });
    queues.push(queue);
    return queue;
  };
  const newQueueName = () => {
    const name = `agent-tasks-${randomUUID()}`;
    queueNames.push(name);
    return name;
  };

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    store = createFragmentStore(database.db);
    await store.migrate();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(queues.splice(0).map((queue) => queue.close()));
    for (const name of queueNames.splice(0)) {
      const queue = new Queue(name, { connection: { url: redisUrl }, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
  afterAll(() => database.close());

  it('runs a task enqueued on an API-only instance on another instance’s worker, and streams it across', async () => {
    const queueName = newQueueName();
    const model = createScriptedModel(answerEvents(counterPatchAnswer));
    const api = createFragmentkit({
      model,
      store,
      auth: headerAuth,
      guest: false,
      logger: silentLogger,
      tasks: { queue: createQueue(queueName), worker: false, pollIntervalMs: 200 },
    });
    createFragmentkit({
      model,
      store,
      auth: headerAuth,
      guest: false,
      logger: silentLogger,
      tasks: { queue: createQueue(queueName) },
    });
    const call = createCaller(api);
    const { taskId } = await (await call('/tasks', { method: 'POST', json: taskBody(), team: 'team-bull' })).json();
    const events = await collectTaskEvents(await call(`/tasks/${taskId}/events`, { team: 'team-bull' }));
    const final = events.at(-1)!.view;
    expect(final.status).toBe('done');
    expect(final.result?.files[0]?.content).toBe(fixedCounterSource);
    expect(model.requests).toHaveLength(1);
  });

  it('survives a worker that dies mid-task: the task is retried elsewhere and its state stays consistent', async () => {
    const queueName = newQueueName();
    const crashSettings = { lockDurationMs: 1_000, stalledIntervalMs: 300 };
    const child = spawn(
      process.execPath,
      [
        '--conditions=@fragmentkit/source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./__fixtures__/agentTaskCrashWorker.ts', import.meta.url)),
      ],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: {
          ...process.env,
          REDIS_URL: redisUrl,
          DATABASE_URL: databaseUrl,
          DATABASE_SCHEMA: database.location,
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

    const model = createScriptedModel(answerEvents(counterPatchAnswer));
    const apiQueue = createQueue(queueName, crashSettings);
    const api = createFragmentkit({
      model,
      store,
      auth: headerAuth,
      guest: false,
      logger: silentLogger,
      tasks: { queue: apiQueue, worker: false, pollIntervalMs: 200 },
    });
    const call = createCaller(api);
    const team = `team-crash-${randomUUID()}`;
    const { taskId } = await (await call('/tasks', { method: 'POST', json: taskBody(), team })).json();
    await waitForOutput('started');
    expect((await (await call(`/tasks/${taskId}`, { team })).json()).status).toBe('processing');

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // Nobody works on it now; the dead worker's lock still holds it.
    expect((await (await call(`/tasks/${taskId}`, { team })).json()).status).toBe('processing');

    // A new worker instance starts: the stalled task goes back to the queue and runs again.
    createFragmentkit({
      model,
      store,
      auth: headerAuth,
      guest: false,
      logger: silentLogger,
      tasks: { queue: createQueue(queueName, crashSettings) },
    });
    const final = (await collectTaskEvents(await call(`/tasks/${taskId}/events`, { team }))).at(-1)!.view;
    expect(final).toMatchObject({ id: taskId, status: 'done', metrics: { provider: 'test' } });
    expect(final.error).toBeUndefined();
    expect(final.result?.files).toEqual([
      expect.objectContaining({ path: 'src/counter.ts', content: fixedCounterSource, status: 'pending' }),
    ]);
    expect(model.requests).toHaveLength(1);

    const record = await store.agentTasks.get({ teamId: team, userId: 'alice' }, taskId);
    const job = await apiQueue.getJob(record!.jobId!);
    expect(job).toMatchObject({ status: 'done', attempts: 2, result: { status: 'done' } });
    const audit = await store.listAudit({ teamId: team, userId: 'alice' });
    expect(audit.map((entry) => entry.action).sort()).toEqual(['task.completed', 'task.created']);
    expect(audit.find((entry) => entry.action === 'task.completed')?.data).toMatchObject({ attempt: 2 });
  });
});
