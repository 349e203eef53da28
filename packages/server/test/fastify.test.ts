import type { Server } from 'node:http';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { fragmentkitPlugin } from '../src/fastify.js';
import { createFragmentkit } from '../src/fragmentkit.js';
import { runAdapterScenarios } from './hostScenarios.js';
import { close, listen } from './listen.js';
import { finishEvent, fragmentDeltas } from './sampleFragment.js';
import { createScriptedModel } from './scriptedModel.js';

describe('Fastify 5 with fragmentkitPlugin', () => {
  runAdapterScenarios(async (target, { trustProxy }) => {
    const app = Fastify();
    await app.register(fragmentkitPlugin, { prefix: '/api/fragmentkit', fragmentkit: target, trustProxy });
    await app.ready();
    return app.server;
  });
});

describe('fragmentkitPlugin bodies', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
  });

  async function serve(
    target: Parameters<typeof createFragmentkit>[0] | ((request: Request) => Promise<Response>),
    app = Fastify(),
  ) {
    const fragmentkit = typeof target === 'function' ? target : createFragmentkit(target);
    await app.register(fragmentkitPlugin, { prefix: '/api/fragmentkit', fragmentkit });
    await app.ready();
    servers.push(app.server);
    return listen(app.server);
  }

  it('re-serialises the JSON body Fastify parsed and drops the stale content-length', async () => {
    const origin = await serve(async (request) =>
      Response.json({ body: await request.text(), length: request.headers.get('content-length') }),
    );
    const response = await fetch(`${origin}/api/fragmentkit/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{ "input" :   "spaced out" }',
    });
    expect(await response.json()).toEqual({ body: '{"input":"spaced out"}', length: null });
  });

  it('leaves other media types to fragmentkit, which answers 415 in its own format', async () => {
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const origin = await serve({ model });
    const response = await fetch(`${origin}/api/fragmentkit/chat`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'Make a counter',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(model.requests).toHaveLength(0);
  });

  it('answers JSON that Fastify cannot parse in the wire format', async () => {
    const origin = await serve({ model: createScriptedModel([]) });
    const response = await fetch(`${origin}/api/fragmentkit/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"input": "hi"',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
  });

  it("answers a body over Fastify's bodyLimit with 413 in the wire format", async () => {
    const model = createScriptedModel([]);
    const origin = await serve({ model }, Fastify({ bodyLimit: 100 }));
    const response = await fetch(`${origin}/api/fragmentkit/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'x'.repeat(500) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(model.requests).toHaveLength(0);
  });

  it('keeps headers that Fastify hooks set on the reply', async () => {
    const app = Fastify();
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('x-served-by', 'fastify-hook');
    });
    const origin = await serve(async () => new Response('ok', { headers: { 'x-from-handler': 'yes' } }), app);
    const response = await fetch(`${origin}/api/fragmentkit/anything`);
    expect(response.headers.get('x-served-by')).toBe('fastify-hook');
    expect(response.headers.get('x-from-handler')).toBe('yes');
    expect(await response.text()).toBe('ok');
  });
});
