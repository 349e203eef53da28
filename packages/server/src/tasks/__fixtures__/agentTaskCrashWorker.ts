/*
 * An instance the crash test kills: a fragmentkit whose agent task worker takes a task from
 * the BullMQ queue named by the environment, keeps its state in the PostgreSQL schema named
 * there, says "started" on stdout once the model is called, and then never finishes, renewing
 * its lock until SIGKILL.
 * Run with: node --conditions=@fragmentkit/source --import tsx agentTaskCrashWorker.ts
 */
import type { LanguageModel } from '@fragmentkit/core';
import pg from 'pg';
import { createFragmentkit } from '../../fragmentkit.js';
import { createPostgresDatabase } from '../../postgres.js';
import { createBullMqQueue } from '../../queue/bullMqQueue.js';
import { createFragmentStore } from '../../store/fragmentStore.js';
import type { AgentTaskJobData, AgentTaskJobOutcome } from '../agentTaskWorker.js';

const silent = { info() {}, warn() {}, error() {} };
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  options: `-c search_path="${process.env.DATABASE_SCHEMA}"`,
  max: 2,
});
const store = createFragmentStore(createPostgresDatabase({ pool }));
const queue = createBullMqQueue<AgentTaskJobData, AgentTaskJobOutcome>({
  connection: { url: process.env.REDIS_URL },
  queueName: process.env.QUEUE_NAME!,
  prefix: process.env.QUEUE_PREFIX!,
  lockDurationMs: Number(process.env.LOCK_DURATION_MS),
  stalledIntervalMs: Number(process.env.STALLED_INTERVAL_MS),
  logger: silent,
});
const hanging: LanguageModel = {
  provider: 'hanging',
  modelId: 'hanging-1',
  stream() {
    process.stdout.write('started\n');
    return new Promise(() => {});
  },
};
createFragmentkit({ model: hanging, store, logger: silent, tasks: { queue } });
await store.migrate();
process.stdout.write('ready\n');
