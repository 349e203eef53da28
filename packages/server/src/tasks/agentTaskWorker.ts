import { FragmentkitError, toFragmentkitError, type Usage } from '@fragmentkit/core';
import type { ChatModel } from '../chatModel.js';
import { type ChatQuota, type CostFunction, totalTokens } from '../chatQuota.js';
import type { FragmentkitLogger } from '../logger.js';
import { isPermanentTaskFailure } from '../queue/taskAttempt.js';
import type { TaskHandler } from '../queue/taskQueue.js';
import type { FragmentStore } from '../store/fragmentStore.js';
import type { Tenant } from '../store/tenantTransaction.js';
import { readAgentTaskAnswer } from './agentTaskAnswer.js';
import { auditAgentTask } from './agentTaskAudit.js';
import { agentTaskErrorOf } from './agentTaskError.js';
import { type AgentTaskPromptSettings, buildAgentTaskPrompt } from './agentTaskPrompt.js';
import type { AgentTaskStateStore } from './agentTaskStateStore.js';
import { type AgentTaskMetrics, type AgentTaskRecord, isFinishedAgentTask } from './agentTaskView.js';

/**
 * What the queue carries for an agent task: only who owns it and its id (the files live in the
 * state store), plus its attempts so the last one can mark the task failed.
 *
 * @example
 * ```ts
 * const data: AgentTaskJobData = { taskId, teamId: 'team-1', userId: 'user-1', maxAttempts: 3 };
 * ```
 */
export interface AgentTaskJobData {
  taskId: string;
  teamId: string;
  userId: string;
  maxAttempts: number;
}

/**
 * What an attempt leaves in the queue: the task's final status (details are in the state store).
 *
 * @example
 * ```ts
 * const outcome: AgentTaskJobOutcome = { status: 'done' };
 * ```
 */
export interface AgentTaskJobOutcome {
  status: 'done' | 'failed';
}

/**
 * Options of {@link createAgentTaskWorker}.
 *
 * @example
 * ```ts
 * const options: AgentTaskWorkerOptions = { states, selectModel: () => model, prompt: {}, logger: defaultLogger };
 * ```
 */
export interface AgentTaskWorkerOptions {
  states: AgentTaskStateStore;
  /** The model that answers this caller's task (a router for task `edit`, or the configured model). */
  selectModel: (tenant: Tenant) => ChatModel;
  prompt: AgentTaskPromptSettings;
  /** Charged with the tokens of every answer. */
  quota?: ChatQuota;
  costOf?: CostFunction;
  /** Receives usage and audit entries. */
  store?: FragmentStore;
  logger: FragmentkitLogger;
  /** Milliseconds for `durationMs`. Default `Date.now`. */
  now?: () => number;
}

/**
 * The queue handler of agent tasks. One attempt: read the task, mark it `processing`, build the
 * prompt (core's budgeting), stream the model's answer, turn it into per-file diffs that apply
 * to the submitted files, and store `done` with the result and metrics. An answer that cannot
 * be applied fails the task at once; other errors (a provider outage) are retried by the queue,
 * the task shown `queued` in between, and the last attempt stores `failed`. An attempt that
 * finds its task already finished (a retry after a crash at the very end) does nothing.
 *
 * @example
 * ```ts
 * const queue = createInProcessQueue<AgentTaskJobData, AgentTaskJobOutcome>();
 * await queue.process(createAgentTaskWorker({ states, selectModel: () => model, prompt: {}, logger }));
 * ```
 */
export function createAgentTaskWorker(
  options: AgentTaskWorkerOptions,
): TaskHandler<AgentTaskJobData, AgentTaskJobOutcome> {
  const { states, logger } = options;
  const now = options.now ?? Date.now;

  return async ({ data, attempt, signal }) => {
    const tenant = { teamId: data.teamId, userId: data.userId };
    const found = await states.get(tenant, data.taskId);
    if (!found) {
      throw new FragmentkitError('NOT_FOUND', `Agent task ${data.taskId} is not in the task state store.`);
    }
    if (isFinishedAgentTask(found.status)) return { status: found.status as 'done' | 'failed' };
    const started = now();
    let model: ChatModel;
    try {
      model = options.selectModel(tenant);
    } catch (thrown) {
      // No model to answer with (e.g. none configured): no attempt can succeed, so fail now.
      const error = toFragmentkitError(thrown);
      const failed = { status: 'failed' as const, error: agentTaskErrorOf(error) };
      await auditAgentTask(options, tenant, 'task.failed', { ...found, ...failed }, { attempt });
      await states.update(tenant, data.taskId, failed).catch(logStateFailure(data.taskId));
      return { status: 'failed' };
    }
    const record = (await states.update(tenant, data.taskId, { status: 'processing', error: null })) ?? found;
    let usage: Usage = { inputTokens: 0, outputTokens: 0 };
    const metrics = (): AgentTaskMetrics => ({
      provider: model.provider,
      model: model.modelId,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      durationMs: Math.max(0, now() - started),
    });

    try {
      const prompt = buildAgentTaskPrompt(record.mode, record.input, { ...options.prompt, model: model.modelId });
      const request = {
        system: prompt.system,
        systemCacheBreakpoints: prompt.systemCacheBreakpoints,
        messages: prompt.messages,
        signal,
        ...(prompt.maxOutputTokens === undefined ? {} : { maxOutputTokens: prompt.maxOutputTokens }),
      };
      const answer = await readAnswer(model, request, (next) => {
        usage = next;
      });
      await charge(tenant, record, model, usage);
      const result = readAgentTaskAnswer(record.mode, record.input, answer);
      const done = { status: 'done' as const, result, metrics: metrics() };
      // Audited before the task shows done, so whoever sees it done finds its audit entry too.
      await auditAgentTask(options, tenant, 'task.completed', { ...record, ...done }, { attempt });
      await states.update(tenant, data.taskId, done);
      return { status: 'done' };
    } catch (thrown) {
      const error = toFragmentkitError(thrown);
      const lastAttempt = isPermanentTaskFailure(error) || attempt >= data.maxAttempts;
      if (lastAttempt) {
        // When this write fails too, the queue still dead-letters the task with the original
        // error, and reading the task shows it failed (see the routes' reconciliation).
        const failed = { status: 'failed' as const, error: agentTaskErrorOf(error), metrics: metrics() };
        await auditAgentTask(options, tenant, 'task.failed', { ...record, ...failed }, { attempt });
        await states.update(tenant, data.taskId, failed).catch(logStateFailure(data.taskId));
      } else {
        await states.update(tenant, data.taskId, { status: 'queued' }).catch(logStateFailure(data.taskId));
        logger.warn(
          { taskId: data.taskId, attempt, errorCode: error.code, errorMessage: error.message },
          'agent task attempt failed; the queue retries it',
        );
      }
      throw error;
    }
  };

  function logStateFailure(taskId: string) {
    return (error: unknown) => {
      logger.error(
        { taskId, errorMessage: error instanceof Error ? error.message : String(error) },
        'fragmentkit could not record an agent task’s state',
      );
      return null;
    };
  }

  async function charge(tenant: Tenant, record: AgentTaskRecord, model: ChatModel, usage: Usage): Promise<void> {
    const usd = options.costOf?.(usage, model);
    const logFailure = (operation: string) => (error: unknown) =>
      logger.error(
        { operation, taskId: record.id, errorMessage: error instanceof Error ? error.message : String(error) },
        'fragmentkit could not record an agent task’s usage',
      );
    await options.quota
      ?.record(tenant, { tokens: totalTokens(usage), ...(usd === undefined ? {} : { usd }) })
      .catch(logFailure('quota.record'));
    await options.store
      ?.recordUsage(tenant, {
        requestId: `task:${record.id}`,
        provider: model.provider,
        model: model.modelId,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cachedInputTokens: usage.cachedInputTokens ?? 0,
        cacheWriteTokens: usage.cacheWriteTokens ?? 0,
        costUsd: usd ?? 0,
      })
      .catch(logFailure('usage'));
  }
}

/** Streams the answer to its end; a router's `restart` discards what came before it. */
async function readAnswer(
  model: ChatModel,
  request: Parameters<ChatModel['stream']>[0],
  onUsage: (usage: Usage) => void,
): Promise<string> {
  const reader = (await model.stream(request)).getReader();
  let text = '';
  let finished = false;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    const event = next.value;
    if (event.type === 'text-delta') text += event.text;
    else if (event.type === 'restart') text = '';
    else if (event.type === 'usage') onUsage(event.usage);
    else if (event.type === 'finish') {
      onUsage(event.usage);
      finished = true;
      if (event.finishReason === 'length') {
        throw new FragmentkitError(
          'OUTPUT_TRUNCATED',
          'The model stopped at its output limit before finishing its answer; ask for a smaller change or give it fewer files.',
        );
      }
    }
  }
  if (!finished) {
    throw new FragmentkitError('STREAM_INCOMPLETE', 'The model’s answer ended without finishing.', {
      isRetryable: true,
    });
  }
  return text;
}
