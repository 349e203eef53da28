import type { LanguageModel } from '@fragmentkit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createScriptedModel } from '../test/scriptedModel.js';
import { createFragmentkit } from './fragmentkit.js';

const base = 'http://localhost/api/fragmentkit';

/** A model object that, like real provider models, holds a key that must never be exposed. */
function modelWithKey(provider: string, modelId: string): LanguageModel {
  return Object.assign(createScriptedModel([], { provider, modelId }), { apiKey: 'sk-secret-key' });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('GET /health', () => {
  it('lists the models and the default, never a key', async () => {
    const claude = modelWithKey('anthropic', 'claude-sonnet-4-5');
    const local = modelWithKey('openai-compatible', 'qwen2.5-coder');
    const { handler } = createFragmentkit({ model: local, models: { claude, local } });
    const response = await handler(new Request(`${base}/health`));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain('sk-secret-key');
    expect(JSON.parse(text)).toEqual({
      status: 'ok',
      models: [
        { id: 'claude', provider: 'anthropic', model: 'claude-sonnet-4-5' },
        { id: 'local', provider: 'openai-compatible', model: 'qwen2.5-coder' },
      ],
      defaultModel: 'local',
    });
  });

  it('lists a lone default model as "default" and the first of models otherwise', async () => {
    const model = modelWithKey('anthropic', 'claude-haiku');
    const alone = await createFragmentkit({ model }).handler(new Request(`${base}/health`));
    expect(await alone.json()).toMatchObject({ models: [{ id: 'default' }], defaultModel: 'default' });

    const other = modelWithKey('openai', 'gpt-4o-mini');
    const named = await createFragmentkit({ models: { a: model, b: other } }).handler(new Request(`${base}/health`));
    expect(await named.json()).toMatchObject({ defaultModel: 'a' });
  });

  it('reports no default when nothing is configured', async () => {
    const response = await createFragmentkit().handler(new Request(`${base}/health`));
    expect(await response.json()).toEqual({ status: 'ok', models: [], defaultModel: null });
  });
});

describe('routing', () => {
  const { handler } = createFragmentkit({ generateId: () => 'generated-id' });

  it('answers 404 NOT_FOUND for unknown paths below and outside the base path', async () => {
    for (const url of [
      `${base}/nope`,
      `${base}`,
      'http://localhost/elsewhere/chat',
      'http://localhost/api/fragmentkitchat',
    ]) {
      const response = await handler(new Request(url, { method: 'POST' }));
      expect(response.status, url).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(response.headers.get('x-request-id')).toBe('generated-id');
    }
  });

  it('answers 405 with an Allow header for a known path and the wrong method', async () => {
    const getChat = await handler(new Request(`${base}/chat`));
    expect(getChat.status).toBe(405);
    expect(getChat.headers.get('allow')).toBe('POST');
    expect(await getChat.json()).toMatchObject({
      error: { code: 'METHOD_NOT_ALLOWED', details: { allowed: ['POST'] } },
    });

    const postHealth = await handler(new Request(`${base}/health`, { method: 'POST' }));
    expect(postHealth.status).toBe(405);
    expect(postHealth.headers.get('allow')).toBe('GET');
  });

  it('accepts a trailing slash and a custom base path', async () => {
    const custom = createFragmentkit({ basePath: '/ai/' });
    expect(custom.basePath).toBe('/ai');
    expect((await custom.handler(new Request('http://localhost/ai/health/'))).status).toBe(200);
    expect((await custom.handler(new Request(`${base}/health`))).status).toBe(404);
  });

  it('reuses a well-formed incoming x-request-id and replaces anything else', async () => {
    const reused = await handler(new Request(`${base}/health`, { headers: { 'x-request-id': 'edge-42.a' } }));
    expect(reused.headers.get('x-request-id')).toBe('edge-42.a');
    const replaced = await handler(new Request(`${base}/health`, { headers: { 'x-request-id': 'a b\tc' } }));
    expect(replaced.headers.get('x-request-id')).toBe('generated-id');
  });
});

describe('logging', () => {
  it('writes one line per request to the configured logger', async () => {
    const info = vi.fn();
    const warn = vi.fn();
    const logger = { info, warn, error: vi.fn() };
    const { handler } = createFragmentkit({ logger, generateId: () => 'request-1' });
    await handler(new Request(`${base}/health`));
    await handler(new Request(`${base}/missing`));
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0]?.[0]).toMatchObject({
      requestId: 'request-1',
      route: '/health',
      method: 'GET',
      status: 200,
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatchObject({ route: 'unmatched', status: 404, outcome: 'NOT_FOUND' });
  });

  it('logs errors to console.error as one JSON line by default', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const consoleLog = vi.spyOn(console, 'log').mockImplementation(() => {});
    const { handler } = createFragmentkit({ generateId: () => 'request-2' });
    await handler(new Request(`${base}/health`));
    expect(consoleError).not.toHaveBeenCalled();

    const chat = new Request(`${base}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Make a counter' }),
    });
    expect((await handler(chat)).status).toBe(503);
    expect(consoleError).toHaveBeenCalledTimes(1);
    const line = consoleError.mock.calls[0]?.[0] as string;
    expect(JSON.parse(line)).toMatchObject({
      level: 'error',
      requestId: 'request-2',
      route: '/chat',
      status: 503,
      outcome: 'PROVIDER_NOT_CONFIGURED',
    });
    expect(consoleLog).not.toHaveBeenCalled();
  });
});
