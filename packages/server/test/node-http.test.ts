import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeHandler } from '../src/node.js';
import { runHostScenarios } from './hostScenarios.js';
import { close, listen } from './listen.js';

describe('plain node:http server', () => {
  runHostScenarios((handler) => createServer(handler));
});

describe('toNodeHandler request bodies', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
  });

  const echo = toNodeHandler(async (request) =>
    Response.json({ body: await request.text(), length: request.headers.get('content-length') }),
  );

  async function serve(prepare: (request: IncomingMessage & { body?: unknown }) => Promise<void>) {
    const server = createServer((request, response) => {
      void prepare(request).then(() => echo(request, response));
    });
    servers.push(server);
    return listen(server);
  }

  async function readAll(request: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  function post(origin: string, body: string) {
    return fetch(`${origin}/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  }

  it('streams the socket when a body parser set req.body without reading it (Express 4 style)', async () => {
    const origin = await serve(async (request) => {
      request.body = {};
    });
    expect(await (await post(origin, '{"input":"from the socket"}')).json()).toMatchObject({
      body: '{"input":"from the socket"}',
    });
  });

  it('uses a Buffer a raw body parser already read', async () => {
    const origin = await serve(async (request) => {
      request.body = await readAll(request);
    });
    expect(await (await post(origin, '{"input":"buffered"}')).json()).toMatchObject({ body: '{"input":"buffered"}' });
  });

  it('re-serialises a parsed object and drops the stale content-length', async () => {
    const origin = await serve(async (request) => {
      request.body = JSON.parse((await readAll(request)).toString('utf8'));
    });
    const response = await post(origin, '{ "input" :   "spaced out" }');
    expect(await response.json()).toEqual({ body: '{"input":"spaced out"}', length: null });
  });
});
