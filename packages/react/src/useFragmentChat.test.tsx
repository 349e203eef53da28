import type { Attachment, ChatStreamEvent, Fragment } from '@fragmentkit/core';
import { createAttachmentStore } from '@fragmentkit/core';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { FragmentkitProvider } from './FragmentkitProvider.js';
import { useFragmentChat } from './useFragmentChat.js';

afterEach(cleanup);

const fragment: Fragment = {
  commentary: 'A counter.',
  template: 'nextjs-developer',
  title: 'Counter',
  description: 'A counter app.',
  additional_dependencies: [],
  has_additional_dependencies: false,
  install_dependencies_command: '',
  port: 3000,
  file_path: 'pages/index.tsx',
  code: 'export default function Home() { return <p>0</p>; }',
};

const attachment: Attachment = {
  id: 'src/App.tsx#L3-L5',
  kind: 'snippet',
  filePath: 'src/App.tsx',
  language: 'tsx',
  text: 'const a = 1;',
  range: { startLine: 3, endLine: 5 },
  contentHash: 'abc',
};

function sse(event: ChatStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A fetch whose streamed answers the test writes, recording every request body. */
function streamingFetch() {
  const encoder = new TextEncoder();
  const bodies: Record<string, unknown>[] = [];
  const urls: string[] = [];
  let write: (text: string) => void = () => {};
  let close: () => void = () => {};
  const fetch: typeof globalThis.fetch = async (input, init) => {
    urls.push(String(input));
    bodies.push(JSON.parse(String(init?.body)));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        write = (text) => controller.enqueue(encoder.encode(text));
        close = () => controller.close();
      },
    });
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
  };
  return { fetch, bodies, urls, write: (text: string) => write(text), close: () => close() };
}

function Chat() {
  const chat = useFragmentChat();
  return (
    <div>
      <button type="button" onClick={() => void chat.send('Add a reset button')}>
        Send
      </button>
      <output data-testid="status">{chat.status}</output>
      <output data-testid="title">{chat.fragment?.title ?? ''}</output>
      <output data-testid="turns">{chat.messages.length}</output>
    </div>
  );
}

function Standalone({ fetch }: { fetch: typeof globalThis.fetch }) {
  const chat = useFragmentChat({ endpoint: '/elsewhere', fetch });
  return (
    <button type="button" onClick={() => void chat.send('Hello')}>
      {chat.status}
    </button>
  );
}

describe('useFragmentChat', () => {
  it('sends the attached snippets with every turn and shows the partial, then the final fragment', async () => {
    const server = streamingFetch();
    const store = createAttachmentStore([attachment]);
    const user = userEvent.setup();
    render(
      <FragmentkitProvider endpoint="/fk" attachments={store} fetch={server.fetch}>
        <Chat />
      </FragmentkitProvider>,
    );
    expect(screen.getByTestId('status').textContent).toBe('idle');

    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(server.bodies).toHaveLength(1));
    expect(server.urls[0]).toBe('/fk/chat');
    expect(server.bodies[0]).toMatchObject({ input: 'Add a reset button', attachments: [attachment] });

    act(() => server.write(sse({ type: 'fragment-delta', fragment: { title: 'Coun' } })));
    await waitFor(() => expect(screen.getByTestId('title').textContent).toBe('Coun'));
    expect(screen.getByTestId('status').textContent).toBe('streaming');

    act(() => {
      server.write(sse({ type: 'done', fragment, finishReason: 'stop' }));
      server.close();
    });
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('done'));
    expect(screen.getByTestId('title').textContent).toBe('Counter');

    const second = { ...attachment, id: 'src/b.ts#L1-L1', filePath: 'src/b.ts', contentHash: 'def' };
    act(() => {
      store.add(second);
    });
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(server.bodies).toHaveLength(2));
    expect(server.bodies[1]).toMatchObject({
      attachments: [attachment, second],
      history: [
        { role: 'user', content: 'Add a reset button' },
        { role: 'assistant', content: JSON.stringify(fragment) },
      ],
    });
    act(() => {
      server.write(sse({ type: 'done', fragment, finishReason: 'stop' }));
      server.close();
    });
    await waitFor(() => expect(screen.getByTestId('turns').textContent).toBe('2'));
  });

  it('takes fetch and endpoint from its own options without a provider', async () => {
    const server = streamingFetch();
    const user = userEvent.setup();
    render(<Standalone fetch={server.fetch} />);
    await user.click(screen.getByRole('button', { name: 'idle' }));
    await waitFor(() => expect(server.urls).toEqual(['/elsewhere/chat']));
    expect(server.bodies[0]).toMatchObject({ input: 'Hello', attachments: [] });
  });

  it('stops the answer in flight when the component unmounts', async () => {
    const server = streamingFetch();
    const signals: AbortSignal[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      if (init?.signal) signals.push(init.signal);
      return server.fetch(input, init);
    };
    const user = userEvent.setup();
    const view = render(
      <FragmentkitProvider fetch={fetch}>
        <Chat />
      </FragmentkitProvider>,
    );
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(signals).toHaveLength(1));
    view.unmount();
    expect(signals[0]?.aborted).toBe(true);
  });
});
