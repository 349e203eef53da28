import type { Server } from 'node:http';
import type { LanguageModel } from '@fragmentkit/core';
import { createAnthropicModel } from '@fragmentkit/core/providers';
import { startFakeProvider } from '@fragmentkit/fake-provider';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createFragmentkit } from '../src/fragmentkit.js';
import { type NodeHandler, toNodeHandler } from '../src/node.js';
import { createAddressRecorder } from './addressRecorder.js';
import { createDeferred } from './deferred.js';
import { close, listen } from './listen.js';
import { collectSse, readSse } from './readSse.js';
import { finishEvent, fragmentDeltas, sampleAttachment, sampleFragment } from './sampleFragment.js';
import { createScriptedModel } from './scriptedModel.js';

/** How a host test serves a Node handler, e.g. mounted in Express at `/api/fragmentkit`. */
export type MountHandler = (handler: NodeHandler) => Server;

/** What a host adapter serves: a fragmentkit instance or a bare Web handler. */
export type HandlerTarget = Parameters<typeof toNodeHandler>[0];

/**
 * How a host test serves a target through its own adapter (Hono, Fastify, ...) at
 * `/api/fragmentkit`, on a Node server that is not listening yet.
 */
export type ServeTarget = (target: HandlerTarget, options: { trustProxy: boolean }) => Server | Promise<Server>;

/** {@link runHostScenarios} for hosts that take a Node request listener (node:http, Express). */
export function runHostScenarios(mount: MountHandler): void {
  runAdapterScenarios((target, { trustProxy }) => mount(toNodeHandler(target, { trustProxy })));
}

/**
 * The checks every host must pass, run against a real server listening on loopback: chat
 * through the fake Anthropic API, unbuffered streaming, abort on disconnect, body limits,
 * proxy headers, multiple cookies, the client address, CORS and security headers.
 */
export function runAdapterScenarios(serveTarget: ServeTarget): void {
  let fake: Awaited<ReturnType<typeof startFakeProvider>>;
  const servers: Server[] = [];

  beforeAll(async () => {
    fake = await startFakeProvider();
  });
  afterEach(async () => {
    fake.reset();
    await Promise.all(servers.splice(0).map(close));
  });
  afterAll(async () => {
    await fake.close();
  });

  async function serve(target: HandlerTarget, trustProxy = true): Promise<string> {
    const server = await serveTarget(target, { trustProxy });
    servers.push(server);
    return listen(server);
  }

  async function serveModel(model: LanguageModel, limits?: { maxBodyBytes: number }): Promise<string> {
    return serve(createFragmentkit({ model, ...(limits ? { limits } : {}) }));
  }

  function postChat(origin: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    return fetch(`${origin}/api/fragmentkit/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  }

  it('streams a fragment from the fake Anthropic API, sending it the attached snippet', async () => {
    const model = createAnthropicModel({ apiKey: 'test-key', model: 'claude-test', baseURL: fake.anthropicBaseURL });
    const origin = await serveModel(model);
    const response = await postChat(origin, { input: 'Add a reset button', attachments: [sampleAttachment] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await collectSse(response.body!);
    expect(events[0]?.data).toMatchObject({ type: 'meta', provider: 'anthropic', model: 'claude-test' });
    const done = events.at(-1)?.data;
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') throw new Error('expected done');
    // The fake's default reply: a React counter in App.tsx.
    expect(done.fragment.file_path).toBe('App.tsx');
    expect(done.fragment.code).toContain('setCount(0)');

    expect(fake.requests).toHaveLength(1);
    const received = fake.requests[0]!;
    expect(received.model).toBe('claude-test');
    const prompt = received.messages.map((message) => message.content).join('\n');
    expect(prompt).toContain('File: src/App.tsx (lines 3-5)');
    expect(prompt).toContain('const reset = () => setCount(0);');
    expect(prompt).toContain('Add a reset button');
  });

  it('answers /health through the host', async () => {
    const origin = await serveModel(createScriptedModel([], { provider: 'anthropic', modelId: 'claude-test' }));
    const response = await fetch(`${origin}/api/fragmentkit/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await response.json()).toMatchObject({ defaultModel: 'default' });
  });

  it('delivers each event as it happens, without buffering', async () => {
    const gate = createDeferred();
    const deltas = fragmentDeltas();
    // The model only finishes after the test has seen the first delta over HTTP, so any
    // buffering between handler and socket would leave this test waiting forever.
    const model = createScriptedModel([
      deltas[0]!,
      { type: 'wait', until: gate.promise },
      ...deltas.slice(1),
      finishEvent,
    ]);
    const origin = await serveModel(model);
    const response = await postChat(origin, { input: 'Make a counter' });
    const seen: string[] = [];
    for await (const event of readSse(response.body!)) {
      seen.push(event.data.type);
      if (event.data.type === 'fragment-delta') gate.resolve();
    }
    expect(seen[0]).toBe('meta');
    expect(seen.at(-1)).toBe('done');
  });

  it('aborts the upstream call when the client disconnects mid-stream', async () => {
    const model = createScriptedModel([fragmentDeltas()[0]!, { type: 'wait', until: new Promise(() => {}) }]);
    const origin = await serveModel(model);
    const client = new AbortController();
    const response = await postChat(origin, { input: 'Make a counter' }, client.signal);
    const events = readSse(response.body!);
    expect((await events.next()).value?.data.type).toBe('meta');
    expect((await events.next()).value?.data.type).toBe('fragment-delta');
    client.abort();
    await model.aborted;
    expect(model.requests[0]!.signal?.aborted).toBe(true);
  });

  it('aborts the request to the fake Anthropic API when the client disconnects', async () => {
    // The fake pauses before every text delta, so the answer is still streaming when the client leaves.
    const slow = await startFakeProvider({ chunkDelayMs: 600_000 });
    try {
      const model = createAnthropicModel({ apiKey: 'test-key', model: 'claude-test', baseURL: slow.anthropicBaseURL });
      const origin = await serveModel(model);
      const client = new AbortController();
      const response = await postChat(origin, { input: 'Make a counter' }, client.signal);
      const events = readSse(response.body!);
      expect((await events.next()).value?.data.type).toBe('meta');
      client.abort();
      await slow.idle();
      expect(slow.requests).toHaveLength(1);
      expect(slow.requests[0]?.aborted).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('answers 413 to a body over the limit', async () => {
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const origin = await serveModel(model, { maxBodyBytes: 1_000 });
    const response = await postChat(origin, { input: 'x'.repeat(5_000) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(model.requests).toHaveLength(0);
  });

  it('rebuilds the URL from x-forwarded-proto/host and passes method, headers and body', async () => {
    const origin = await serve(async (request) =>
      Response.json({
        url: request.url,
        method: request.method,
        custom: request.headers.get('x-custom'),
        body: await request.text(),
      }),
    );
    const response = await fetch(`${origin}/api/fragmentkit/echo?x=1`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'app.example.com',
        'x-custom': 'yes',
      },
      body: JSON.stringify({ input: 'hello' }),
    });
    expect(await response.json()).toEqual({
      url: 'https://app.example.com/api/fragmentkit/echo?x=1',
      method: 'POST',
      custom: 'yes',
      body: '{"input":"hello"}',
    });
  });

  it('ignores forwarded headers when trustProxy is off', async () => {
    const origin = await serve(async (request) => new Response(request.url), false);
    const response = await fetch(`${origin}/api/fragmentkit/echo`, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example.com' },
    });
    expect(await response.text()).toBe(`${origin}/api/fragmentkit/echo`);
  });

  it('writes status, several set-cookie headers and the body', async () => {
    const origin = await serve(async () => {
      const headers = new Headers({ 'content-type': 'text/plain' });
      headers.append('set-cookie', 'a=1; Path=/');
      headers.append('set-cookie', 'b=2; Path=/');
      return new Response('created', { status: 201, headers });
    });
    const response = await fetch(`${origin}/api/fragmentkit/anything`);
    expect(response.status).toBe(201);
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(await response.text()).toBe('created');
  });

  it('sends the parsed fragment in done', async () => {
    const origin = await serveModel(createScriptedModel([...fragmentDeltas(), finishEvent]));
    const events = await collectSse((await postChat(origin, { input: 'Make a counter' })).body!);
    expect(events.at(-1)?.data).toEqual({ type: 'done', fragment: sampleFragment, finishReason: 'stop' });
  });

  it('tells the handler the client address, which guest mode and rate limits key on', async () => {
    const { rateLimit, seen } = createAddressRecorder();
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const origin = await serve(createFragmentkit({ model, rateLimit }));
    const first = await postChat(origin, { input: 'Make a counter' });
    expect(first.status).toBe(200);
    await collectSse(first.body!);
    const second = await postChat(origin, { input: 'Make a counter' });
    expect(second.status).toBe(429);
    expect(second.headers.get('ratelimit')).toBe('"per-address";r=0;t=60');
    expect(seen).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  it('answers CORS preflights and sends security headers through the host', async () => {
    const fragmentkit = createFragmentkit({ cors: { origins: ['https://app.example.com'] } });
    const origin = await serve(fragmentkit);
    const preflight = await fetch(`${origin}/api/fragmentkit/chat`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type, authorization');

    const refused = await fetch(`${origin}/api/fragmentkit/chat`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();

    const health = await fetch(`${origin}/api/fragmentkit/health`, { headers: { origin: 'https://app.example.com' } });
    expect(health.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-frame-options')).toBe('DENY');
    expect(health.headers.get('referrer-policy')).toBe('no-referrer');
    expect(health.headers.get('cache-control')).toBe('no-store');
  });
}
