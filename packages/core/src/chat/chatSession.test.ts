import { describe, expect, it } from 'vitest';
import type { Attachment } from '../attachments/attachment.js';
import type { Fragment } from '../fragment/schema.js';
import type { ChatStreamEvent, MetaEvent } from '../wire/chatEvents.js';
import { type ChatState, createChatSession } from './chatSession.js';

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

const meta: MetaEvent = {
  type: 'meta',
  requestId: 'req_1',
  conversationId: 'conv_1',
  provider: 'anthropic',
  model: 'claude-sonnet',
  prompt: { tokenizer: 'estimate', totalTokens: 100, parts: [], attachments: [] },
};

const attachment: Attachment = {
  id: 'src/App.tsx#L3-L5',
  kind: 'snippet',
  filePath: 'src/App.tsx',
  language: 'tsx',
  text: 'const a = 1;\nconst b = 2;\nconst c = 3;',
  range: { startLine: 3, endLine: 5 },
  contentHash: 'abc',
};

function sse(event: ChatStreamEvent, id: number): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A response body the test writes to, cutting the text at arbitrary places like a real network. */
function controlledBody() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
    },
  });
  return {
    body,
    write(text: string) {
      controller.enqueue(encoder.encode(text));
    },
    close() {
      controller.close();
    },
  };
}

interface RecordedRequest {
  url: string;
  headers: Headers;
  body: Record<string, unknown>;
  signal: AbortSignal | undefined;
}

/** A fetch that records each request and answers with the next queued response. */
function fakeFetch(...responses: (Response | Error)[]) {
  const requests: RecordedRequest[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push({
      url: String(input),
      headers: new Headers(init?.headers),
      body: init?.body === undefined ? {} : JSON.parse(String(init.body)),
      signal: init?.signal ?? undefined,
    });
    const next = responses.shift();
    if (!next) throw new Error('unexpected request');
    if (next instanceof Error) throw next;
    return next;
  };
  return { fetch, requests };
}

function streamResponse(text: string): Response {
  return new Response(text, { headers: { 'Content-Type': 'text/event-stream' } });
}

/** Resolves once the session's state matches, so tests wait on events, not on time. */
function waitFor(
  session: { getSnapshot(): ChatState; subscribe(listener: () => void): () => void },
  check: (state: ChatState) => boolean,
) {
  return new Promise<ChatState>((resolve) => {
    if (check(session.getSnapshot())) return resolve(session.getSnapshot());
    const unsubscribe = session.subscribe(() => {
      if (check(session.getSnapshot())) {
        unsubscribe();
        resolve(session.getSnapshot());
      }
    });
  });
}

let nextId = 0;
const generateId = () => `id-${++nextId}`;

describe('createChatSession', () => {
  it('posts the input, attachments and headers, then streams the partial and final fragment', async () => {
    const stream = controlledBody();
    const { fetch, requests } = fakeFetch(
      new Response(stream.body, { headers: { 'Content-Type': 'text/event-stream' } }),
    );
    const session = createChatSession({
      endpoint: '/api/fragmentkit/',
      fetch,
      getAttachments: () => [attachment],
      headers: () => ({ Authorization: 'Bearer token' }),
      generateId,
    });
    const states: ChatState[] = [];
    session.subscribe(() => states.push(session.getSnapshot()));

    const sending = session.send('Add a reset button', { template: 'nextjs-developer', model: 'claude-sonnet' });
    expect(session.getSnapshot().status).toBe('submitted');

    const text = sse(meta, 1) + sse({ type: 'fragment-delta', fragment: { title: 'Coun' } }, 2);
    stream.write(text.slice(0, 50));
    stream.write(text.slice(50));
    const partial = await waitFor(session, (state) => state.fragment?.title === 'Coun');
    expect(partial).toMatchObject({ status: 'streaming', conversationId: 'conv_1', meta });
    expect(partial.messages).toHaveLength(1);
    expect(partial.messages[0]).toMatchObject({ status: 'streaming', input: 'Add a reset button' });

    stream.write(sse({ type: 'usage', usage: { inputTokens: 1, outputTokens: 2 } }, 3));
    stream.write(sse({ type: 'done', fragment, finishReason: 'stop' }, 4));
    stream.close();
    await sending;

    const final = session.getSnapshot();
    expect(final).toMatchObject({ status: 'done', fragment, usage: { inputTokens: 1, outputTokens: 2 } });
    expect(final.error).toBeUndefined();
    expect(final.messages[0]).toMatchObject({
      status: 'done',
      fragment,
      attachments: [attachment],
      usage: { inputTokens: 1, outputTokens: 2 },
      answeredBy: { provider: 'anthropic', model: 'claude-sonnet' },
    });

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.url).toBe('/api/fragmentkit/chat');
    expect(request?.headers.get('Content-Type')).toBe('application/json');
    expect(request?.headers.get('Authorization')).toBe('Bearer token');
    expect(request?.headers.get('Idempotency-Key')).toBe(final.messages[0]?.id);
    expect(request?.body).toEqual({
      input: 'Add a reset button',
      attachments: [attachment],
      template: 'nextjs-developer',
      model: 'claude-sonnet',
      history: [],
    });

    // Every change is a new snapshot object, so useSyncExternalStore sees each one.
    expect(new Set(states).size).toBe(states.length);
    expect(states.map((state) => state.status)).toContain('streaming');
  });

  it('sends the attachments with every turn, plus the conversation id and earlier turns as history', async () => {
    const { fetch, requests } = fakeFetch(
      streamResponse(sse(meta, 1) + sse({ type: 'done', fragment, finishReason: 'stop' }, 2)),
      streamResponse(sse({ type: 'done', fragment: { ...fragment, title: 'Counter 2' }, finishReason: 'stop' }, 1)),
    );
    let attachments: readonly Attachment[] = [attachment];
    const session = createChatSession({
      endpoint: '/api/fragmentkit',
      fetch,
      getAttachments: () => attachments,
      generateId,
    });

    await session.send('Make a counter');
    attachments = [attachment, { ...attachment, id: 'src/b.ts#L1-L1', filePath: 'src/b.ts' }];
    await session.send('Add a reset button');

    expect(requests.map((request) => request.body.attachments)).toEqual([[attachment], attachments]);
    expect(requests[1]?.body).toMatchObject({
      input: 'Add a reset button',
      conversationId: 'conv_1',
      history: [
        { role: 'user', content: 'Make a counter' },
        { role: 'assistant', content: JSON.stringify(fragment) },
      ],
    });
    const keys = requests.map((request) => request.headers.get('Idempotency-Key'));
    expect(new Set(keys).size).toBe(2);
    expect(session.getSnapshot().messages.map((turn) => turn.fragment?.title)).toEqual(['Counter', 'Counter 2']);
  });

  it('discards the partial fragment on restart and tells the user a fallback answers', async () => {
    const stream = controlledBody();
    const { fetch } = fakeFetch(new Response(stream.body));
    const session = createChatSession({ endpoint: '/api', fetch, generateId });
    const sending = session.send('Make a counter');

    stream.write(sse(meta, 1) + sse({ type: 'fragment-delta', fragment: { title: 'From the first model' } }, 2));
    await waitFor(session, (state) => state.fragment !== undefined);
    stream.write(sse({ type: 'restart', reason: 'PROVIDER_UNAVAILABLE', provider: 'openai', model: 'gpt-4o' }, 3));
    const restarted = await waitFor(session, (state) => state.notice !== undefined);
    expect(restarted.fragment).toBeUndefined();
    expect(restarted.messages[0]?.fragment).toBeUndefined();
    expect(restarted.notice).toContain('gpt-4o');
    expect(restarted.meta).toMatchObject({ provider: 'openai', model: 'gpt-4o', requestId: 'req_1' });

    stream.write(sse({ type: 'fragment-delta', fragment: { title: 'From the fallback' } }, 4));
    stream.write(sse({ type: 'done', fragment, finishReason: 'stop' }, 5));
    stream.close();
    await sending;
    expect(session.getSnapshot()).toMatchObject({ status: 'done', fragment });
  });

  it('never presents a stream that ends without done as success', async () => {
    const { fetch } = fakeFetch(
      streamResponse(sse(meta, 1) + sse({ type: 'fragment-delta', fragment: { title: 'C' } }, 2)),
    );
    const session = createChatSession({ endpoint: '/api', fetch, generateId, reconnect: false });
    await session.send('Make a counter');
    const state = session.getSnapshot();
    expect(state.status).toBe('error');
    expect(state.error?.code).toBe('STREAM_INCOMPLETE');
    expect(state.messages[0]).toMatchObject({ status: 'error', fragment: { title: 'C' } });
  });

  it('reports the JSON error of a 4xx answer with its Retry-After', async () => {
    const { fetch } = fakeFetch(
      Response.json(
        { error: { code: 'RATE_LIMITED', message: 'Too many requests.', details: { limit: 10 } } },
        { status: 429, headers: { 'Retry-After': '30' } },
      ),
    );
    const session = createChatSession({ endpoint: '/api', fetch, generateId });
    await session.send('Make a counter');
    expect(session.getSnapshot()).toMatchObject({
      status: 'error',
      error: {
        code: 'RATE_LIMITED',
        message: 'Too many requests.',
        details: { limit: 10, status: 429, retryAfter: '30' },
      },
    });
  });

  it('reports a non-2xx answer without an error body as HTTP_ERROR', async () => {
    const { fetch } = fakeFetch(new Response('<html>Not Found</html>', { status: 404, statusText: 'Not Found' }));
    const session = createChatSession({ endpoint: '/wrong', fetch, generateId });
    await session.send('Make a counter');
    expect(session.getSnapshot().error).toMatchObject({ code: 'HTTP_ERROR', details: { status: 404 } });
  });

  it('reports a network failure as NETWORK_ERROR', async () => {
    const { fetch } = fakeFetch(new TypeError('Failed to fetch'));
    const session = createChatSession({ endpoint: '/api', fetch, generateId });
    await session.send('Make a counter');
    expect(session.getSnapshot()).toMatchObject({
      status: 'error',
      error: { code: 'NETWORK_ERROR', message: expect.stringContaining('Failed to fetch') },
    });
  });

  it('stops: aborts the request and keeps the partial fragment, marked stopped', async () => {
    const stream = controlledBody();
    const { fetch, requests } = fakeFetch(new Response(stream.body));
    const session = createChatSession({ endpoint: '/api', fetch, generateId });
    const sending = session.send('Make a counter');
    stream.write(sse({ type: 'fragment-delta', fragment: { title: 'Half' } }, 1));
    await waitFor(session, (state) => state.fragment?.title === 'Half');

    session.stop();
    await sending;
    expect(requests[0]?.signal?.aborted).toBe(true);
    expect(session.getSnapshot()).toMatchObject({ status: 'stopped', fragment: { title: 'Half' } });
    expect(session.getSnapshot().messages[0]?.status).toBe('stopped');
  });

  it('does not send stopped or failed turns as history', async () => {
    const { fetch, requests } = fakeFetch(
      new TypeError('Failed to fetch'),
      streamResponse(sse({ type: 'done', fragment, finishReason: 'stop' }, 1)),
    );
    const session = createChatSession({ endpoint: '/api', fetch, generateId });
    await session.send('First');
    await session.send('Second');
    expect(requests[1]?.body.history).toEqual([]);
  });

  it('retries the latest turn with the same input, options and attachments, replacing it', async () => {
    const { fetch, requests } = fakeFetch(
      new TypeError('Failed to fetch'),
      streamResponse(sse({ type: 'done', fragment, finishReason: 'stop' }, 1)),
    );
    let attachments: readonly Attachment[] = [attachment];
    const session = createChatSession({ endpoint: '/api', fetch, getAttachments: () => attachments, generateId });
    await session.send('Make a counter', { template: 'vue-developer' });
    attachments = [];
    await session.retry();

    expect(requests[1]?.body).toMatchObject({
      input: 'Make a counter',
      template: 'vue-developer',
      attachments: [attachment],
    });
    expect(requests[1]?.headers.get('Idempotency-Key')).not.toBe(requests[0]?.headers.get('Idempotency-Key'));
    expect(session.getSnapshot().messages).toHaveLength(1);
    expect(session.getSnapshot()).toMatchObject({ status: 'done', fragment });
  });

  it('refuses empty input without sending', async () => {
    const { fetch, requests } = fakeFetch();
    const session = createChatSession({ endpoint: '/api', fetch, generateId });
    await session.send('   ');
    expect(requests).toHaveLength(0);
    expect(session.getSnapshot()).toMatchObject({ status: 'error', error: { code: 'INVALID_REQUEST' }, messages: [] });
  });

  it('stops the turn in flight when a new one is sent', async () => {
    const first = controlledBody();
    const { fetch, requests } = fakeFetch(
      new Response(first.body),
      streamResponse(sse({ type: 'done', fragment, finishReason: 'stop' }, 1)),
    );
    const session = createChatSession({ endpoint: '/api', fetch, generateId });
    const sendingFirst = session.send('First');
    await waitFor(session, (state) => state.status === 'streaming');
    await session.send('Second');
    await sendingFirst;
    expect(requests[0]?.signal?.aborted).toBe(true);
    expect(session.getSnapshot().messages.map((turn) => turn.status)).toEqual(['stopped', 'done']);
    expect(session.getSnapshot().status).toBe('done');
  });

  it('reset forgets the conversation', async () => {
    const { fetch, requests } = fakeFetch(
      streamResponse(sse(meta, 1) + sse({ type: 'done', fragment, finishReason: 'stop' }, 2)),
      streamResponse(sse({ type: 'done', fragment, finishReason: 'stop' }, 1)),
    );
    const session = createChatSession({ endpoint: '/api', fetch, generateId });
    await session.send('First');
    session.reset();
    expect(session.getSnapshot()).toMatchObject({ status: 'idle', messages: [] });
    await session.send('Second');
    expect(requests[1]?.body.conversationId).toBeUndefined();
    expect(requests[1]?.body.history).toEqual([]);
  });
});

describe('createChatSession reconnecting a broken stream', () => {
  const done = sse({ type: 'done', fragment, finishReason: 'stop' }, 4);
  /** Waits nothing, remembering which attempts it was asked to wait for. */
  function instantWaits() {
    const waited: number[] = [];
    return { waited, wait: async (attempt: number) => void waited.push(attempt) };
  }
  /** A body that sends `text`, then breaks like a dropped connection. */
  function breakingBody(text: string): Response {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(text));
      },
      pull(controller) {
        controller.error(new TypeError('network error'));
      },
    });
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
  }
  const firstPart = sse(meta, 1) + sse({ type: 'fragment-delta', fragment: { title: 'Co' } }, 2);

  it('resumes from the stream route with Last-Event-ID and skips events it already has', async () => {
    const { fetch, requests } = fakeFetch(
      breakingBody(firstPart),
      streamResponse(
        sse({ type: 'fragment-delta', fragment: { title: 'Seen before' } }, 2) +
          sse({ type: 'fragment-delta', fragment: { title: 'Count' } }, 3) +
          done,
      ),
    );
    const waits = instantWaits();
    const session = createChatSession({
      endpoint: '/api',
      fetch,
      generateId,
      headers: { Authorization: 'Bearer token' },
      reconnect: { wait: waits.wait },
    });
    const titles: (string | undefined)[] = [];
    session.subscribe(() => titles.push(session.getSnapshot().fragment?.title));
    await session.send('Make a counter');

    expect(session.getSnapshot()).toMatchObject({ status: 'done', fragment, error: undefined });
    expect(session.getSnapshot().messages[0]?.status).toBe('done');
    expect(titles).not.toContain('Seen before');
    expect(titles).toContain('Count');
    expect(waits.waited).toEqual([1]);
    expect(requests).toHaveLength(2);
    expect(requests[1]?.url).toBe('/api/chat/req_1/stream');
    expect(requests[1]?.headers.get('Last-Event-ID')).toBe('2');
    expect(requests[1]?.headers.get('Authorization')).toBe('Bearer token');
  });

  it('sends the turn again with its Idempotency-Key when the stream broke before meta named its request', async () => {
    const { fetch, requests } = fakeFetch(
      breakingBody(''),
      streamResponse(firstPart + sse({ type: 'done', fragment, finishReason: 'stop' }, 3)),
    );
    const session = createChatSession({
      endpoint: '/api',
      fetch,
      generateId,
      reconnect: { wait: instantWaits().wait },
    });
    await session.send('Make a counter');
    expect(session.getSnapshot().status).toBe('done');
    expect(requests.map((request) => request.url)).toEqual(['/api/chat', '/api/chat']);
    expect(requests[1]?.headers.get('Idempotency-Key')).toBe(requests[0]?.headers.get('Idempotency-Key'));
    expect(requests[1]?.headers.get('Last-Event-ID')).toBeNull();
    expect(requests[1]?.body).toEqual(requests[0]?.body);
  });

  it('falls back to the Idempotency-Key replay when the stream route no longer has the stream', async () => {
    const { fetch, requests } = fakeFetch(
      breakingBody(firstPart),
      Response.json({ error: { code: 'NOT_FOUND', message: 'No resumable stream.' } }, { status: 404 }),
      streamResponse(sse({ type: 'fragment-delta', fragment: { title: 'Count' } }, 3) + done),
    );
    const session = createChatSession({
      endpoint: '/api',
      fetch,
      generateId,
      reconnect: { wait: instantWaits().wait },
    });
    await session.send('Make a counter');
    expect(session.getSnapshot().status).toBe('done');
    expect(requests.map((request) => request.url)).toEqual(['/api/chat', '/api/chat/req_1/stream', '/api/chat']);
    expect(requests[2]?.headers.get('Idempotency-Key')).toBe(requests[0]?.headers.get('Idempotency-Key'));
    expect(requests[2]?.headers.get('Last-Event-ID')).toBe('2');
  });

  it('tries again after a network error or a 409, waiting before each attempt', async () => {
    const { fetch, requests } = fakeFetch(
      breakingBody(firstPart),
      new TypeError('Failed to fetch'),
      Response.json({ error: { code: 'IDEMPOTENCY_IN_FLIGHT', message: 'Running.' } }, { status: 409 }),
      streamResponse(sse({ type: 'fragment-delta', fragment: { title: 'Count' } }, 3) + done),
    );
    const waits = instantWaits();
    const session = createChatSession({
      endpoint: '/api',
      fetch,
      generateId,
      reconnect: { wait: waits.wait, attempts: 3 },
    });
    await session.send('Make a counter');
    expect(session.getSnapshot().status).toBe('done');
    expect(waits.waited).toEqual([1, 2, 3]);
    expect(requests).toHaveLength(4);
  });

  it('reports the break only after every attempt failed', async () => {
    const { fetch, requests } = fakeFetch(
      breakingBody(firstPart),
      new TypeError('Failed to fetch'),
      new TypeError('Failed to fetch'),
    );
    const waits = instantWaits();
    const session = createChatSession({
      endpoint: '/api',
      fetch,
      generateId,
      reconnect: { wait: waits.wait, attempts: 2 },
    });
    await session.send('Make a counter');
    expect(session.getSnapshot()).toMatchObject({ status: 'error', error: { code: 'STREAM_INCOMPLETE' } });
    expect(session.getSnapshot().messages[0]).toMatchObject({ status: 'error', fragment: { title: 'Co' } });
    expect(waits.waited).toEqual([1, 2]);
    expect(requests).toHaveLength(3);
  });

  it('gives a resumed stream that breaks again its own attempts, as long as it made progress', async () => {
    const { fetch, requests } = fakeFetch(
      breakingBody(firstPart),
      breakingBody(sse({ type: 'fragment-delta', fragment: { title: 'Cou' } }, 3)),
      streamResponse(done),
    );
    const waits = instantWaits();
    const session = createChatSession({
      endpoint: '/api',
      fetch,
      generateId,
      reconnect: { wait: waits.wait, attempts: 1 },
    });
    await session.send('Make a counter');
    expect(session.getSnapshot().status).toBe('done');
    expect(requests[2]?.headers.get('Last-Event-ID')).toBe('3');
  });

  it('reports an error answer to a resume, such as 401, without trying again', async () => {
    const { fetch, requests } = fakeFetch(
      breakingBody(firstPart),
      Response.json({ error: { code: 'UNAUTHORIZED', message: 'Sign in first.' } }, { status: 401 }),
    );
    const session = createChatSession({
      endpoint: '/api',
      fetch,
      generateId,
      reconnect: { wait: instantWaits().wait },
    });
    await session.send('Make a counter');
    expect(session.getSnapshot()).toMatchObject({
      status: 'error',
      error: { code: 'UNAUTHORIZED', details: { status: 401 } },
    });
    expect(requests).toHaveLength(2);
  });

  it('does not resume a stream the server ended with an error event of its own', async () => {
    const incomplete = { type: 'error' as const, error: { code: 'STREAM_INCOMPLETE', message: 'The model stopped.' } };
    const { fetch, requests } = fakeFetch(streamResponse(firstPart + sse(incomplete, 3)));
    const session = createChatSession({
      endpoint: '/api',
      fetch,
      generateId,
      reconnect: { wait: instantWaits().wait },
    });
    await session.send('Make a counter');
    expect(session.getSnapshot().error).toEqual(incomplete.error);
    expect(requests).toHaveLength(1);
  });

  it('rejects an attempt count that is not a whole number', () => {
    expect(() => createChatSession({ endpoint: '/api', reconnect: { attempts: -1 } })).toThrow(/reconnect.attempts/);
  });

  it('stops waiting to reconnect when the user stops the turn', async () => {
    const { fetch, requests } = fakeFetch(breakingBody(firstPart));
    let waiting!: () => void;
    const session = createChatSession({
      endpoint: '/api',
      fetch,
      generateId,
      reconnect: {
        wait: (_attempt, signal) =>
          new Promise((_resolve, reject) => {
            waiting();
            signal.addEventListener('abort', () => reject(signal.reason));
          }),
      },
    });
    const waitStarted = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    const sending = session.send('Make a counter');
    await waitStarted;
    session.stop();
    await sending;
    expect(session.getSnapshot()).toMatchObject({ status: 'stopped', fragment: { title: 'Co' } });
    expect(requests).toHaveLength(1);
  });
});

describe('createChatSession load', () => {
  it('continues a stored conversation: its done turns go out as history with its id', async () => {
    const stream = controlledBody();
    const { fetch, requests } = fakeFetch(
      new Response(stream.body, { headers: { 'Content-Type': 'text/event-stream' } }),
    );
    const session = createChatSession({ endpoint: '/api/fragmentkit', fetch });
    session.load('conv_9', [
      { id: 'm1', input: 'Make a counter', attachments: [], status: 'done', fragment },
      {
        id: 'm2',
        input: 'Lost on reload',
        attachments: [],
        status: 'error',
        error: { code: 'STREAM_INCOMPLETE', message: 'x' },
      },
    ]);
    expect(session.getSnapshot()).toMatchObject({ status: 'idle', conversationId: 'conv_9' });
    expect(session.getSnapshot().messages).toHaveLength(2);

    const sending = session.send('Add a reset button');
    stream.write(sse({ type: 'done', fragment, finishReason: 'stop' }, 1));
    stream.close();
    await sending;
    expect(requests[0]?.body).toMatchObject({
      conversationId: 'conv_9',
      history: [
        { role: 'user', content: 'Make a counter' },
        { role: 'assistant', content: JSON.stringify(fragment) },
      ],
    });
    expect(session.getSnapshot().messages).toHaveLength(3);
  });
});
