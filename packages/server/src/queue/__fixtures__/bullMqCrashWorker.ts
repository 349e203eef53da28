/*
 * A worker process the crash test kills: it takes a task from the queue named by the
 * environment, says so on stdout, and then never finishes, renewing its lock until SIGKILL.
 * Run with: node --conditions=@fragmentkit/source --import tsx bullMqCrashWorker.ts
 */
import { createBullMqQueue } from '../bullMqQueue.js';

const queue = createBullMqQueue({
  connection: { url: process.env.REDIS_URL },
  queueName: process.env.QUEUE_NAME!,
  prefix: process.env.QUEUE_PREFIX!,
  lockDurationMs: Number(process.env.LOCK_DURATION_MS),
  stalledIntervalMs: Number(process.env.STALLED_INTERVAL_MS),
  logger: { info() {}, warn() {}, error() {} },
});

await queue.process(async (task) => {
  process.stdout.write(`started ${task.id} attempt ${task.attempt}\n`);
  await new Promise(() => {});
});
process.stdout.write('ready\n');
