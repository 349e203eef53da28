import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiffView } from '../DiffView.js';
import { FragmentkitProvider } from '../FragmentkitProvider.js';
import type { AgentTaskView } from './agentTaskView.js';
import type { AcceptedFile } from './resolveAcceptedFiles.js';
import { type UseAgentTaskOptions, useAgentTask } from './useAgentTask.js';

const base = 'http://fk.test/api/fk';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  cleanup();
});
afterAll(() => server.close());

const original = 'const a = 1;\nconst b = 2;\nconst c = 3;\n';
const proposed = 'const a = 1;\nconst b = 20;\nconst c = 3;\n';
const diff =
  '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,3 +1,3 @@\n const a = 1;\n-const b = 2;\n+const b = 20;\n const c = 3;\n';
const otherDiff = '--- a/src/b.ts\n+++ b/src/b.ts\n@@ -1 +1 @@\n-x\n+y\n';

function view(status: AgentTaskView['status'], files?: Array<{ path: string; status?: string }>): AgentTaskView {
  return {
    id: 'task-1',
    projectId: 'demo',
    mode: 'patch',
    status,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:01.000Z',
    ...(files && {
      result: {
        explanation: 'Raised b.',
        files: files.map((file) => ({
          path: file.path,
          diff: file.path === 'src/a.ts' ? diff : otherDiff,
          content: file.path === 'src/a.ts' ? proposed : 'y\n',
          status: (file.status ?? 'pending') as 'pending',
        })),
      },
    }),
  };
}

function sseBody(events: Array<{ id: string; task: AgentTaskView }>, end: 'close' | 'hang' = 'close') {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const { id, task } of events) {
        controller.enqueue(encoder.encode(`id: ${id}\nevent: task\ndata: ${JSON.stringify(task)}\n\n`));
      }
      if (end === 'close') controller.close();
    },
  });
}

const sse = (body: ReadableStream<Uint8Array>) =>
  new HttpResponse(body, { headers: { 'Content-Type': 'text/event-stream' } });

function Harness(props: UseAgentTaskOptions & { files?: Array<{ path: string; content: string }> }) {
  const task = useAgentTask({ reconnectWait: async () => {}, ...props });
  return (
    <div>
      <button
        type="button"
        onClick={() =>
          void task.create({
            projectId: 'demo',
            files: props.files ?? [{ path: 'src/a.ts', content: original }],
            cursor: { file: 'src/a.ts', line: 2, col: 1 },
            prompt: 'Raise b',
            mode: 'patch',
          })
        }
      >
        Run
      </button>
      <output data-testid="status">{task.status}</output>
      <output data-testid="error">{task.error?.code ?? ''}</output>
      {task.task?.result && (
        <DiffView
          files={task.task.result.files}
          onAccept={task.accept}
          onReject={task.reject}
          disabled={task.pending !== undefined}
        />
      )}
    </div>
  );
}

function renderHarness(props: Parameters<typeof Harness>[0] = {}) {
  render(
    <FragmentkitProvider endpoint={base}>
      <Harness {...props} />
    </FragmentkitProvider>,
  );
  return userEvent.setup();
}

describe('useAgentTask', () => {
  it('creates a task with an Idempotency-Key, follows its events and accepts one file into the buffer', async () => {
    const created: Array<{ body: unknown; key: string | null }> = [];
    const decisions: unknown[] = [];
    server.use(
      http.post(`${base}/tasks`, async ({ request }) => {
        created.push({ body: await request.json(), key: request.headers.get('Idempotency-Key') });
        return HttpResponse.json({ taskId: 'task-1', status: 'queued' }, { status: 202 });
      }),
      http.get(`${base}/tasks/task-1/events`, () =>
        sse(
          sseBody([
            { id: '1', task: view('processing') },
            { id: '2', task: view('done', [{ path: 'src/a.ts' }, { path: 'src/b.ts' }]) },
          ]),
        ),
      ),
      http.post(`${base}/tasks/task-1/accept`, async ({ request }) => {
        decisions.push(await request.json());
        return HttpResponse.json(view('done', [{ path: 'src/a.ts', status: 'accepted' }, { path: 'src/b.ts' }]));
      }),
    );
    const accepted: AcceptedFile[][] = [];
    const user = renderHarness({ onAccepted: (files) => accepted.push(files), readFile: () => original });

    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('done'));
    expect(created).toHaveLength(1);
    expect(created[0]?.key).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(created[0]?.body).toMatchObject({
      projectId: 'demo',
      prompt: 'Raise b',
      mode: 'patch',
      cursor: { line: 2 },
    });

    await user.click(screen.getByRole('button', { name: 'Accept changes to src/a.ts' }));
    await waitFor(() => expect(accepted).toHaveLength(1));
    expect(decisions).toEqual([{ paths: ['src/a.ts'] }]);
    expect(accepted[0]).toEqual([{ path: 'src/a.ts', content: proposed, diff, rebased: false }]);
    expect(screen.queryByRole('button', { name: 'Accept changes to src/a.ts' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Reject changes to src/b.ts' })).toBeTruthy();
  });

  it('re-applies the diff on a buffer edited since submit instead of overwriting it', async () => {
    server.use(
      http.post(`${base}/tasks`, () => HttpResponse.json({ taskId: 'task-1', status: 'queued' }, { status: 202 })),
      http.get(`${base}/tasks/task-1/events`, () =>
        sse(sseBody([{ id: '1', task: view('done', [{ path: 'src/a.ts' }]) }])),
      ),
      http.post(`${base}/tasks/task-1/accept`, () =>
        HttpResponse.json(view('done', [{ path: 'src/a.ts', status: 'accepted' }])),
      ),
    );
    const edited = `// added by the user while the task ran\n${original}`;
    const accepted: AcceptedFile[] = [];
    const user = renderHarness({ onAccepted: (files) => accepted.push(...files), readFile: () => edited });
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await user.click(await screen.findByRole('button', { name: 'Accept changes to src/a.ts' }));
    await waitFor(() => expect(accepted).toHaveLength(1));
    expect(accepted[0]).toMatchObject({
      rebased: true,
      content: `// added by the user while the task ran\n${proposed}`,
    });
    expect(accepted[0]?.conflict).toBeUndefined();
  });

  it('reports a conflict when the edited buffer no longer matches the diff', async () => {
    server.use(
      http.post(`${base}/tasks`, () => HttpResponse.json({ taskId: 'task-1', status: 'queued' }, { status: 202 })),
      http.get(`${base}/tasks/task-1/events`, () =>
        sse(sseBody([{ id: '1', task: view('done', [{ path: 'src/a.ts' }]) }])),
      ),
      http.post(`${base}/tasks/task-1/accept`, () =>
        HttpResponse.json(view('done', [{ path: 'src/a.ts', status: 'accepted' }])),
      ),
    );
    const accepted: AcceptedFile[] = [];
    const user = renderHarness({ onAccepted: (files) => accepted.push(...files), readFile: () => 'rewritten\n' });
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await user.click(await screen.findByRole('button', { name: 'Accept changes to src/a.ts' }));
    await waitFor(() => expect(accepted).toHaveLength(1));
    expect(accepted[0]?.conflict).toMatch(/src\/a\.ts changed since the task was submitted/);
    expect(accepted[0]?.rebased).toBe(false);
  });

  it('reconnects a broken event stream with Last-Event-ID', async () => {
    const lastEventIds: Array<string | null> = [];
    server.use(
      http.post(`${base}/tasks`, () => HttpResponse.json({ taskId: 'task-1', status: 'queued' }, { status: 202 })),
      http.get(`${base}/tasks/task-1/events`, ({ request }) => {
        lastEventIds.push(request.headers.get('Last-Event-ID'));
        return lastEventIds.length === 1
          ? sse(sseBody([{ id: '7', task: view('processing') }]))
          : sse(sseBody([{ id: '8', task: view('done', [{ path: 'src/a.ts' }]) }]));
      }),
      http.get(`${base}/tasks/task-1`, () => HttpResponse.json(view('processing'))),
    );
    renderHarness();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('done'));
    expect(lastEventIds).toEqual([null, '7']);
  });

  it('ends when a reconnect finds the task already finished', async () => {
    let streams = 0;
    server.use(
      http.post(`${base}/tasks`, () => HttpResponse.json({ taskId: 'task-1', status: 'queued' }, { status: 202 })),
      http.get(`${base}/tasks/task-1/events`, () => {
        streams += 1;
        // As the server does for a finished task and a Last-Event-ID at its revision: no events.
        return sse(streams === 1 ? sseBody([{ id: '3', task: view('processing') }]) : sseBody([]));
      }),
      http.get(`${base}/tasks/task-1`, () => HttpResponse.json(view('done', [{ path: 'src/a.ts' }]))),
    );
    renderHarness();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('done'));
    expect(streams).toBe(1);
    expect(screen.getByRole('button', { name: 'Accept changes to src/a.ts' })).toBeTruthy();
  });

  it('gives up after the reconnect attempts, keeping the task as last read', async () => {
    let streams = 0;
    server.use(
      http.post(`${base}/tasks`, () => HttpResponse.json({ taskId: 'task-1', status: 'queued' }, { status: 202 })),
      http.get(`${base}/tasks/task-1/events`, () => {
        streams += 1;
        return HttpResponse.json({ error: { code: 'INTERNAL', message: 'down' } }, { status: 503 });
      }),
      http.get(`${base}/tasks/task-1`, () => HttpResponse.json(view('processing'))),
    );
    renderHarness({ reconnectAttempts: 2 });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(screen.getByTestId('error').textContent).toBe('STREAM_INCOMPLETE'));
    expect(streams).toBe(3);
    expect(screen.getByTestId('status').textContent).toBe('processing');
  });

  it('surfaces a typed 4xx from task creation', async () => {
    server.use(
      http.post(`${base}/tasks`, () =>
        HttpResponse.json({ error: { code: 'INVALID_REQUEST', message: 'prompt is empty' } }, { status: 400 }),
      ),
    );
    renderHarness();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(screen.getByTestId('error').textContent).toBe('INVALID_REQUEST'));
    expect(screen.getByTestId('status').textContent).toBe('idle');
  });

  it('rejects every pending file with Reject all', async () => {
    const decisions: unknown[] = [];
    server.use(
      http.post(`${base}/tasks`, () => HttpResponse.json({ taskId: 'task-1', status: 'queued' }, { status: 202 })),
      http.get(`${base}/tasks/task-1/events`, () =>
        sse(sseBody([{ id: '1', task: view('done', [{ path: 'src/a.ts' }, { path: 'src/b.ts' }]) }])),
      ),
      http.post(`${base}/tasks/task-1/reject`, async ({ request }) => {
        decisions.push(await request.json());
        return HttpResponse.json(
          view('done', [
            { path: 'src/a.ts', status: 'rejected' },
            { path: 'src/b.ts', status: 'rejected' },
          ]),
        );
      }),
    );
    const accepted: AcceptedFile[][] = [];
    const user = renderHarness({ onAccepted: (files) => accepted.push(files) });
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await user.click(await screen.findByRole('button', { name: 'Reject all' }));
    await waitFor(() => expect(screen.getAllByText('rejected')).toHaveLength(2));
    expect(decisions).toEqual([{}]);
    expect(accepted).toEqual([]);
    await act(async () => {});
    expect((screen.getByRole('button', { name: 'Accept all' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
