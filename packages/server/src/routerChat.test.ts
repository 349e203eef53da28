import { createRouter, FragmentkitError, type RouterOptions } from '@fragmentkit/core';
import { describe, expect, it } from 'vitest';
import { collectSse } from '../test/readSse.js';
import { finishEvent, fragmentDeltas, sampleFragment } from '../test/sampleFragment.js';
import { createScriptedModel, type ScriptedModel } from '../test/scriptedModel.js';
import { createFragmentkit, type FragmentkitConfig } from './fragmentkit.js';
import { createRouterChatModel, defaultChatTasks } from './routerModel.js';

const silentLogger = { info() {}, warn() {}, error() {} };
const quietRouter = { logger: { info() {}, warn() {} }, retry: { attempts: 1 } };
const fallbackUsage = { inputTokens: 7, outputTokens: 3 };

function brokenAfterTwoDeltas(modelId: string): ScriptedModel {
  const [first, second] = fragmentDeltas(sampleFragment, 12);
  return createScriptedModel(
    [
      first!,
      second!,
      { type: 'fail', error: new FragmentkitError('STREAM_INCOMPLETE', 'connection reset', { isRetryable: true }) },
    ],
    { provider: 'anthropic', modelId },
  );
}

function healthy(modelId: string, provider = 'openai'): ScriptedModel {
  return createScriptedModel([...fragmentDeltas(), { type: 'finish', finishReason: 'stop', usage: fallbackUsage }], {
    provider,
    modelId,
  });
}

function serve(routerOptions: Pick<RouterOptions, 'targets' | 'routes'>, config: FragmentkitConfig = {}) {
  const router = createRouter({ ...quietRouter, ...routerOptions });
  let ids = 0;
  const fragmentkit = createFragmentkit({ router, generateId: () => `id-${++ids}`, logger: silentLogger, ...config });
  return { router, fragmentkit };
}

function postChat(body: unknown): Request {
  return new Request('http://localhost/api/fragmentkit/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('POST /chat through a router', () => {
  it('names the first target in meta, restarts on the fallback, and reports only the fallback’s usage', async () => {
    const primary = brokenAfterTwoDeltas('claude-test');
    const fallback = healthy('gpt-test');
    const { fragmentkit } = serve({
      targets: { primary: { model: primary }, fallback: { model: fallback } },
      routes: { generate: ['primary', 'fallback'] },
    });

    const response = await fragmentkit.handler(postChat({ input: 'Make a counter' }));
    const events = (await collectSse(response.body!)).map((event) => event.data);

    expect(response.status).toBe(200);
    expect(events[0]).toMatchObject({ type: 'meta', provider: 'anthropic', model: 'claude-test' });
    const restartAt = events.findIndex((event) => event.type === 'restart');
    expect(events[restartAt]).toEqual({
      type: 'restart',
      reason: 'STREAM_INCOMPLETE',
      provider: 'openai',
      model: 'gpt-test',
    });
    expect(events.slice(1, restartAt).every((event) => event.type === 'fragment-delta')).toBe(true);
    expect(restartAt).toBeGreaterThan(1);
    expect(events.filter((event) => event.type === 'usage')).toEqual([{ type: 'usage', usage: fallbackUsage }]);
    expect(events.at(-1)).toEqual({ type: 'done', fragment: sampleFragment, finishReason: 'stop' });
    // Both targets got the same prompt; the fallback's answer was parsed from scratch.
    expect(fallback.requests[0]?.messages).toEqual(primary.requests[0]?.messages);
    expect(fallback.requests[0]?.messages.at(-1)?.content).toContain('Make a counter');
  });

  it('charges the quota and prices usage with the target that answered', async () => {
    const charged: unknown[] = [];
    const priced: unknown[] = [];
    const { fragmentkit } = serve(
      {
        targets: { primary: { model: brokenAfterTwoDeltas('claude-test') }, fallback: { model: healthy('gpt-test') } },
        routes: { generate: ['primary', 'fallback'] },
      },
      {
        quota: {
          check: async () => ({ allowed: true }),
          record: async (subject, consumption) => void charged.push({ subject, consumption }),
        },
        costOf: (usage, model) => {
          priced.push({ usage, model: `${model.provider}/${model.modelId}` });
          return 0.01;
        },
      },
    );

    await collectSse((await fragmentkit.handler(postChat({ input: 'Make a counter' }))).body!);

    // Priced for the quota (and, where the host logs cost, for the log line): always the fallback's usage.
    expect(priced.length).toBeGreaterThan(0);
    expect(new Set(priced.map((entry) => JSON.stringify(entry)))).toEqual(
      new Set([JSON.stringify({ usage: fallbackUsage, model: 'openai/gpt-test' })]),
    );
    expect(charged).toEqual([
      {
        subject: expect.objectContaining({ userId: expect.stringMatching(/^guest:/) }),
        consumption: { tokens: 10, usd: 0.01 },
      },
    ]);
  });

  it('answers a route that failed before any output with one typed JSON error listing the attempts', async () => {
    const down = (modelId: string) =>
      createScriptedModel([], {
        modelId,
        reject: new FragmentkitError('PROVIDER_UNAVAILABLE', `${modelId} is down (503)`, {
          isRetryable: true,
          statusCode: 503,
        }),
      });
    const { fragmentkit } = serve({
      targets: { a: { model: down('model-a') }, b: { model: down('model-b') } },
      routes: { generate: ['a', 'b'] },
    });

    const response = await fragmentkit.handler(postChat({ input: 'Make a counter' }));
    const body = (await response.json()) as { error: { code: string; details: { attempts: unknown[] } } };

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(body.error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(body.error.details.attempts).toEqual([
      expect.objectContaining({ targetId: 'a', outcome: 'PROVIDER_UNAVAILABLE' }),
      expect.objectContaining({ targetId: 'b', outcome: 'PROVIDER_UNAVAILABLE' }),
    ]);
  });

  it('sends a chat that continues a conversation to the edit route', async () => {
    const writer = healthy('writer');
    const editor = healthy('editor');
    const { fragmentkit } = serve({
      targets: { writer: { model: writer }, editor: { model: editor } },
      routes: { generate: ['writer'], edit: ['editor'] },
    });

    const first = await collectSse((await fragmentkit.handler(postChat({ input: 'Make a counter' }))).body!);
    const second = await collectSse(
      (
        await fragmentkit.handler(
          postChat({
            input: 'Add a reset button',
            history: [
              { role: 'user', content: 'Make a counter' },
              { role: 'assistant', content: JSON.stringify(sampleFragment) },
            ],
          }),
        )
      ).body!,
    );

    expect(first[0]?.data).toMatchObject({ type: 'meta', model: 'writer' });
    expect(second[0]?.data).toMatchObject({ type: 'meta', model: 'editor' });
    expect(writer.requests).toHaveLength(1);
    expect(editor.requests).toHaveLength(1);
  });

  it('still lets a request pick one of `models` by id, bypassing the router', async () => {
    const routed = healthy('routed');
    const direct = createScriptedModel([...fragmentDeltas(), finishEvent], { modelId: 'direct' });
    const { fragmentkit } = serve(
      { targets: { routed: { model: routed } }, routes: { generate: ['routed'] } },
      { models: { direct } },
    );

    const events = await collectSse((await fragmentkit.handler(postChat({ input: 'Hi', model: 'direct' }))).body!);
    const unknown = await fragmentkit.handler(postChat({ input: 'Hi', model: 'nope' }));

    expect(events[0]?.data).toMatchObject({ type: 'meta', model: 'direct' });
    expect(routed.requests).toHaveLength(0);
    expect(unknown.status).toBe(400);
  });

  it('refuses `model` and `router` together', () => {
    const router = createRouter({ targets: { a: { model: healthy('a') } }, routes: { generate: ['a'] } });
    expect(() => createFragmentkit({ router, model: healthy('b') })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});

describe('GET /health with a router', () => {
  it('lists each target with its circuit, and no credentials', async () => {
    const { fragmentkit } = serve({
      targets: {
        primary: { model: createScriptedModel([], { provider: 'anthropic', modelId: 'claude-test' }) },
        fallback: { model: healthy('gpt-test') },
      },
      routes: { generate: ['primary', 'fallback'] },
    });

    const response = await fragmentkit.handler(new Request('http://localhost/api/fragmentkit/health'));
    const body = await response.json();

    expect(response.status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      defaultModel: null,
      router: {
        targets: [
          { id: 'primary', provider: 'anthropic', model: 'claude-test', circuit: 'closed', lastError: null },
          { id: 'fallback', provider: 'openai', model: 'gpt-test', circuit: 'closed', lastError: null },
        ],
      },
    });
  });

  it('shows an open circuit and the code of its last error as degraded', async () => {
    const refused = createScriptedModel([], {
      modelId: 'claude-test',
      reject: new FragmentkitError('PROVIDER_AUTH', 'invalid x-api-key sk-ant-secret', { statusCode: 401 }),
    });
    const { fragmentkit } = serve({
      targets: { primary: { model: refused }, fallback: { model: healthy('gpt-test') } },
      routes: { generate: ['primary', 'fallback'] },
    });
    await collectSse((await fragmentkit.handler(postChat({ input: 'Make a counter' }))).body!);

    const response = await fragmentkit.handler(new Request('http://localhost/api/fragmentkit/health'));
    const text = await response.text();

    expect(JSON.parse(text)).toMatchObject({
      status: 'degraded',
      router: {
        targets: [{ id: 'primary', circuit: 'disabled', lastError: { code: 'PROVIDER_AUTH' } }, { id: 'fallback' }],
      },
    });
    expect(text).not.toContain('sk-ant-secret');
  });
});

describe('createRouterChatModel', () => {
  it('sends the subject, follows start and restart, and passes only the restart on', async () => {
    const primary = brokenAfterTwoDeltas('claude-test');
    const fallback = healthy('gpt-test');
    const router = createRouter({
      ...quietRouter,
      targets: { primary: { model: primary }, fallback: { model: fallback } },
      routes: { generate: ['primary', 'fallback'] },
      beforeRoute: ({ request }) => {
        expect(request.subject).toEqual({ userId: 'u1', teamId: 't1' });
        return undefined;
      },
    });
    const model = createRouterChatModel({ router, tasks: defaultChatTasks, subject: { userId: 'u1', teamId: 't1' } });

    expect([model.provider, model.modelId]).toEqual(['router', 'generate']);
    const stream = await model.stream({ system: 's', messages: [{ role: 'user', content: 'hi' }] });
    expect([model.provider, model.modelId]).toEqual(['anthropic', 'claude-test']);
    const types: string[] = [];
    const reader = stream.getReader();
    for (let result = await reader.read(); !result.done; result = await reader.read()) types.push(result.value.type);

    expect(types[0]).toBe('text-delta');
    expect(types).toContain('restart');
    expect(types).not.toContain('start');
    expect(types.at(-1)).toBe('finish');
    expect([model.provider, model.modelId]).toEqual(['openai', 'gpt-test']);
  });

  it('sends continued chats to generate when the router has no edit route', async () => {
    const writer = healthy('writer');
    const router = createRouter({
      ...quietRouter,
      targets: { writer: { model: writer } },
      routes: { generate: ['writer'] },
    });
    const model = createRouterChatModel({ router, tasks: defaultChatTasks });

    await model.stream({
      system: 's',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: '{}' },
        { role: 'user', content: 'b' },
      ],
    });

    expect(writer.requests).toHaveLength(1);
  });
});
