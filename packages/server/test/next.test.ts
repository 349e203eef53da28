import { createServer, type Server } from 'node:http';
import { startFakeProvider } from '@fragmentkit/fake-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeferred } from './deferred.js';
import { close, listen } from './listen.js';
import { type NextServer, startNextServer } from './nextServer.js';
import { collectSse, readSse } from './readSse.js';
import { sampleAttachment } from './sampleFragment.js';

describe('a real Next.js 15 app with toNextHandlers', () => {
  let fake: Awaited<ReturnType<typeof startFakeProvider>>;
  let next: NextServer;
  let gateServer: Server;
  const gate = createDeferred();
  let gateRequests = 0;
  let isReady = false;

  beforeAll(async () => {
    fake = await startFakeProvider();
    // The gated model in the fixture waits on this URL; it answers once the test opens the gate.
    gateServer = createServer((_request, response) => {
      gateRequests += 1;
      void gate.promise.then(() => response.end('open'));
    });
    const gateOrigin = await listen(gateServer);
    next = await startNextServer(
      { FRAGMENTKIT_FAKE_ANTHROPIC_URL: fake.anthropicBaseURL, FRAGMENTKIT_TEST_GATE_URL: `${gateOrigin}/gate` },
      '/api/fragmentkit/health',
    );
    await next.ready;
    isReady = true;
  });

  afterAll(async () => {
    if (next && !isReady) console.error(`next dev never became ready:\n${next.output}`);
    gate.resolve();
    await next?.stop();
    if (gateServer) await close(gateServer);
    await fake?.close();
  });

  function postChat(body: unknown): Promise<Response> {
    return fetch(`${next.origin}/api/fragmentkit/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  it('serves /health from the catch-all route', async () => {
    const response = await fetch(`${next.origin}/api/fragmentkit/health`);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await response.json()).toEqual({
      status: 'ok',
      models: [
        { id: 'fake', provider: 'anthropic', model: 'claude-test' },
        { id: 'gated', provider: 'test', model: 'gated' },
      ],
      defaultModel: 'fake',
    });
  });

  it('streams each event through Next.js as it happens', async () => {
    const response = await postChat({ input: 'Make a counter', model: 'gated' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const seen: string[] = [];
    for await (const event of readSse(response.body!)) {
      seen.push(event.data.type);
      // Opened only once a delta arrived: if Next buffered the stream, the model would wait forever.
      if (event.data.type === 'fragment-delta') gate.resolve();
    }
    expect(gateRequests).toBe(1);
    expect(seen[0]).toBe('meta');
    expect(seen).toContain('fragment-delta');
    expect(seen.slice(-2)).toEqual(['usage', 'done']);
  });

  it('answers a chat through the fake Anthropic API with the attached snippet', async () => {
    const response = await postChat({ input: 'Add a reset button', attachments: [sampleAttachment] });
    const events = await collectSse(response.body!);
    expect(events[0]?.data).toMatchObject({ type: 'meta', provider: 'anthropic', model: 'claude-test' });
    expect(events.at(-1)?.data.type).toBe('done');
    const prompt = fake.requests
      .at(-1)!
      .messages.map((message) => message.content)
      .join('\n');
    expect(prompt).toContain('File: src/App.tsx (lines 3-5)');
    expect(prompt).toContain('const reset = () => setCount(0);');
  });

  it('answers 405 and 404 as JSON errors', async () => {
    const getChat = await fetch(`${next.origin}/api/fragmentkit/chat`);
    expect(getChat.status).toBe(405);
    expect(getChat.headers.get('allow')).toBe('POST');
    const unknown = await fetch(`${next.origin}/api/fragmentkit/nope`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('answers 400 with zod issues for bad input', async () => {
    const response = await postChat({ input: '' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'INVALID_REQUEST', details: { issues: [{ path: ['input'] }] } },
    });
  });
});
