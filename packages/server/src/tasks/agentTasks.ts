import { FragmentkitError } from '@fragmentkit/core';
import type { ChatModel } from '../chatModel.js';
import type { ChatQuota, CostFunction } from '../chatQuota.js';
import { createFragmentStoreIdempotencyStore } from '../idempotency/fragmentStoreIdempotencyStore.js';
import { createIdempotency, type IdempotencyConfig } from '../idempotency/idempotency.js';
import { createMemoryIdempotencyStore } from '../idempotency/memoryIdempotencyStore.js';
import type { FragmentkitLogger } from '../logger.js';
import type { ModelCatalog } from '../modelCatalog.js';
import { createInProcessQueue } from '../queue/inProcessQueue.js';
import type { TaskQueue } from '../queue/taskQueue.js';
import type { RouteMethods } from '../router.js';
import { createRouterChatModel } from '../routerModel.js';
import type { FragmentStore } from '../store/fragmentStore.js';
import type { Tenant } from '../store/tenantTransaction.js';
import { createAgentTaskChanges, observeAgentTaskStates } from './agentTaskChanges.js';
import type { AgentTaskPromptSettings } from './agentTaskPrompt.js';
import { type AgentTaskLimits, defaultAgentTaskLimits } from './agentTaskRequest.js';
import { createAgentTaskRoutes } from './agentTaskRoutes.js';
import { type AgentTaskStateStore, createMemoryAgentTaskStateStore } from './agentTaskStateStore.js';
import { type AgentTaskJobData, type AgentTaskJobOutcome, createAgentTaskWorker } from './agentTaskWorker.js';

/**
 * The `tasks` option of `createFragmentkit`: agent tasks (`POST /tasks` and friends) that
 * patch, explain, test or lint-fix the files a client sends, run by a queue.
 *
 * @example
 * ```ts
 * import { createFragmentkit, createFragmentStore } from '@fragmentkit/server';
 * import { createBullMqQueue } from '@fragmentkit/server/bullmq';
 *
 * const store = createFragmentStore(db);
 * const fragmentkit = createFragmentkit({
 *   router,
 *   store,
 *   tasks: { queue: createBullMqQueue({ connection: { url: process.env.REDIS_URL }, queueName: 'agent-tasks' }) },
 * });
 * ```
 */
export interface AgentTasksConfig {
  /**
   * Runs the tasks. Default: an in-process queue. A BullMQ queue shares tasks between
   * instances and survives a worker that dies; every instance then needs the task state in
   * the database (a `store`, or `states`).
   */
  queue?: TaskQueue<AgentTaskJobData, AgentTaskJobOutcome>;
  /** Where task state lives. Default: the `store`'s `agentTasks` when there is a store, else memory. */
  states?: AgentTaskStateStore;
  /** Whether this instance works on tasks (calls `queue.process`). Default true; false for API-only instances. */
  worker?: boolean;
  /** Attempts per task, the first included (provider failures are retried; unusable answers are not). Default 3. */
  attempts?: number;
  /** The router task that answers agent tasks when fragmentkit has a `router`. Default `edit`. */
  routerTask?: string;
  limits?: Partial<AgentTaskLimits>;
  /** How often an open event stream re-reads its task, for changes made by other instances. Default 1000 ms. */
  pollIntervalMs?: number;
}

/**
 * What `createFragmentkit` hands to {@link createAgentTasks} besides the `tasks` option.
 *
 * @example
 * ```ts
 * const shared: AgentTasksShared = { catalog, generateId, logger, prompt: {} };
 * ```
 */
export interface AgentTasksShared {
  catalog: ModelCatalog;
  generateId: () => string;
  logger: FragmentkitLogger;
  prompt: AgentTaskPromptSettings;
  quota?: ChatQuota;
  costOf?: CostFunction;
  store?: FragmentStore;
  /** fragmentkit's `idempotency` option: `Idempotency-Key` on `POST /tasks` uses the same store and TTL as chat. */
  idempotency?: IdempotencyConfig | false;
}

/**
 * Assembles agent tasks: the queue (started as a worker unless `worker: false`), the state
 * store, and the `/tasks` routes.
 *
 * @example
 * ```ts
 * const { routes } = createAgentTasks({ attempts: 2 }, { catalog, generateId, logger, prompt: {} });
 * ```
 */
export function createAgentTasks(
  config: AgentTasksConfig,
  shared: AgentTasksShared,
): { routes: Record<string, RouteMethods>; queue: TaskQueue<AgentTaskJobData, AgentTaskJobOutcome> } {
  const attempts = config.attempts ?? 3;
  const pollIntervalMs = config.pollIntervalMs ?? 1000;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `tasks.attempts must be a whole number from 1 to 100; got ${attempts}.`,
    );
  }
  if (!Number.isFinite(pollIntervalMs) || pollIntervalMs < 10) {
    throw new FragmentkitError('INVALID_REQUEST', `tasks.pollIntervalMs must be at least 10; got ${pollIntervalMs}.`);
  }
  const queue = config.queue ?? createInProcessQueue<AgentTaskJobData, AgentTaskJobOutcome>({ logger: shared.logger });
  const changes = createAgentTaskChanges();
  const states = observeAgentTaskStates(
    config.states ?? shared.store?.agentTasks ?? createMemoryAgentTaskStateStore(),
    changes,
  );
  const routerTask = config.routerTask ?? 'edit';
  const selectModel = (tenant: Tenant): ChatModel =>
    shared.catalog.router
      ? createRouterChatModel({
          router: shared.catalog.router,
          tasks: { generate: routerTask, edit: routerTask },
          subject: tenant,
        })
      : shared.catalog.select(undefined);

  if (config.worker !== false) {
    const handler = createAgentTaskWorker({
      states,
      selectModel,
      prompt: shared.prompt,
      logger: shared.logger,
      ...(shared.quota ? { quota: shared.quota } : {}),
      ...(shared.costOf ? { costOf: shared.costOf } : {}),
      ...(shared.store ? { store: shared.store } : {}),
    });
    queue
      .process(handler)
      .catch((error: unknown) =>
        shared.logger.error(
          { operation: 'tasks.worker', errorMessage: error instanceof Error ? error.message : String(error) },
          'the agent task worker could not start',
        ),
      );
  }

  const routes = createAgentTaskRoutes({
    queue,
    states,
    changes,
    limits: { ...defaultAgentTaskLimits, ...config.limits },
    attempts,
    pollIntervalMs,
    generateId: shared.generateId,
    logger: shared.logger,
    ...(shared.quota ? { quota: shared.quota } : {}),
    ...(shared.idempotency === false ? {} : { idempotency: taskIdempotency(shared) }),
    ...(shared.store ? { store: shared.store } : {}),
  });
  return { routes, queue };
}

function taskIdempotency(shared: AgentTasksShared) {
  const config = shared.idempotency || {};
  return createIdempotency({
    store:
      config.store ??
      (shared.store
        ? createFragmentStoreIdempotencyStore(shared.store.idempotencyKeys)
        : createMemoryIdempotencyStore()),
    ...(config.ttlMs === undefined ? {} : { ttlMs: config.ttlMs }),
    logger: shared.logger,
  });
}
