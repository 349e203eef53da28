import { FragmentkitError, type LanguageModel } from '@fragmentkit/core';
import { describe, expect, it } from 'vitest';
import { createDeferred } from '../test/deferred.js';
import { collectSse, readSse } from '../test/readSse.js';
import { finishEvent, fragmentDeltas, sampleAttachment, sampleFragment, sampleUsage } from '../test/sampleFragment.js';
import { createScriptedModel } from '../test/scriptedModel.js';
import { createFragmentkit, type FragmentkitConfig } from './fragmentkit.js';

const chatUrl = 'http://localhost/api/fragmentkit/chat';

function postChat(body: unknown, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Request {
  return new Request(chatUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

const silentLogger = { info() {}, warn() {}, error() {} };

function setup(model: LanguageModel | undefined, config: Omit<FragmentkitConfig, 'model'> = {}) {
  let ids = 0;
  return createFragmentkit({ model, generateId: () => `id-${++ids}`, logger: silentLogger, ...config });
}

async function errorOf(response: Response) {
  const body = (await response.json()) as {
    error: { code: string; message: string; details?: Record<string, unknown> };
  };
  return body.error;
}

describe('POST /chat validation', () => {
  const model = createScriptedModel([...fragmentDeltas(), finishEvent]);

  it('answers 415 to a body that is not JSON', async () => {
    const { handler } = setup(model);
    const response = await handler(
      new Request(chatUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }),
    );
    expect(response.status).toBe(415);
    expect((await errorOf(response)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(model.requests).toHaveLength(0);
  });

  it('stops reading at maxBodyBytes and answers 413 even without content-length', async () => {
    let pulls = 0;
    // Endless: if the server read to the end instead of stopping at the cap, this test would hang.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        controller.enqueue(new TextEncoder().encode(`{"input":"${'x'.repeat(500)}`));
      },
    });
    const request = new Request(chatUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    expect(request.headers.get('content-length')).toBeNull();
    const response = await setup(model, { limits: { maxBodyBytes: 2_000 } }).handler(request);
    expect(response.status).toBe(413);
    const error = await errorOf(response);
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.details).toEqual({ maxBytes: 2_000 });
    expect(pulls).toBeLessThan(10);
  });

  it('answers 400 to malformed JSON', async () => {
    const response = await setup(model).handler(postChat('{"input": "hi"'));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toMatch(/not valid JSON/);
  });

  it('answers 400 to a body that is not UTF-8', async () => {
    const request = new Request(chatUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    });
    const response = await setup(model).handler(request);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/UTF-8/);
  });

  it('lists every schema issue with its path', async () => {
    const response = await setup(model).handler(
      postChat({
        input: 'Add a reset button',
        attachments: [{ ...sampleAttachment, range: { startLine: 5, endLine: 2 } }],
      }),
    );
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.details?.issues).toEqual([
      { path: ['attachments', 0, 'range', 'endLine'], message: 'endLine must be greater than or equal to startLine' },
    ]);
  });

  it('rejects an empty input', async () => {
    const response = await setup(model).handler(postChat({ input: '   ' }));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).details?.issues).toEqual([
      { path: ['input'], message: 'input must not be empty' },
    ]);
  });

  it('rejects more attachments than limits.maxAttachments', async () => {
    const attachments = [sampleAttachment, { ...sampleAttachment, id: 'second' }];
    const response = await setup(model, { limits: { maxAttachments: 1 } }).handler(
      postChat({ input: 'Fix it', attachments }),
    );
    expect(response.status).toBe(400);
    const issues = (await errorOf(response)).details?.issues as { path: unknown[] }[];
    expect(issues.map((issue) => issue.path)).toEqual([['attachments']]);
  });

  it('rejects an unknown model and lists the allowed ids', async () => {
    const response = await setup(undefined, { models: { claude: model, local: model } }).handler(
      postChat({ input: 'Make a counter', model: 'gpt-9' }),
    );
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.details).toEqual({ allowed: ['claude', 'local'] });
    expect(error.message).toContain('claude, local');
  });

  it('answers 503 with setup instructions when no model is configured', async () => {
    const response = await setup(undefined).handler(postChat({ input: 'Make a counter' }));
    expect(response.status).toBe(503);
    const error = await errorOf(response);
    expect(error.code).toBe('PROVIDER_NOT_CONFIGURED');
    expect(error.message).toContain('ANTHROPIC_API_KEY');
    expect(error.message).toContain('OPENAI_API_KEY');
    expect(error.message).toContain('Ollama');
    expect(error.message).toContain('createFragmentkit');
  });
});

describe('POST /chat upstream failures before streaming', () => {
  it('maps a provider error to its status as JSON', async () => {
    const rejecting = createScriptedModel([], {
      reject: new FragmentkitError('PROVIDER_AUTH', 'Anthropic rejected the API key (401). Check ANTHROPIC_API_KEY.', {
        statusCode: 401,
      }),
    });
    const response = await setup(rejecting).handler(postChat({ input: 'Make a counter' }));
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await errorOf(response)).toEqual({
      code: 'PROVIDER_AUTH',
      message: 'Anthropic rejected the API key (401). Check ANTHROPIC_API_KEY.',
    });
    expect(rejecting.requests).toHaveLength(1);
  });

  it('hides the message of an unexpected error from the client but logs it', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = { info() {}, warn() {}, error: (fields: Record<string, unknown>) => lines.push(fields) };
    const broken = createScriptedModel([], { reject: new Error('secret connection string leaked') });
    const response = await setup(broken, { logger }).handler(postChat({ input: 'Make a counter' }));
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.code).toBe('INTERNAL');
    expect(error.message).not.toContain('secret');
    expect(error.message).toContain(response.headers.get('x-request-id'));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.errorMessage).toContain('secret connection string leaked');
  });
});

describe('POST /chat streaming', () => {
  it('streams meta, fragment deltas, usage and done with increasing ids', async () => {
    const model = createScriptedModel([
      ...fragmentDeltas(),
      { type: 'usage', usage: { inputTokens: 120, outputTokens: 3 } },
      finishEvent,
    ]);
    const response = await setup(model).handler(
      postChat({
        input: 'Add a reset button',
        attachments: [sampleAttachment],
        history: [
          { role: 'user', content: 'Make a counter' },
          { role: 'assistant', content: 'Here is a counter.' },
        ],
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toBe('id-1');

    const events = await collectSse(response.body!);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index + 1)));
    for (const event of events) expect(event.event).toBe(event.data.type);

    const types = events.map((event) => event.data.type);
    expect(types[0]).toBe('meta');
    expect(types.slice(-2)).toEqual(['usage', 'done']);
    const deltas = types.slice(1, -2);
    expect(deltas.length).toBeGreaterThan(2);
    expect(new Set(deltas)).toEqual(new Set(['fragment-delta']));

    const meta = events[0]!.data;
    expect(meta).toMatchObject({
      type: 'meta',
      requestId,
      conversationId: 'id-2',
      provider: 'test',
      model: 'scripted-1',
    });
    if (meta.type !== 'meta') throw new Error('expected meta');
    expect(meta.prompt.attachments).toEqual([expect.objectContaining({ filePath: 'src/App.tsx', dropped: false })]);
    expect(events.at(-2)!.data).toEqual({ type: 'usage', usage: sampleUsage });
    expect(events.at(-1)!.data).toEqual({ type: 'done', fragment: sampleFragment, finishReason: 'stop' });

    const sent = model.requests[0]!;
    expect(sent.system.length).toBeGreaterThan(0);
    expect(sent.signal).toBeInstanceOf(AbortSignal);
    const prompt = sent.messages.map((message) => message.content).join('\n');
    expect(prompt).toContain('File: src/App.tsx (lines 3-5)');
    expect(prompt).toContain('const reset = () => setCount(0);');
    expect(prompt).toContain('Add a reset button');
    expect(sent.messages[0]).toEqual({ role: 'user', content: 'Make a counter' });
    expect(sent.messages.at(-1)?.role).toBe('user');
  });

  it('keeps a given conversation id and answers with the model the request picks', async () => {
    const first = createScriptedModel([...fragmentDeltas(), finishEvent], { modelId: 'first' });
    const second = createScriptedModel([...fragmentDeltas(), finishEvent], { provider: 'other', modelId: 'second' });
    const response = await setup(undefined, { models: { first, second } }).handler(
      postChat({ input: 'Make a counter', conversationId: 'conversation-7', model: 'second' }),
    );
    const events = await collectSse(response.body!);
    expect(events[0]!.data).toMatchObject({ conversationId: 'conversation-7', provider: 'other', model: 'second' });
    expect(first.requests).toHaveLength(0);
    expect(second.requests).toHaveLength(1);
  });

  it('ends with OUTPUT_TRUNCATED, never done, when the model stops at its token limit', async () => {
    const deltas = fragmentDeltas();
    const model = createScriptedModel([
      ...deltas.slice(0, 4),
      { type: 'finish', finishReason: 'length', usage: { inputTokens: 100, outputTokens: 4096 } },
    ]);
    const events = await collectSse((await setup(model).handler(postChat({ input: 'Make a counter' }))).body!);
    const types = events.map((event) => event.data.type);
    expect(types).not.toContain('done');
    expect(types.slice(-2)).toEqual(['usage', 'error']);
    expect(events.at(-1)!.data).toMatchObject({ type: 'error', error: { code: 'OUTPUT_TRUNCATED' } });
  });

  it('ends with INVALID_FRAGMENT when the output is not a valid fragment', async () => {
    const model = createScriptedModel([{ type: 'text-delta', text: '{"title": "Counter", "code": 42}' }, finishEvent]);
    const events = await collectSse((await setup(model).handler(postChat({ input: 'Make a counter' }))).body!);
    expect(events.map((event) => event.data.type)).not.toContain('done');
    expect(events.at(-1)!.data).toMatchObject({ type: 'error', error: { code: 'INVALID_FRAGMENT' } });
  });

  it('ends with the error of a stream that breaks mid-way', async () => {
    const model = createScriptedModel([
      ...fragmentDeltas().slice(0, 3),
      { type: 'fail', error: new FragmentkitError('PROVIDER_UNAVAILABLE', 'Anthropic is overloaded (529).') },
    ]);
    const events = await collectSse((await setup(model).handler(postChat({ input: 'Make a counter' }))).body!);
    const types = events.map((event) => event.data.type);
    expect(types[0]).toBe('meta');
    expect(types).toContain('fragment-delta');
    expect(types.filter((type) => type === 'error' || type === 'done')).toEqual(['error']);
    expect(events.at(-1)!.data).toEqual({
      type: 'error',
      error: { code: 'PROVIDER_UNAVAILABLE', message: 'Anthropic is overloaded (529).' },
    });
  });

  it('ends with STREAM_INCOMPLETE when the model stream closes without finishing', async () => {
    const model = createScriptedModel(fragmentDeltas().slice(0, 3));
    const events = await collectSse((await setup(model).handler(postChat({ input: 'Make a counter' }))).body!);
    expect(events.at(-1)!.data).toMatchObject({ type: 'error', error: { code: 'STREAM_INCOMPLETE' } });
  });

  it('aborts the upstream call when the client cancels the stream', async () => {
    const gate = createDeferred();
    const model = createScriptedModel([
      ...fragmentDeltas().slice(0, 2),
      { type: 'wait', until: gate.promise },
      finishEvent,
    ]);
    const response = await setup(model).handler(postChat({ input: 'Make a counter' }));
    const events = readSse(response.body!);
    expect((await events.next()).value?.data.type).toBe('meta');
    expect((await events.next()).value?.data.type).toBe('fragment-delta');
    await events.return(undefined);
    await model.aborted;
    expect(model.requests[0]!.signal?.aborted).toBe(true);
  });

  it("aborts the upstream call when the request's signal aborts", async () => {
    const gate = createDeferred();
    const client = new AbortController();
    const model = createScriptedModel([fragmentDeltas()[0]!, { type: 'wait', until: gate.promise }, finishEvent]);
    const response = await setup(model).handler(postChat({ input: 'Make a counter' }, { signal: client.signal }));
    const reader = response.body!.getReader();
    await reader.read();
    client.abort();
    await model.aborted;
    expect(model.requests[0]!.signal?.aborted).toBe(true);
  });

  it('writes one log line when the stream ends, with outcome and tokens', async () => {
    const lines: { level: string; fields: Record<string, unknown> }[] = [];
    const logger = {
      info: (fields: Record<string, unknown>) => lines.push({ level: 'info', fields }),
      warn: (fields: Record<string, unknown>) => lines.push({ level: 'warn', fields }),
      error: (fields: Record<string, unknown>) => lines.push({ level: 'error', fields }),
    };
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const response = await setup(model, { logger }).handler(postChat({ input: 'Make a counter' }));
    expect(lines).toHaveLength(0);
    await collectSse(response.body!);
    expect(lines).toEqual([
      {
        level: 'info',
        fields: expect.objectContaining({
          requestId: 'id-1',
          method: 'POST',
          route: '/chat',
          status: 200,
          provider: 'test',
          model: 'scripted-1',
          outcome: 'done',
          inputTokens: 120,
          outputTokens: 80,
          durationMs: expect.any(Number),
        }),
      },
    ]);
  });
});
