import { createRouter, FragmentkitError, type RouterOptions } from '@fragmentkit/core';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { describe, expect, it } from 'vitest';
import { createScriptedModel, type ScriptedModel } from '../../test/scriptedModel.js';
import { createFragmentkit, type FragmentkitConfig } from '../fragmentkit.js';

const url = 'http://localhost/api/fragmentkit/v1/chat/completions';
const silentLogger = { info() {}, warn() {}, error() {} };
const usage = { inputTokens: 10, outputTokens: 4, cachedInputTokens: 2 };

function answering(modelId: string, text: string[], provider = 'openai'): ScriptedModel {
  return createScriptedModel(
    [
      ...text.map((chunk) => ({ type: 'text-delta' as const, text: chunk })),
      { type: 'finish', finishReason: 'stop', usage },
    ],
    { provider, modelId },
  );
}

function brokenAfter(modelId: string, text: string[]): ScriptedModel {
  return createScriptedModel(
    [
      ...text.map((chunk) => ({ type: 'text-delta' as const, text: chunk })),
      { type: 'fail', error: new FragmentkitError('STREAM_INCOMPLETE', 'connection reset', { isRetryable: true }) },
    ],
    { provider: 'anthropic', modelId },
  );
}

function serve(routerOptions: Pick<RouterOptions, 'targets' | 'routes'>, config: FragmentkitConfig = {}) {
  const router = createRouter({ logger: { info() {}, warn() {} }, retry: { attempts: 1 }, ...routerOptions });
  let ids = 0;
  return createFragmentkit({
    router,
    gateway: { models: { 'fk-smart': 'generate' }, fallbacks: ['spare'] },
    generateId: () => `req-${++ids}`,
    logger: silentLogger,
    ...config,
  });
}

function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const hello = { model: 'fk-smart', messages: [{ role: 'user', content: 'Say hello' }] };

/** A chunk of a streamed completion, or the error chunk that ends a broken one. */
interface StreamedChunk {
  choices?: Array<{ delta: { content?: string }; finish_reason: string | null }>;
  error?: unknown;
}

async function chunksOf(response: Response): Promise<unknown[]> {
  const reader = response
    .body!.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  const chunks: unknown[] = [];
  for (let result = await reader.read(); !result.done; result = await reader.read()) {
    chunks.push(result.value.data === '[DONE]' ? '[DONE]' : JSON.parse(result.value.data));
  }
  return chunks;
}

describe('POST /v1/chat/completions: requests', () => {
  it('maps system and developer messages, text parts and limits onto the router request', async () => {
    const model = answering('gpt-test', ['Hel', 'lo']);
    const { handler } = serve({ targets: { main: { model } }, routes: { generate: ['main'] } });

    const response = await handler(
      post({
        model: 'fk-smart',
        messages: [
          { role: 'system', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Say' },
              { type: 'text', text: 'hello' },
            ],
          },
          { role: 'assistant', content: 'Hi?' },
          { role: 'developer', content: 'No emoji.' },
          { role: 'user', content: 'Again' },
        ],
        max_completion_tokens: 64,
        max_tokens: 999,
        temperature: 0.3,
        user: 'ignored-field',
      }),
    );

    expect(response.status).toBe(200);
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]).toMatchObject({
      system: 'Be brief.\n\nNo emoji.',
      messages: [
        { role: 'user', content: 'Say\nhello' },
        { role: 'assistant', content: 'Hi?' },
        { role: 'user', content: 'Again' },
      ],
      maxOutputTokens: 64,
      temperature: 0.3,
    });
  });

  it('answers a non-streamed completion in OpenAI’s shape, naming the model that answered', async () => {
    const { handler } = serve({
      targets: { main: { model: answering('gpt-test', ['Hel', 'lo']) } },
      routes: { generate: ['main'] },
    });

    const response = await handler(post(hello));
    const body = await response.json();

    expect(body).toEqual({
      id: 'chatcmpl-req-1',
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-test',
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello', refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16, prompt_tokens_details: { cached_tokens: 2 } },
    });
  });

  it.each([
    ['no messages', { model: 'fk-smart', messages: [] }, 'messages'],
    ['a tool message', { model: 'fk-smart', messages: [{ role: 'tool', content: 'x' }] }, 'messages.[0].role'],
    [
      'an image part',
      { model: 'fk-smart', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] },
      'messages.[0].content',
    ],
    ['tools', { ...hello, tools: [{ type: 'function' }] }, 'tools'],
    ['n = 2', { ...hello, n: 2 }, 'n'],
    ['a temperature of 3', { ...hello, temperature: 3 }, 'temperature'],
    ['only a system message', { model: 'fk-smart', messages: [{ role: 'system', content: 'x' }] }, 'messages'],
  ])('refuses %s with an OpenAI-shaped 400 naming the parameter', async (_, body, param) => {
    const model = answering('gpt-test', ['x']);
    const { handler } = serve({ targets: { main: { model } }, routes: { generate: ['main'] } });

    const response = await handler(post(body));

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', param, code: 'invalid_request' },
    });
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect(model.requests).toHaveLength(0);
  });

  it('answers an unknown model with 404 model_not_found', async () => {
    const { handler } = serve({
      targets: { main: { model: answering('gpt-test', ['x']) } },
      routes: { generate: ['main'] },
    });

    const response = await handler(post({ ...hello, model: 'gpt-4o' }));

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: expect.stringContaining('fk-smart'),
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
  });

  it('adds allowed fallbacks after the route and refuses any other target', async () => {
    const spare = answering('spare-model', ['from spare']);
    const hidden = answering('hidden-model', ['x']);
    const { handler } = serve({
      targets: {
        main: { model: createScriptedModel([], { reject: new FragmentkitError('PROVIDER_UNAVAILABLE', 'down') }) },
        spare: { model: spare },
        hidden: { model: hidden },
      },
      routes: { generate: ['main'] },
    });

    const refused = await handler(post({ ...hello, fallbacks: ['hidden'] }));
    const answered = await handler(post({ ...hello, fallbacks: ['spare'] }));

    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { param: string } }).error.param).toBe('fallbacks');
    expect(hidden.requests).toHaveLength(0);
    expect(await answered.json()).toMatchObject({
      model: 'spare-model',
      choices: [{ message: { content: 'from spare' } }],
    });
  });

  it('refuses a used-up quota with 429 insufficient_quota before the router runs, and charges answers', async () => {
    const model = answering('gpt-test', ['ok']);
    let allowed = true;
    const charged: unknown[] = [];
    const { handler } = serve(
      { targets: { main: { model } }, routes: { generate: ['main'] } },
      {
        quota: {
          check: async () => ({ allowed, retryAt: Date.now() + 60_000 }),
          record: async (subject, consumption) => void charged.push({ subject, consumption }),
        },
        costOf: (_usage, answered) => (answered.modelId === 'gpt-test' ? 0.5 : undefined),
      },
    );

    await handler(post(hello));
    allowed = false;
    const response = await handler(post(hello));

    expect(charged).toEqual([{ subject: expect.any(Object), consumption: { tokens: 16, usd: 0.5 } }]);
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ error: { type: 'insufficient_quota', code: 'insufficient_quota' } });
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(model.requests).toHaveLength(1);
  });

  it('answers auth refusals from the pipeline in OpenAI’s shape', async () => {
    const { handler } = serve(
      { targets: { main: { model: answering('gpt-test', ['x']) } }, routes: { generate: ['main'] } },
      { guest: false },
    );

    const response = await handler(post(hello));

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { type: 'authentication_error', code: 'invalid_api_key' } });
  });

  it('lists the model names at GET /v1/models', async () => {
    const { handler } = serve({
      targets: { main: { model: answering('gpt-test', ['x']) } },
      routes: { generate: ['main'] },
    });

    const response = await handler(new Request('http://localhost/api/fragmentkit/v1/models'));

    expect(await response.json()).toEqual({
      object: 'list',
      data: [{ id: 'fk-smart', object: 'model', created: 0, owned_by: 'fragmentkit' }],
    });
  });

  it('needs a router and at least one model name', () => {
    expect(() => createFragmentkit({ gateway: { models: { a: 'generate' } } })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    expect(() =>
      serve(
        { targets: { main: { model: answering('m', ['x']) } }, routes: { generate: ['main'] } },
        { gateway: { models: {} } },
      ),
    ).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});

describe('POST /v1/chat/completions: streaming', () => {
  it('streams chunks, then the finish reason, the usage when asked, and [DONE]', async () => {
    const { handler } = serve({
      targets: { main: { model: answering('gpt-test', ['Hel', 'lo']) } },
      routes: { generate: ['main'] },
    });

    const response = await handler(post({ ...hello, stream: true, stream_options: { include_usage: true } }));
    const chunks = await chunksOf(response);

    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const base = {
      id: 'chatcmpl-req-1',
      object: 'chat.completion.chunk',
      created: expect.any(Number),
      model: 'gpt-test',
      system_fingerprint: null,
    };
    const choice = (delta: object, finish: string | null) => ({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      usage: null,
    });
    expect(chunks).toEqual([
      choice({ role: 'assistant', content: '' }, null),
      choice({ content: 'Hel' }, null),
      choice({ content: 'lo' }, null),
      choice({}, 'stop'),
      {
        ...base,
        choices: [],
        usage: {
          prompt_tokens: 12,
          completion_tokens: 4,
          total_tokens: 16,
          prompt_tokens_details: { cached_tokens: 2 },
        },
      },
      '[DONE]',
    ]);
  });

  it('leaves usage out unless stream_options.include_usage asks for it', async () => {
    const { handler } = serve({
      targets: { main: { model: answering('gpt-test', ['Hi']) } },
      routes: { generate: ['main'] },
    });

    const chunks = (await chunksOf(await handler(post({ ...hello, stream: true })))) as Array<Record<string, unknown>>;

    expect(chunks.some((chunk) => typeof chunk === 'object' && 'usage' in chunk)).toBe(false);
    expect(chunks.at(-1)).toBe('[DONE]');
  });

  it('ends with an error chunk, not a glued answer, when a fallback would restart mid-stream, and stops the fallback', async () => {
    const fallback = createScriptedModel(
      [
        { type: 'text-delta', text: 'fallback answer' },
        { type: 'wait', until: new Promise(() => {}) },
      ],
      { modelId: 'gpt-fallback' },
    );
    const { handler } = serve({
      targets: { primary: { model: brokenAfter('claude-test', ['Hel', 'lo']) }, fallback: { model: fallback } },
      routes: { generate: ['primary', 'fallback'] },
    });

    const chunks = (await chunksOf(await handler(post({ ...hello, stream: true })))) as StreamedChunk[];

    const contents = chunks.flatMap((chunk) => chunk.choices?.map((item) => item.delta.content ?? '') ?? []);
    expect(contents.join('')).toBe('Hello');
    expect(chunks.at(-1)).toEqual({
      error: {
        message: expect.stringContaining('broke off'),
        type: 'server_error',
        param: null,
        code: 'stream_interrupted',
      },
    });
    expect(chunks).not.toContain('[DONE]');
    expect(chunks.some((chunk) => chunk.choices?.[0]?.finish_reason)).toBe(false);
    await fallback.aborted;
  });

  it('returns the fallback’s whole answer to a non-streamed request after the same failure', async () => {
    const { handler } = serve({
      targets: {
        primary: { model: brokenAfter('claude-test', ['Hel', 'lo']) },
        fallback: { model: answering('gpt-fallback', ['Bonjour']) },
      },
      routes: { generate: ['primary', 'fallback'] },
    });

    const body = await (await handler(post(hello))).json();

    expect(body).toMatchObject({
      model: 'gpt-fallback',
      choices: [{ message: { content: 'Bonjour' }, finish_reason: 'stop' }],
    });
  });

  it('bypasses the router’s cache for Cache-Control: no-cache', async () => {
    const seen: unknown[] = [];
    const router = createRouter({
      targets: { main: { model: answering('gpt-test', ['x']) } },
      routes: { generate: ['main'] },
      logger: { info() {}, warn() {} },
      beforeRoute: ({ request }) => void seen.push(request.cache),
    });
    const { handler } = createFragmentkit({
      router,
      gateway: { models: { 'fk-smart': 'generate' } },
      logger: silentLogger,
    });

    await handler(post(hello));
    await handler(post(hello, { 'cache-control': 'no-cache' }));

    expect(seen).toEqual([undefined, 'bypass']);
  });
});
