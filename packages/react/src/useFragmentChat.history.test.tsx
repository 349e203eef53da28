import type { ChatStreamEvent, Fragment } from '@fragmentkit/core';
import { createPriceTable } from '@fragmentkit/core';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FragmentkitProvider } from './FragmentkitProvider.js';
import { type UseFragmentChatOptions, useFragmentChat } from './useFragmentChat.js';

const base = 'http://fk.test/api/fk';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  cleanup();
});
afterAll(() => server.close());

const fragment = (title: string): Fragment => ({
  commentary: '',
  template: 'nextjs-developer',
  title,
  description: '',
  additional_dependencies: [],
  has_additional_dependencies: false,
  install_dependencies_command: '',
  port: 3000,
  file_path: 'pages/index.tsx',
  code: `export default () => '${title}';`,
});

const meta = (requestId = 'req_1'): ChatStreamEvent => ({
  type: 'meta',
  requestId,
  conversationId: 'conv_1',
  provider: 'openai',
  model: 'gpt-test',
  prompt: { tokenizer: 'estimate', totalTokens: 10, parts: [], attachments: [] },
});

function events(list: Array<[number, ChatStreamEvent]>, close = true) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const [id, event] of list) {
        controller.enqueue(encoder.encode(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`));
      }
      if (close) controller.close();
    },
  });
  return new HttpResponse(body, { headers: { 'Content-Type': 'text/event-stream' } });
}

const stored = {
  conversation: { id: 'conv_1', title: 'Counter' },
  messages: [
    { id: 'm1', role: 'user', content: 'Make a counter', attachments: [] },
    { id: 'm2', role: 'assistant', content: JSON.stringify(fragment('Counter')) },
  ],
  fragments: [{ messageId: 'm2', fragment: fragment('Counter') }],
  executions: [],
};

function Chat(props: UseFragmentChatOptions) {
  const chat = useFragmentChat(props);
  return (
    <div>
      <button type="button" onClick={() => void chat.send('Add a reset button')}>
        Send
      </button>
      <button type="button" onClick={() => void chat.regenerate()}>
        Regenerate
      </button>
      <button type="button" onClick={() => void chat.retry()}>
        Retry
      </button>
      <output data-testid="status">{chat.status}</output>
      <output data-testid="history">
        {chat.historyStatus + (chat.historyError ? `:${chat.historyError.code}` : '')}
      </output>
      <output data-testid="error">{chat.error?.code ?? ''}</output>
      <output data-testid="notice">{chat.notice ?? ''}</output>
      <output data-testid="title">{chat.fragment?.title ?? ''}</output>
      <ol>
        {chat.messages.map((message) => (
          <li key={message.id}>
            {message.input} / {message.status} / {message.fragment?.title ?? '-'} / {message.usage?.outputTokens ?? '-'}{' '}
            / {message.cost?.totalUsd ?? '-'}
          </li>
        ))}
      </ol>
    </div>
  );
}

function renderChat(props: UseFragmentChatOptions = {}) {
  render(
    <FragmentkitProvider endpoint={base}>
      <Chat {...props} />
    </FragmentkitProvider>,
  );
  return userEvent.setup();
}

describe('useFragmentChat with a server', () => {
  it('loads the stored history on mount and continues the conversation with it', async () => {
    const posted: Array<{ body: unknown; key: string | null }> = [];
    server.use(
      http.get(`${base}/conversations/conv_1`, () => HttpResponse.json(stored)),
      http.post(`${base}/chat`, async ({ request }) => {
        posted.push({ body: await request.json(), key: request.headers.get('Idempotency-Key') });
        return events([
          [1, meta()],
          [2, { type: 'done', fragment: fragment('Counter with reset'), finishReason: 'stop' }],
        ]);
      }),
    );
    const user = renderChat({ conversationId: 'conv_1' });
    await waitFor(() => expect(screen.getByTestId('history').textContent).toBe('loaded'));
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Make a counter / done / Counter / - / -',
    ]);
    expect(screen.getByTestId('title').textContent).toBe('Counter');

    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('done'));
    expect(posted[0]?.body).toMatchObject({
      conversationId: 'conv_1',
      history: [
        { role: 'user', content: 'Make a counter' },
        { role: 'assistant', content: JSON.stringify(fragment('Counter')) },
      ],
    });
    expect(posted[0]?.key).toBeTruthy();
  });

  it('does not throw away a turn sent while the history was loading', async () => {
    let answerHistory: (response: Response) => void = () => {};
    server.use(
      http.get(`${base}/conversations/conv_1`, () => new Promise<Response>((resolve) => (answerHistory = resolve))),
      http.post(`${base}/chat`, () =>
        events([
          [1, meta()],
          [2, { type: 'done', fragment: fragment('Fresh'), finishReason: 'stop' }],
        ]),
      ),
    );
    const user = renderChat({ conversationId: 'conv_1' });
    expect(screen.getByTestId('history').textContent).toBe('loading');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('done'));
    answerHistory(HttpResponse.json(stored));
    await waitFor(() => expect(screen.getByTestId('history').textContent).toBe('error:HISTORY_SUPERSEDED'));
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Add a reset button / done / Fresh / - / -',
    ]);
  });

  it('reports a conversation the server does not know', async () => {
    server.use(
      http.get(`${base}/conversations/nope`, () =>
        HttpResponse.json({ error: { code: 'NOT_FOUND', message: 'No conversation nope.' } }, { status: 404 }),
      ),
    );
    renderChat({ conversationId: 'nope' });
    await waitFor(() => expect(screen.getByTestId('history').textContent).toBe('error:NOT_FOUND'));
  });

  it('regenerates the latest answer with a new Idempotency-Key, replacing the turn', async () => {
    const keys: Array<string | null> = [];
    server.use(
      http.post(`${base}/chat`, ({ request }) => {
        keys.push(request.headers.get('Idempotency-Key'));
        return events([
          [1, meta()],
          [2, { type: 'done', fragment: fragment(`Answer ${keys.length}`), finishReason: 'stop' }],
        ]);
      }),
    );
    const user = renderChat();
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getByTestId('title').textContent).toBe('Answer 1'));
    await user.click(screen.getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(screen.getByTestId('title').textContent).toBe('Answer 2'));
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
    expect(screen.getAllByRole('listitem')).toHaveLength(1);
  });

  it('resumes a broken stream with Last-Event-ID and discards partial output on restart', async () => {
    const resumes: Array<string | null> = [];
    server.use(
      http.post(`${base}/chat`, () =>
        events([
          [1, meta()],
          [2, { type: 'fragment-delta', fragment: { title: 'Half' } }],
        ]),
      ),
      http.get(`${base}/chat/req_1/stream`, ({ request }) => {
        resumes.push(request.headers.get('Last-Event-ID'));
        return events(
          [
            [3, { type: 'restart', reason: 'primary timed out', provider: 'anthropic', model: 'claude-test' }],
            [4, { type: 'usage', usage: { inputTokens: 1000, outputTokens: 500 } }],
          ],
          false,
        );
      }),
    );
    const user = renderChat();
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() =>
      expect(screen.getByTestId('notice').textContent).toMatch(/fallback model claude-test \(anthropic\)/),
    );
    expect(resumes).toEqual(['2']);
    expect(screen.getByTestId('title').textContent).toBe('');
    await waitFor(() => expect(screen.getByRole('listitem').textContent).toContain('/ 500 /'));
  });

  it('shows usage and cost per message, and retries a failed turn', async () => {
    let calls = 0;
    server.use(
      http.post(`${base}/chat`, () => {
        calls += 1;
        if (calls === 1) {
          return HttpResponse.json(
            { error: { code: 'RATE_LIMITED', message: 'Slow down.' } },
            { status: 429, headers: { 'Retry-After': '1' } },
          );
        }
        return events([
          [1, meta()],
          [2, { type: 'usage', usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 } }],
          [3, { type: 'done', fragment: fragment('Priced'), finishReason: 'stop' }],
        ]);
      }),
    );
    const prices = createPriceTable({ 'openai:gpt-test': { input: 1, output: 2 } });
    const user = renderChat({ prices });
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getByTestId('error').textContent).toBe('RATE_LIMITED'));
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('done'));
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Add a reset button / done / Priced / 1000000 / 3',
    ]);
    await act(async () => {});
  });
});
