import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@fragmentkit/server/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultFragmentReply,
  type FakeProvider,
  type FakeReply,
  type RecordedRequest,
  startFakeProvider,
} from '../../internal/fake-provider/src/index.js';
import { parseServerSentEvents } from '../../test/packaging/serverSentEvents.js';

// The guides' examples read their provider settings from the environment, as a host would; here
// every provider is the local fake. Set before the examples are imported.
let fake: FakeProvider;
let respond: (request: RecordedRequest) => FakeReply = defaultFragmentReply;
beforeAll(async () => {
  fake = await startFakeProvider({ chunkDelayMs: 0, respond: (request) => respond(request) });
  process.env.ANTHROPIC_API_KEY = 'sk-ant-docs';
  process.env.ANTHROPIC_BASE_URL = fake.anthropicBaseURL;
  process.env.OPENAI_API_KEY = 'sk-docs';
  process.env.OPENAI_BASE_URL = fake.openaiBaseURL;
});
afterAll(() => fake?.close());
beforeEach(() => {
  fake.reset();
  respond = defaultFragmentReply;
});

const chatBody = (input: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ input, attachments: [], ...extra });

/** Serves a handler the way the Express guide does, on an ephemeral loopback port. */
async function serve(handler: ReturnType<typeof toNodeHandler>) {
  const { createServer } = await import('node:http');
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function lastEvent(response: Response) {
  const events = parseServerSentEvents(await response.text());
  return events.at(-1) as { event: string; data: { fragment?: { code: string }; error?: { code: string } } };
}

describe('Embed in Express (express.ts)', () => {
  it('answers a chat through the mounted handler', async () => {
    const { app } = await import('./express.js');
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/api/fragmentkit/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chatBody('Add a reset button'),
      });
      expect(response.status).toBe(200);
      const done = await lastEvent(response);
      expect(done.event).toBe('done');
      expect(done.data.fragment?.code).toContain('Add a reset button');
      expect(fake.requests.map((request) => request.api)).toEqual(['anthropic']);
      expect(fake.requests[0]!.messages.at(-1)!.content).toContain('Add a reset button');
    } finally {
      server.close();
    }
  });
});

describe('Embed in Next.js (next-route.ts)', () => {
  it('exports route handlers that serve the API', async () => {
    const route = await import('./next-route.js');
    expect(route.runtime).toBe('nodejs');
    const response = await route.GET(new Request('http://localhost/api/fragmentkit/health'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ models: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] });
  });
});

describe('Hono and Fastify (hono.ts, fastify.ts)', () => {
  it('mounts in Hono', async () => {
    const { app } = await import('./hono.js');
    const health = await app.request('/api/fragmentkit/health');
    expect(health.status).toBe(200);
    const response = await app.request('/api/fragmentkit/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      body: chatBody('A counter in Hono'),
    });
    expect((await lastEvent(response)).data.fragment?.code).toContain('A counter in Hono');
    expect(fake.requests).toHaveLength(1);
  });

  it('registers as a Fastify plugin', async () => {
    const { app } = await import('./fastify.js');
    const health = await app.inject({ method: 'GET', url: '/api/fragmentkit/health' });
    expect(health.statusCode).toBe(200);
    const response = await app.inject({
      method: 'POST',
      url: '/api/fragmentkit/chat',
      headers: { 'content-type': 'application/json' },
      payload: chatBody('A counter in Fastify'),
    });
    const events = parseServerSentEvents(response.body);
    expect(events.at(-1)?.event).toBe('done');
    expect(fake.requests[0]!.messages.at(-1)!.content).toContain('A counter in Fastify');
    await app.close();
  });
});

describe('Providers, fallbacks and breakers', () => {
  it('lists the selectable models (providers.ts)', async () => {
    const { fragmentkit } = await import('./providers.js');
    const response = await fragmentkit.handler(new Request('http://localhost/api/fragmentkit/health'));
    const body = (await response.json()) as { models: Array<{ id: string; provider: string }>; defaultModel: string };
    expect(body.models.map((model) => `${model.id}:${model.provider}`).sort()).toEqual([
      'claude:anthropic',
      'gpt:openai',
      'local:ollama',
    ]);
    expect(body.defaultModel).toBe('claude');
    expect(fake.requests).toEqual([]);
  });

  it('falls back to the next target when the first one rejects its key (router.ts)', async () => {
    const { fragmentkit, router, watchCircuits } = await import('./router.js');
    const alerts: string[] = [];
    const stop = watchCircuits((message) => alerts.push(message));
    respond = (request) =>
      request.api === 'anthropic'
        ? { error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' } }
        : defaultFragmentReply(request);
    const server = await serve(toNodeHandler(fragmentkit));
    try {
      const response = await fetch(`${server.url}/api/fragmentkit/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chatBody('A counter'),
      });
      expect((await lastEvent(response)).event).toBe('done');
    } finally {
      stop();
      await server.close();
    }
    // A rejected key is not retried on the same target: straight to the fallback.
    expect(fake.requests.map((request) => request.api)).toEqual(['anthropic', 'openai']);
    expect(router.getSnapshot().lastAnsweredBy.generate).toMatchObject({ targetId: 'mini', fallback: true });
    expect(router.getSnapshot().targets.sonnet?.circuit).toBe('disabled');
    expect(alerts).toContain('sonnet is disabled');
  });
});

describe('Attaching context (attachments.ts)', () => {
  it('puts the attached lines, with their path and range, into the prompt', async () => {
    const { attachment, prompt } = await import('./attachments.js');
    expect(attachment.id).toBe('src/TodoList.tsx#L5-L7');
    const lastMessage = prompt.messages.at(-1)!.content;
    expect(lastMessage).toContain('src/TodoList.tsx (lines 5-7)');
    expect(lastMessage).toContain('setTodos([...todos, text]);');
    expect(lastMessage).not.toContain("import { useState } from 'react';");
    expect(lastMessage).toContain('Do not add empty todos');
    expect(prompt.report.attachments).toMatchObject([{ id: attachment.id, truncated: false, dropped: false }]);
  });
});

describe('Costs, caching and quotas (costs.ts)', () => {
  it('prices calls from the table and rate-limits chats with both policies', async () => {
    const { cost, fragmentkit } = await import('./costs.js');
    expect(cost?.totalUsd).toBeGreaterThan(0);
    const server = await serve(toNodeHandler(fragmentkit));
    try {
      const response = await fetch(`${server.url}/api/fragmentkit/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chatBody('A counter'),
      });
      expect(response.status).toBe(200);
      const policies = response.headers.get('ratelimit-policy') ?? '';
      expect(policies).toContain('"daily";q=10');
      expect(policies).toContain('"burst";q=5');
      expect((await lastEvent(response)).event).toBe('done');
    } finally {
      await server.close();
    }
  });
});

describe('Security model (security.ts)', () => {
  it('refuses anonymous and unknown callers and serves a known session', async () => {
    const { fragmentkit } = await import('./security.js');
    const server = await serve(toNodeHandler(fragmentkit));
    const chat = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/fragmentkit/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: chatBody('A counter'),
      });
    try {
      const anonymous = await chat({});
      expect(anonymous.status).toBe(401);
      const unknown = await chat({ authorization: 'Bearer token-eve' });
      expect(unknown.status).toBe(401);
      expect(await unknown.json()).toMatchObject({
        error: { code: 'UNAUTHORIZED', message: 'The session has expired. Sign in again.' },
      });
      const known = await chat({ authorization: 'Bearer token-ada' });
      expect(known.status).toBe(200);
      expect((await lastEvent(known)).event).toBe('done');
      expect(fake.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('Configuration reference (configuration.ts)', () => {
  it('applies the configured request limits', async () => {
    const { fragmentkit } = await import('./configuration.js');
    const attachment = { filePath: 'a.ts', text: 'x', range: { startLine: 1, endLine: 1 } };
    const response = await fragmentkit.handler(
      new Request('http://localhost/api/fragmentkit/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chatBody('Too much context', {
          attachments: Array.from({ length: 11 }, (_, index) => ({ ...attachment, filePath: `file${index}.ts` })),
        }),
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
    expect(fake.requests).toEqual([]);
  });
});

describe('Scaling out (scaling.ts)', () => {
  it('imports every subpath it uses from the packages as published', async () => {
    const { createSharedFragmentkit } = await import('./scaling.js');
    expect(typeof createSharedFragmentkit).toBe('function');
  });
});
