import { afterAll, beforeAll, expect, it } from 'vitest';
import { createScriptedModel } from '../../test/scriptedModel.js';
import { createFragmentkit } from '../fragmentkit.js';
import { newTenant } from '../store/__fixtures__/storeTestData.js';
import { describeEachEngine, openTestDatabase, type TestDatabase } from '../store/__fixtures__/testDatabases.js';
import { defaultAppRole } from '../store/appRole.js';
import { createFragmentStore, type FragmentStore } from '../store/fragmentStore.js';
import {
  answerEvents,
  collectTaskEvents,
  counterPatchAnswer,
  createCaller,
  headerAuth,
  silentLogger,
  taskBody,
  taskUsage,
  unappliableAnswer,
} from './__fixtures__/agentTaskHarness.js';

describeEachEngine('agent tasks in the database', (engine) => {
  let database: TestDatabase;
  let store: FragmentStore;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = createFragmentStore(database.db);
  });
  afterAll(() => database.close());

  it('stores tasks per user and team, with compare-and-set updates', async () => {
    const alice = newTenant('alice');
    const input = { files: [{ path: 'a.ts', content: 'a' }], prompt: 'explain' };
    const created = await store.agentTasks.create(alice, { id: 'task-1', projectId: 'p', mode: 'explain', input });
    expect(created).toMatchObject({ id: 'task-1', status: 'queued', revision: 1, input, userId: 'alice' });
    expect(await store.agentTasks.get({ ...alice, userId: 'bob' }, 'task-1')).toBeNull();
    expect(await store.agentTasks.get(newTenant('alice'), 'task-1')).toBeNull();
    // The same id in another team is another task.
    const otherTeam = newTenant('alice');
    await store.agentTasks.create(otherTeam, { id: 'task-1', projectId: 'q', mode: 'patch', input });

    const processing = await store.agentTasks.update(alice, 'task-1', { status: 'processing', jobId: 'job-9' }, 1);
    expect(processing).toMatchObject({ status: 'processing', revision: 2, jobId: 'job-9' });
    expect(await store.agentTasks.update(alice, 'task-1', { status: 'done' }, 1)).toBeNull();
    const failed = await store.agentTasks.update(alice, 'task-1', {
      status: 'failed',
      error: { code: 'X', message: 'y' },
      metrics: { inputTokens: 1, outputTokens: 2, durationMs: 3 },
    });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'X', message: 'y' }, revision: 3, jobId: 'job-9' });
    expect(await store.agentTasks.update({ ...alice, userId: 'bob' }, 'task-1', { status: 'done' })).toBeNull();
    expect((await store.agentTasks.get(otherTeam, 'task-1'))?.projectId).toBe('q');

    const leaked = await database.db.transaction(async (transaction) => {
      await transaction.query(`SET LOCAL ROLE ${defaultAppRole}`);
      await transaction.query("SELECT set_config('fragmentkit.team_id', $1, true)", ['no-such-team']);
      return (await transaction.query('SELECT id FROM agent_tasks')).rows;
    });
    expect(leaked).toEqual([]);
  });

  it('runs tasks end to end, serves them from another instance, and audits per user and project', async () => {
    const teamId = `team-e2e-${engine}`;
    const model = createScriptedModel(answerEvents(counterPatchAnswer), { provider: 'scripted', modelId: 'm-1' });
    const worker = createFragmentkit({ model, store, auth: headerAuth, guest: false, logger: silentLogger, tasks: {} });
    const apiOnly = createFragmentkit({
      model,
      store,
      auth: headerAuth,
      guest: false,
      logger: silentLogger,
      tasks: { worker: false },
    });
    const call = createCaller(worker);
    const callOther = createCaller(apiOnly);

    const created = await call('/tasks', { method: 'POST', json: taskBody(), team: teamId });
    const { taskId } = await created.json();
    const final = (await collectTaskEvents(await call(`/tasks/${taskId}/events`, { team: teamId }))).at(-1)!.view;
    expect(final.status).toBe('done');
    // Another instance (no worker, its own queue) reads the same task from the database.
    expect(await (await callOther(`/tasks/${taskId}`, { team: teamId })).json()).toEqual(final);
    expect((await callOther(`/tasks/${taskId}`, { team: teamId, user: 'bob' })).status).toBe(404);
    expect((await callOther(`/tasks/${taskId}`, { team: 'team-elsewhere' })).status).toBe(404);
    const accepted = await callOther(`/tasks/${taskId}/accept`, { method: 'POST', json: {}, team: teamId });
    expect((await accepted.json()).result.files[0].status).toBe('accepted');

    const failing = createFragmentkit({
      model: createScriptedModel(answerEvents(unappliableAnswer)),
      store,
      auth: headerAuth,
      guest: false,
      logger: silentLogger,
      tasks: {},
    });
    const callFailing = createCaller(failing);
    const bobTask = await (
      await callFailing('/tasks', {
        method: 'POST',
        json: taskBody({ projectId: 'other-project' }),
        team: teamId,
        user: 'bob',
      })
    ).json();
    await collectTaskEvents(await callFailing(`/tasks/${bobTask.taskId}/events`, { team: teamId, user: 'bob' }));

    // Alice (a member) sees her own entries of the project; asking for Bob's is 403.
    const mine = await (await call('/audit?projectId=counter-app', { team: teamId })).json();
    const actions = mine.entries.map((entry: { action: string }) => entry.action).sort();
    expect(actions).toEqual(['patch.accepted', 'task.completed', 'task.created']);
    const completed = mine.entries.find((entry: { action: string }) => entry.action === 'task.completed');
    expect(completed).toMatchObject({
      userId: 'alice',
      subject: `project/counter-app/task/${taskId}`,
      data: { projectId: 'counter-app', taskId, mode: 'patch', provider: 'scripted', model: 'm-1', ...taskUsage },
    });
    expect(completed.data.durationMs).toEqual(expect.any(Number));
    const acceptedEntry = mine.entries.find((entry: { action: string }) => entry.action === 'patch.accepted');
    expect(acceptedEntry.data.paths).toEqual(['src/counter.ts']);
    expect((await call('/audit?userId=bob', { team: teamId })).status).toBe(403);

    // An admin reads the team's entries, per user or per project.
    const admin = { team: teamId, user: 'root', headers: { 'x-role': 'admin' } };
    const bobs = await (await call('/audit?userId=bob', admin)).json();
    expect(bobs.entries.map((entry: { action: string }) => entry.action).sort()).toEqual([
      'task.created',
      'task.failed',
    ]);
    expect(bobs.entries.find((entry: { action: string }) => entry.action === 'task.failed').data.errorCode).toBe(
      'PATCH_NOT_APPLICABLE',
    );
    const project = await (await call('/audit?projectId=other-project', admin)).json();
    expect(project.entries).toHaveLength(2);
    expect((await call('/audit', { team: 'team-elsewhere', user: 'x', headers: { 'x-role': 'owner' } })).status).toBe(
      200,
    );
    const outsider = await (
      await call('/audit', { team: 'team-elsewhere', user: 'x', headers: { 'x-role': 'owner' } })
    ).json();
    expect(outsider.entries).toEqual([]);

    // Usage of the task went to the ledger under the task's id.
    const usage = await store.usageTotals({ teamId, userId: 'alice' }, { since: new Date(0), userId: 'alice' });
    expect(usage).toMatchObject({ requests: 1, ...taskUsage });
  });
});
