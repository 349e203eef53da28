import { FragmentkitError } from '@fragmentkit/core';
import { callerOf } from '../auth/caller.js';
import { type ChatQuota, quotaExceeded } from '../chatQuota.js';
import type { Idempotency } from '../idempotency/idempotency.js';
import type { FragmentkitLogger } from '../logger.js';
import { parseJsonBody } from '../parseJsonBody.js';
import type { TaskQueue } from '../queue/taskQueue.js';
import type { RequestContext, RouteHandler, RouteMethods } from '../router.js';
import type { FragmentStore } from '../store/fragmentStore.js';
import type { Tenant } from '../store/tenantTransaction.js';
import { auditAgentTask } from './agentTaskAudit.js';
import type { AgentTaskChanges } from './agentTaskChanges.js';
import { agentTaskErrorOf } from './agentTaskError.js';
import { agentTaskEventResponse } from './agentTaskEvents.js';
import { type AgentTaskLimits, agentTaskDecisionSchema, createAgentTaskRequestSchema } from './agentTaskRequest.js';
import type { AgentTaskStateStore } from './agentTaskStateStore.js';
import { type AgentTaskRecord, isFinishedAgentTask, toAgentTaskView } from './agentTaskView.js';
import type { AgentTaskJobData, AgentTaskJobOutcome } from './agentTaskWorker.js';

/**
 * What the `/tasks` routes need; `createFragmentkit` assembles it from its `tasks` option.
 *
 * @example
 * ```ts
 * const routes = createAgentTaskRoutes({ queue, states, changes, limits: defaultAgentTaskLimits, attempts: 3, pollIntervalMs: 1000, generateId, logger });
 * ```
 */
export interface AgentTaskRoutesOptions {
  queue: TaskQueue<AgentTaskJobData, AgentTaskJobOutcome>;
  /** Already wrapped with `observeAgentTaskStates(…, changes)`. */
  states: AgentTaskStateStore;
  changes: AgentTaskChanges;
  limits: AgentTaskLimits;
  attempts: number;
  pollIntervalMs: number;
  generateId: () => string;
  logger: FragmentkitLogger;
  quota?: ChatQuota;
  idempotency?: Idempotency;
  store?: FragmentStore;
}

const decisionBodyBytes = 256_000;

/**
 * `POST /tasks` (202 `{ taskId, status: 'queued' }`), `GET /tasks/:id` (the `AgentTaskView`),
 * `GET /tasks/:id/events` (SSE) and `POST /tasks/:id/accept` / `/reject` (`{ paths? }`, all
 * files when absent). Every task belongs to the user who created it: anyone else gets 404.
 *
 * @example
 * ```ts
 * const router = createRouter('/api', { ...createAgentTaskRoutes(options) });
 * ```
 */
export function createAgentTaskRoutes(options: AgentTaskRoutesOptions): Record<string, RouteMethods> {
  const { queue, states, changes, limits, logger } = options;
  const schema = createAgentTaskRequestSchema(limits);

  /** The task as stored, with a job the queue gave up on (dead letter) shown as failed. */
  async function load(tenant: Tenant, id: string): Promise<AgentTaskRecord | null> {
    const record = await states.get(tenant, id);
    if (!record || isFinishedAgentTask(record.status) || record.jobId === undefined) return record;
    const job = await queue.getJob(record.jobId).catch(() => null);
    if (job?.status !== 'dead') return record;
    const error = agentTaskErrorOf(job.error ?? { code: 'INTERNAL', message: 'The task failed.' });
    const failed = await states.update(tenant, id, { status: 'failed', error }, record.revision);
    if (failed) await auditAgentTask(options, tenant, 'task.failed', failed, { reason: 'dead-letter' });
    return failed ?? (await states.get(tenant, id));
  }

  async function loadOrThrow(context: RequestContext): Promise<AgentTaskRecord> {
    const id = context.params.id!;
    const record = await load(tenantOf(context), id);
    if (!record) throw new FragmentkitError('NOT_FOUND', `No task ${id} of yours exists.`, { details: { taskId: id } });
    return record;
  }

  const create: RouteHandler = async (request, context) => {
    const tenant = tenantOf(context);
    const task = await parseJsonBody(request, schema, { operation: 'POST /tasks', maxBytes: limits.maxBodyBytes });
    const call = { request, owner: tenant, scope: 'POST /tasks', body: task, requestId: context.requestId };
    const ticket = await options.idempotency?.ticket(call);
    // A replay answers even when the quota has run out since: the task was paid for then.
    const earlier = ticket ? await ticket.find() : null;
    if (!earlier && options.quota) {
      const decision = await options.quota.check(tenant);
      if (!decision.allowed) throw quotaExceeded(decision, Date.now());
    }
    const start = async () => {
      const taskId = options.generateId();
      const { projectId, mode, files, prompt, cursor } = task;
      const record = await states.create(tenant, {
        id: taskId,
        projectId,
        mode,
        input: { files, prompt, ...(cursor ? { cursor } : {}) },
      });
      await auditAgentTask(options, tenant, 'task.created', record, { requestId: context.requestId });
      try {
        const job = await queue.enqueue({
          name: mode,
          data: { taskId, teamId: tenant.teamId, userId: tenant.userId, maxAttempts: options.attempts },
          attempts: options.attempts,
          idempotencyKey: `agent-task:${tenant.teamId}:${taskId}`,
        });
        await states.update(tenant, taskId, { jobId: job.id });
      } catch (error) {
        const failed = await states.update(tenant, taskId, {
          status: 'failed',
          error: { code: 'INTERNAL', message: 'The task could not be queued.' },
        });
        if (failed) await auditAgentTask(options, tenant, 'task.failed', failed, { reason: 'enqueue' });
        throw error;
      }
      return Response.json({ taskId, status: 'queued' }, { status: 202 });
    };
    return options.idempotency ? options.idempotency.run(call, start) : start();
  };

  const read: RouteHandler = async (_request, context) => Response.json(toAgentTaskView(await loadOrThrow(context)));

  const events: RouteHandler = async (request, context) => {
    const tenant = tenantOf(context);
    const first = await loadOrThrow(context);
    const lastEventId = Number.parseInt(request.headers.get('last-event-id') ?? '', 10);
    return agentTaskEventResponse(first, {
      load: () => load(tenant, first.id),
      triggers: [
        (wake) => changes.subscribe(first.id, wake),
        ...(first.jobId === undefined ? [] : [(wake: () => void) => queue.subscribe(first.jobId!, wake)]),
      ],
      pollIntervalMs: options.pollIntervalMs,
      lastEventId: Number.isSafeInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0,
    });
  };

  const decide =
    (decision: 'accepted' | 'rejected'): RouteHandler =>
    async (request, context) => {
      const tenant = tenantOf(context);
      const operation = `POST /tasks/:id/${decision === 'accepted' ? 'accept' : 'reject'}`;
      const body = await readDecisionBody(request, operation);
      for (let attempt = 0; attempt < 5; attempt++) {
        const record = await loadOrThrow(context);
        if (record.status !== 'done' || !record.result) {
          throw new FragmentkitError(
            'INVALID_REQUEST',
            `Task ${record.id} is ${record.status}; only a done task's files can be ${decision}.`,
            { details: { reason: 'task-not-done', status: record.status } },
          );
        }
        const known = record.result.files.map((file) => file.path);
        const paths = body.paths ?? known;
        const unknown = paths.filter((path) => !known.includes(path));
        if (unknown.length > 0) {
          throw new FragmentkitError('INVALID_REQUEST', `Task ${record.id} changed no file ${unknown.join(', ')}.`, {
            details: { reason: 'unknown-paths', unknownPaths: unknown, paths: known },
          });
        }
        const conflicting = record.result.files.filter(
          (file) => paths.includes(file.path) && file.status !== 'pending' && file.status !== decision,
        );
        if (conflicting.length > 0) {
          throw new FragmentkitError(
            'INVALID_REQUEST',
            `${conflicting.map((file) => `${file.path} is already ${file.status}`).join('; ')}; a decision is final.`,
            { details: { reason: 'already-decided', paths: conflicting.map((file) => file.path) } },
          );
        }
        const changed = record.result.files.filter((file) => paths.includes(file.path) && file.status === 'pending');
        if (changed.length === 0) return Response.json(toAgentTaskView(record));
        const files = record.result.files.map((file) =>
          paths.includes(file.path) ? { ...file, status: decision } : file,
        );
        const updated = await states.update(
          tenant,
          record.id,
          { result: { ...record.result, files } },
          record.revision,
        );
        if (!updated) continue;
        await auditAgentTask(options, tenant, decision === 'accepted' ? 'patch.accepted' : 'patch.rejected', updated, {
          paths: changed.map((file) => file.path),
        });
        return Response.json(toAgentTaskView(updated));
      }
      logger.warn({ taskId: context.params.id }, 'agent task decision lost five races in a row');
      throw new FragmentkitError('INTERNAL', 'The task kept changing while the decision was saved; try again.', {
        isRetryable: true,
      });
    };

  return {
    '/tasks': { POST: { handler: create, rateLimited: true } },
    '/tasks/:id': { GET: { handler: read } },
    '/tasks/:id/events': { GET: { handler: events } },
    '/tasks/:id/accept': { POST: { handler: decide('accepted') } },
    '/tasks/:id/reject': { POST: { handler: decide('rejected') } },
  };
}

/** `{ paths? }`, or no body at all for every file. */
async function readDecisionBody(request: Request, operation: string): Promise<{ paths?: string[] | undefined }> {
  if (request.headers.get('content-type') === null) {
    const text = await request.text();
    if (text.trim() === '') return {};
  }
  return parseJsonBody(request, agentTaskDecisionSchema, { operation, maxBytes: decisionBodyBytes });
}

function tenantOf(context: RequestContext): Tenant {
  const { auth } = callerOf(context);
  return { teamId: auth.teamId, userId: auth.userId };
}
