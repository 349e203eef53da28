import { createQuota, FragmentkitError, type LanguageModel, patchAnswerFormat } from '@fragmentkit/core';
import { describe, expect, it } from 'vitest';
import { createScriptedModel } from '../../test/scriptedModel.js';
import { createFragmentkit, type FragmentkitConfig } from '../fragmentkit.js';
import { createInProcessQueue } from '../queue/inProcessQueue.js';
import { createRateLimiter } from '../rateLimit/rateLimiter.js';
import { tieredDailyPolicies } from '../rateLimit/tieredDailyPolicies.js';
import {
  answerEvents,
  collectTaskEvents,
  counterFiles,
  counterPatchAnswer,
  counterSource,
  createCaller,
  fixedCounterSource,
  headerAuth,
  newTestAnswer,
  silentLogger,
  taskBody,
  taskUsage,
  unappliableAnswer,
} from './__fixtures__/agentTaskHarness.js';
import { type AgentTaskStateStore, createMemoryAgentTaskStateStore } from './agentTaskStateStore.js';
import type { AgentTaskJobData, AgentTaskJobOutcome } from './agentTaskWorker.js';

function setup(model: LanguageModel, config: Partial<FragmentkitConfig> = {}) {
  const fragmentkit = createFragmentkit({
    model,
    auth: headerAuth,
    guest: false,
    logger: silentLogger,
    tasks: {},
    ...config,
  });
  return { fragmentkit, call: createCaller(fragmentkit) };
}

async function submit(
  call: ReturnType<typeof createCaller>,
  body = taskBody(),
  init: { user?: string; team?: string } = {},
) {
  const response = await call('/tasks', { method: 'POST', json: body, ...init });
  expect(response.status).toBe(202);
  const accepted = (await response.json()) as { taskId: string; status: string };
  expect(accepted.status).toBe('queued');
  return accepted.taskId;
}

describe('agent task routes', () => {
  it('patches a file end to end: 202, SSE until done, the contract view with a re-anchored diff and metrics', async () => {
    const model = createScriptedModel(answerEvents(counterPatchAnswer), { provider: 'scripted', modelId: 'editor-1' });
    const { call } = setup(model);
    const taskId = await submit(call);

    const events = await collectTaskEvents(await call(`/tasks/${taskId}/events`));
    expect(events.every((event) => event.event === 'task')).toBe(true);
    const ids = events.map((event) => Number(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const final = events.at(-1)!.view;
    expect(final.status).toBe('done');

    const view = await (await call(`/tasks/${taskId}`)).json();
    expect(view).toEqual(final);
    expect(Object.keys(view).sort()).toEqual(
      ['createdAt', 'id', 'metrics', 'mode', 'projectId', 'result', 'status', 'updatedAt'].sort(),
    );
    expect(view).toMatchObject({ id: taskId, projectId: 'counter-app', mode: 'patch', status: 'done' });
    expect(new Date(view.createdAt).toISOString()).toBe(view.createdAt);
    expect(view.result.explanation).toContain('subtracted instead of adding');
    expect(view.result.files).toEqual([
      {
        path: 'src/counter.ts',
        diff: expect.stringMatching(
          /^--- a\/src\/counter\.ts\n\+\+\+ b\/src\/counter\.ts\n@@ -1,5 \+1,5 @@\n export function increment\(count: number\): number \{\n- {2}return count - 1;\n\+ {2}return count \+ 1;\n/,
        ),
        content: fixedCounterSource,
        status: 'pending',
      },
    ]);
    expect(view.metrics).toEqual({
      provider: 'scripted',
      model: 'editor-1',
      ...taskUsage,
      durationMs: expect.any(Number),
    });

    // What the model was asked: the patch format, the file as an attachment, the cursor's lines.
    expect(model.requests).toHaveLength(1);
    const [request] = model.requests;
    expect(request!.system).toContain(patchAnswerFormat);
    const userText = JSON.stringify(request!.messages);
    expect(userText).toContain('src/counter.ts');
    expect(userText).toContain('README.md');
    expect(userText).toContain('Fix the increment function');
    expect(userText).toContain('> 2 |   return count - 1;');
  });

  it('hides a task from every other user and team (404), the same as an unknown id', async () => {
    const { call } = setup(createScriptedModel(answerEvents(counterPatchAnswer)));
    const taskId = await submit(call);
    await collectTaskEvents(await call(`/tasks/${taskId}/events`));
    for (const other of [{ user: 'bob' }, { team: 'team-b' }]) {
      expect((await call(`/tasks/${taskId}`, other)).status).toBe(404);
      expect((await call(`/tasks/${taskId}/events`, other)).status).toBe(404);
      expect((await call(`/tasks/${taskId}/accept`, { method: 'POST', json: {}, ...other })).status).toBe(404);
    }
    const unknown = await call('/tasks/no-such-task');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('NOT_FOUND');
  });

  it('accepts and rejects files, refuses unknown paths and changed minds, and answers the view', async () => {
    const model = createScriptedModel(
      answerEvents(`${counterPatchAnswer}\n\n${newTestAnswer.replace('Adds a test for increment.', '')}`),
    );
    const { call } = setup(model);
    const taskId = await submit(call, taskBody({ mode: 'generate_test', prompt: 'Fix and test increment' }));
    await collectTaskEvents(await call(`/tasks/${taskId}/events`));

    const unknown = await call(`/tasks/${taskId}/accept`, { method: 'POST', json: { paths: ['nope.ts'] } });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.details).toMatchObject({ reason: 'unknown-paths', unknownPaths: ['nope.ts'] });

    const accepted = await call(`/tasks/${taskId}/accept`, { method: 'POST', json: { paths: ['src/counter.ts'] } });
    expect(accepted.status).toBe(200);
    const afterAccept = await accepted.json();
    expect(afterAccept.result.files.map((file: { path: string; status: string }) => [file.path, file.status])).toEqual([
      ['src/counter.ts', 'accepted'],
      ['src/counter.test.ts', 'pending'],
    ]);
    expect(afterAccept.result.files[1].content).toBe(
      'import { increment } from \'./counter\';\ntest("adds one", () => expect(increment(1)).toBe(2));\n',
    );

    // No body: every remaining file. The accepted one cannot be rejected afterwards.
    const conflict = await call(`/tasks/${taskId}/reject`, { method: 'POST' });
    expect(conflict.status).toBe(400);
    expect((await conflict.json()).error.details.reason).toBe('already-decided');
    const rejected = await call(`/tasks/${taskId}/reject`, {
      method: 'POST',
      json: { paths: ['src/counter.test.ts'] },
    });
    const final = await rejected.json();
    expect(final.result.files.map((file: { status: string }) => file.status)).toEqual(['accepted', 'rejected']);
    expect(final.updatedAt >= afterAccept.updatedAt).toBe(true);
    // Deciding again the same way changes nothing.
    const again = await call(`/tasks/${taskId}/accept`, { method: 'POST', json: { paths: ['src/counter.ts'] } });
    expect(await again.json()).toEqual(final);
  });

  it('refuses decisions on a task that is not done', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { call } = setup(createScriptedModel([{ type: 'wait', until: gate }, ...answerEvents(counterPatchAnswer)]));
    const taskId = await submit(call);
    const early = await call(`/tasks/${taskId}/accept`, { method: 'POST', json: {} });
    expect(early.status).toBe(400);
    expect((await early.json()).error.details.reason).toBe('task-not-done');
    release();
    const events = await collectTaskEvents(await call(`/tasks/${taskId}/events`));
    expect(events.at(-1)!.view.status).toBe('done');
  });

  it('streams processing before done to a client that joins early, and only the final state to a late one', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { call } = setup(createScriptedModel([{ type: 'wait', until: gate }, ...answerEvents(counterPatchAnswer)]));
    const taskId = await submit(call);
    const stream = call(`/tasks/${taskId}/events`);
    const response = await stream;
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reading = collectTaskEvents(response);
    // The task is running (the model waits on the gate); read its state until it says so.
    for (let view = await (await call(`/tasks/${taskId}`)).json(); view.status !== 'processing'; ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      view = await (await call(`/tasks/${taskId}`)).json();
    }
    release();
    const statuses = (await reading).map((event) => event.view.status);
    expect(statuses).toContain('processing');
    expect(statuses.at(-1)).toBe('done');
    expect(statuses.indexOf('processing')).toBeLessThan(statuses.indexOf('done'));

    const late = await collectTaskEvents(await call(`/tasks/${taskId}/events`));
    expect(late.map((event) => event.view.status)).toEqual(['done']);
    const resumed = await collectTaskEvents(
      await call(`/tasks/${taskId}/events`, { headers: { 'last-event-id': late[0]!.id! } }),
    );
    expect(resumed).toEqual([]);
  });

  it('explains without files, and generate_test may add files while patch may not', async () => {
    const explain = setup(createScriptedModel(answerEvents('It counts. Calling increment adds one.')));
    const explainId = await submit(explain.call, taskBody({ mode: 'explain' }));
    const explained = (await collectTaskEvents(await explain.call(`/tasks/${explainId}/events`))).at(-1)!.view;
    expect(explained.result).toEqual({ explanation: 'It counts. Calling increment adds one.', files: [] });

    const patch = setup(createScriptedModel(answerEvents(newTestAnswer)));
    const patchId = await submit(patch.call);
    const failed = (await collectTaskEvents(await patch.call(`/tasks/${patchId}/events`))).at(-1)!.view;
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({
      code: 'PATCH_NOT_APPLICABLE',
      message: expect.stringContaining('only generate_test'),
    });
  });

  it('fails a task whose diff does not apply, with the reason, without retrying', async () => {
    const model = createScriptedModel(answerEvents(unappliableAnswer));
    const { call } = setup(model);
    const taskId = await submit(call);
    const view = (await collectTaskEvents(await call(`/tasks/${taskId}/events`))).at(-1)!.view;
    expect(view.status).toBe('failed');
    expect(view.error?.code).toBe('PATCH_NOT_APPLICABLE');
    expect(view.error?.message).toContain('src/counter.ts');
    expect(view.result).toBeUndefined();
    expect(view.metrics).toMatchObject(taskUsage);
    expect(model.requests).toHaveLength(1);
  });

  it('retries a provider failure and ends done', async () => {
    const scripted = createScriptedModel(answerEvents(counterPatchAnswer));
    let calls = 0;
    const flaky: LanguageModel = {
      provider: 'flaky',
      modelId: 'flaky-1',
      async stream(request) {
        calls += 1;
        if (calls === 1) {
          throw new FragmentkitError('PROVIDER_UNAVAILABLE', 'upstream 503', { isRetryable: true });
        }
        return scripted.stream(request);
      },
    };
    const queue = createInProcessQueue<AgentTaskJobData, AgentTaskJobOutcome>({
      retries: { attempts: 3, backoff: { minDelayMs: 0, maxDelayMs: 0 } },
      logger: silentLogger,
    });
    const { call } = setup(flaky, { tasks: { queue } });
    const taskId = await submit(call);
    const events = await collectTaskEvents(await call(`/tasks/${taskId}/events`));
    expect(events.at(-1)!.view.status).toBe('done');
    expect(calls).toBe(2);
    await queue.close();
  });

  it('shows a dead-lettered task as failed when the worker could not record the failure itself', async () => {
    const memory = createMemoryAgentTaskStateStore();
    let failedWrites = 0;
    const states: AgentTaskStateStore = {
      ...memory,
      async update(tenant, id, change, expectedRevision) {
        // The database drops the worker's one write of the failure, then recovers.
        if (change.status === 'failed' && failedWrites++ === 0) throw new Error('connection to 10.0.0.3 refused');
        return memory.update(tenant, id, change, expectedRevision);
      },
    };
    const { call } = setup(createScriptedModel(answerEvents(unappliableAnswer)), { tasks: { states } });
    const taskId = await submit(call);
    const view = (await collectTaskEvents(await call(`/tasks/${taskId}/events`))).at(-1)!.view;
    expect(view.status).toBe('failed');
    expect(view.error).toEqual({ code: 'PATCH_NOT_APPLICABLE', message: expect.stringContaining('does not apply') });
    expect(failedWrites).toBe(2);
  });

  it('never shows the text of an unexpected server error in the view', async () => {
    const broken: LanguageModel = {
      provider: 'broken',
      modelId: 'broken-1',
      async stream() {
        throw new Error('secret at /srv/app/config.ts:12');
      },
    };
    const { call } = setup(broken, { tasks: { attempts: 1 } });
    const taskId = await submit(call);
    const view = (await collectTaskEvents(await call(`/tasks/${taskId}/events`))).at(-1)!.view;
    expect(view.status).toBe('failed');
    expect(view.error?.code).toBe('INTERNAL');
    expect(JSON.stringify(view)).not.toContain('secret');
  });

  it('validates the body with typed 4xx errors', async () => {
    const model = createScriptedModel(answerEvents(counterPatchAnswer));
    const { call } = setup(model, {
      tasks: { limits: { maxFiles: 2, maxFileBytes: 100, maxPromptChars: 50, maxBodyBytes: 2_000 } },
    });
    const cases: Array<[Record<string, unknown>, number]> = [
      [taskBody({ files: [...counterFiles, { path: 'c.ts', content: '' }] }), 400],
      [taskBody({ files: [{ path: 'a.ts', content: 'x'.repeat(101) }], cursor: undefined }), 400],
      [taskBody({ prompt: 'p'.repeat(51) }), 400],
      [taskBody({ prompt: '   ' }), 400],
      [taskBody({ mode: 'refactor' }), 400],
      [taskBody({ cursor: { file: 'elsewhere.ts', line: 1, col: 1 } }), 400],
      [taskBody({ files: [counterFiles[0], counterFiles[0]] }), 400],
      [taskBody({ extra: true }), 400],
      [taskBody({ files: [{ path: 'big.ts', content: 'y'.repeat(3_000) }], cursor: undefined }), 413],
    ];
    for (const [body, status] of cases) {
      const response = await call('/tasks', { method: 'POST', json: body });
      expect(response.status, JSON.stringify(body).slice(0, 120)).toBe(status);
      const { error } = await response.json();
      expect(error.code).toBe(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INVALID_REQUEST');
    }
    const text = await call('/tasks', { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(model.requests).toHaveLength(0);
  });

  it('replays the same taskId for a repeated Idempotency-Key and refuses the key with another body', async () => {
    const model = createScriptedModel(answerEvents(counterPatchAnswer));
    const { call } = setup(model);
    const headers = { 'idempotency-key': 'task-key-1' };
    const first = await call('/tasks', { method: 'POST', json: taskBody(), headers });
    const { taskId } = await first.json();
    await collectTaskEvents(await call(`/tasks/${taskId}/events`));
    const again = await call('/tasks', { method: 'POST', json: taskBody(), headers });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await again.json()).taskId).toBe(taskId);
    expect(model.requests).toHaveLength(1);

    const reused = await call('/tasks', { method: 'POST', json: taskBody({ prompt: 'Something else' }), headers });
    expect(reused.status).toBe(422);
    expect((await reused.json()).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // Keys are per caller: another user's same key is a new task.
    const bobs = await call('/tasks', { method: 'POST', json: taskBody(), headers, user: 'bob' });
    expect((await bobs.json()).taskId).not.toBe(taskId);
  });

  it('checks the monthly token quota at enqueue and charges what each task used', async () => {
    const quota = createQuota({ limits: { user: { monthlyTokens: 300 } } });
    const model = createScriptedModel(answerEvents(counterPatchAnswer));
    const { call } = setup(model, { quota });
    const taskId = await submit(call);
    await collectTaskEvents(await call(`/tasks/${taskId}/events`));
    // 321 + 54 tokens used the month's 300 up.
    const refused = await call('/tasks', { method: 'POST', json: taskBody() });
    expect(refused.status).toBe(429);
    const { error } = await refused.json();
    expect(error.code).toBe('QUOTA_EXCEEDED');
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(model.requests).toHaveLength(1);
    // Another user of the team has their own monthly tokens.
    await submit(call, taskBody(), { user: 'bob' });
  });

  it('rate-limits task creation like chat', async () => {
    const rateLimit = createRateLimiter({ policies: tieredDailyPolicies({ guest: 1, free: 1 }) });
    const { call } = setup(createScriptedModel(answerEvents(counterPatchAnswer)), { rateLimit });
    await submit(call);
    const limited = await call('/tasks', { method: 'POST', json: taskBody() });
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.code).toBe('RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('fails a task at once, with the reason, when no model is configured', async () => {
    const fragmentkit = createFragmentkit({ auth: headerAuth, guest: false, logger: silentLogger, tasks: {} });
    const call = createCaller(fragmentkit);
    const taskId = await submit(call);
    const view = (await collectTaskEvents(await call(`/tasks/${taskId}/events`))).at(-1)!.view;
    expect(view).toMatchObject({ status: 'failed', error: { code: 'PROVIDER_NOT_CONFIGURED' } });
    expect(view.error?.message).toContain('createFragmentkit');
  });

  it('answers 404 for /tasks when agent tasks are not configured', async () => {
    const { call } = setup(createScriptedModel([]), { tasks: undefined });
    expect((await call('/tasks', { method: 'POST', json: taskBody() })).status).toBe(404);
  });

  it('keeps the submitted files byte for byte outside the changed lines', async () => {
    const crlf = counterSource.replace(/\n/g, '\r\n');
    const { call } = setup(createScriptedModel(answerEvents(counterPatchAnswer)));
    const taskId = await submit(call, taskBody({ files: [{ path: 'src/counter.ts', content: crlf }] }));
    const view = (await collectTaskEvents(await call(`/tasks/${taskId}/events`))).at(-1)!.view;
    expect(view.result?.files[0]?.content).toBe(fixedCounterSource.replace(/\n/g, '\r\n'));
  });
});
