import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createFragmentkit } from '../src/fragmentkit.js';
import { toHonoHandler } from '../src/hono.js';
import { createAddressRecorder } from './addressRecorder.js';
import { runAdapterScenarios } from './hostScenarios.js';
import { close, listen } from './listen.js';
import { finishEvent, fragmentDeltas } from './sampleFragment.js';
import { createScriptedModel } from './scriptedModel.js';

function honoServer(app: Hono): Server {
  return createAdaptorServer({ fetch: app.fetch }) as Server;
}

describe('Hono 4 on @hono/node-server', () => {
  runAdapterScenarios((target, { trustProxy }) => {
    const app = new Hono();
    app.all('/api/fragmentkit/*', toHonoHandler(target, { trustProxy }));
    return honoServer(app);
  });
});

describe('toHonoHandler after middleware that read the body', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
  });

  it('passes the body a validator read with c.req.json(), without its content-length', async () => {
    const app = new Hono();
    let parsedByMiddleware: unknown;
    app.use('/api/fragmentkit/*', async (context, next) => {
      parsedByMiddleware = await context.req.json();
      await next();
    });
    app.all(
      '/api/fragmentkit/*',
      toHonoHandler(async (request) =>
        Response.json({ body: await request.text(), length: request.headers.get('content-length') }),
      ),
    );
    const server = honoServer(app);
    servers.push(server);
    const origin = await listen(server);
    const response = await fetch(`${origin}/api/fragmentkit/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{ "input" :   "spaced out" }',
    });
    expect(parsedByMiddleware).toEqual({ input: 'spaced out' });
    const echoed = (await response.json()) as { body: string; length: string | null };
    expect(JSON.parse(echoed.body)).toEqual({ input: 'spaced out' });
    expect(echoed.length).toBeNull();
  });

  it('takes the client address from a custom resolver', async () => {
    const { rateLimit, seen } = createAddressRecorder();
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const app = new Hono();
    app.all(
      '/api/fragmentkit/*',
      toHonoHandler(createFragmentkit({ model, rateLimit }), { clientAddress: () => '203.0.113.9' }),
    );
    const server = honoServer(app);
    servers.push(server);
    const origin = await listen(server);
    const response = await fetch(`${origin}/api/fragmentkit/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Make a counter' }),
    });
    await response.text();
    expect(seen).toEqual(['203.0.113.9']);
  });
});
