import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildPrompt } from '../prompt/buildPrompt.js';
import { readAll, readFixture, readUntilError, rejectionOf, sseResponse, textOf } from './__fixtures__/sseFixtures.js';
import { createAnthropicModel } from './anthropic.js';
import type { ModelRequest } from './types.js';

const messagesURL = 'https://api.anthropic.com/v1/messages';
const apiKey = 'sk-ant-api03-test-key-0123456789';

interface Captured {
  body: Record<string, unknown>;
  headers: Headers;
  signal: AbortSignal;
}

const server = setupServer();
let captured: Captured[] = [];

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  captured = [];
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

/** Answers the Messages endpoint with `reply` and records what the provider sent. */
function answerWith(reply: (request: Request) => Response, url = messagesURL): void {
  server.use(
    http.post(url, async ({ request }) => {
      captured.push({
        body: (await request.clone().json()) as Record<string, unknown>,
        headers: request.headers,
        signal: request.signal,
      });
      return reply(request);
    }),
  );
}

function errorReply(status: number, type: string, message: string, headers: Record<string, string> = {}): Response {
  return HttpResponse.json(
    { type: 'error', error: { type, message }, request_id: 'req_011CTest' },
    { status, headers: { 'request-id': 'req_011CTest', ...headers } },
  );
}

const request: ModelRequest = {
  system: 'You are a code generator. Answer with one JSON object.',
  messages: [
    { role: 'user', content: 'Make a counter' },
    { role: 'assistant', content: '{"title":"Counter"}' },
    { role: 'user', content: 'Add a reset button' },
  ],
};

describe('createAnthropicModel', () => {
  it('sends the Messages API request the SDK builds, with key and version headers', async () => {
    answerWith(() => sseResponse(readFixture('anthropic-stream.txt')));
    const model = createAnthropicModel({
      apiKey,
      model: 'claude-sonnet-4-5',
      headers: { 'anthropic-beta': 'test-beta' },
    });

    await readAll(await model.stream({ ...request, temperature: 0.2 }));

    expect(captured).toHaveLength(1);
    expect(captured[0]!.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 8192,
      system: request.system,
      messages: request.messages,
      temperature: 0.2,
      stream: true,
    });
    expect(captured[0]!.headers.get('x-api-key')).toBe(apiKey);
    expect(captured[0]!.headers.get('anthropic-version')).toBe('2023-06-01');
    expect(captured[0]!.headers.get('anthropic-beta')).toBe('test-beta');
    expect(captured[0]!.headers.get('authorization')).toBeNull();
    expect(model.provider).toBe('anthropic');
    expect(model.modelId).toBe('claude-sonnet-4-5');
  });

  it('marks the stable prefix of the system prompt with cache_control breakpoints on the wire', async () => {
    answerWith(() => sseResponse(readFixture('anthropic-stream.txt')));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });
    const built = buildPrompt({
      input: 'Add a reset button',
      history: [{ input: 'Make a counter', commentary: 'Done.' }],
      keepTurns: 0,
      summary: 'The user wants a counter.',
      canary: 'fk-canary-0011223344556677',
    });

    await readAll(
      await model.stream({
        system: built.system,
        systemCacheBreakpoints: built.systemCacheBreakpoints,
        messages: built.messages,
      }),
    );

    const [instructionsEnd, summaryEnd] = built.systemCacheBreakpoints;
    expect(captured[0]!.body.system).toEqual([
      { type: 'text', text: built.system.slice(0, instructionsEnd), cache_control: { type: 'ephemeral' } },
      { type: 'text', text: built.system.slice(instructionsEnd, summaryEnd), cache_control: { type: 'ephemeral' } },
      { type: 'text', text: built.system.slice(summaryEnd) },
    ]);
    expect((captured[0]!.body.system as { text: string }[]).map((block) => block.text).join('')).toBe(built.system);
    expect((captured[0]!.body.system as { text: string }[])[2]?.text).toContain('fk-canary-0011223344556677');
  });

  it('keeps at most four breakpoints, the last ones, and never sends a blank block', async () => {
    answerWith(() => sseResponse(readFixture('anthropic-stream.txt')));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });
    const system = 'aaaa\n\nbbbb\n\ncccc\n\ndddd\n\neeee';
    await readAll(
      await model.stream({
        system,
        systemCacheBreakpoints: [4, 10, 10, 16, 22, 28, 99, -1],
        messages: request.messages,
      }),
    );
    expect(captured[0]!.body.system).toEqual([
      { type: 'text', text: 'aaaa\n\nbbbb', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: '\n\ncccc', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: '\n\ndddd', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: '\n\neeee', cache_control: { type: 'ephemeral' } },
    ]);
  });

  it('takes the output limit from the request, then the options', async () => {
    answerWith(() => sseResponse(readFixture('anthropic-stream.txt')));
    const model = createAnthropicModel({ apiKey, model: 'claude-haiku-4-5', maxOutputTokens: 2048 });

    await readAll(await model.stream(request));
    await readAll(await model.stream({ ...request, maxOutputTokens: 100 }));

    expect(captured.map((entry) => entry.body.max_tokens)).toEqual([2048, 100]);
  });

  it('ignores ANTHROPIC_BASE_URL and ANTHROPIC_AUTH_TOKEN from the environment', async () => {
    vi.stubEnv('ANTHROPIC_BASE_URL', 'https://env.example.com');
    vi.stubEnv('ANTHROPIC_AUTH_TOKEN', 'env-token');
    answerWith(() => sseResponse(readFixture('anthropic-stream.txt')));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    await readAll(await model.stream(request));

    expect(captured).toHaveLength(1);
    expect(captured[0]!.headers.get('authorization')).toBeNull();
  });

  it('sends requests to a custom base URL', async () => {
    answerWith(
      () => sseResponse(readFixture('anthropic-stream.txt')),
      'https://gateway.example.com/anthropic/v1/messages',
    );
    const model = createAnthropicModel({
      apiKey,
      model: 'claude-sonnet-4-5',
      baseURL: 'https://gateway.example.com/anthropic',
    });

    await readAll(await model.stream(request));

    expect(captured).toHaveLength(1);
  });

  it('maps text deltas, usage with cache reads and the stop reason of a recorded stream', async () => {
    answerWith(() => sseResponse(readFixture('anthropic-stream.txt'), { chunkSize: 7 }));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const events = await readAll(await model.stream(request));

    expect(events.filter((event) => event.type === 'text-delta')).toHaveLength(3);
    expect(textOf(events)).toBe('{"commentary": "A counter with a reset button.", "title": "Counter"}');
    expect(events.filter((event) => event.type === 'finish')).toEqual([
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 472, outputTokens: 27, cachedInputTokens: 1536 } },
    ]);
    expect(events.at(-1)?.type).toBe('finish');
  });

  it('reports cache writes and the output limit as finish reason `length`', async () => {
    const transcript = readFixture('anthropic-stream.txt')
      .replace(
        '"cache_creation_input_tokens":0,"cache_read_input_tokens":1536,"cache_creation"',
        '"cache_creation_input_tokens":900,"cache_read_input_tokens":0,"cache_creation"',
      )
      .replace(
        '"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":1536,"output_tokens":27}',
        '"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":8192}',
      );
    answerWith(() => sseResponse(transcript));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const events = await readAll(await model.stream(request));

    expect(events.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'length',
      usage: { inputTokens: 472, outputTokens: 8192, cacheWriteTokens: 900 },
    });
  });

  it.each([
    ['refusal', 'content-filter'],
    ['tool_use', 'tool-calls'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'other'],
  ])('maps stop reason %s to %s', async (stopReason, finishReason) => {
    answerWith(() => sseResponse(readFixture('anthropic-stream.txt').replace('"end_turn"', `"${stopReason}"`)));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const events = await readAll(await model.stream(request));

    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason });
  });

  it('errors the stream with PROVIDER_UNAVAILABLE on an in-band overloaded_error', async () => {
    answerWith(() => sseResponse(readFixture('anthropic-overloaded.txt')));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const { events, error } = await readUntilError(await model.stream(request));

    expect(textOf(events)).toBe('{"commentary":');
    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.isRetryable).toBe(true);
    expect(error.details).toMatchObject({
      provider: 'anthropic',
      type: 'overloaded_error',
      providerMessage: 'Overloaded',
    });
  });

  it('errors with STREAM_INCOMPLETE when the stream ends without message_stop', async () => {
    const transcript = readFixture('anthropic-stream.txt');
    answerWith(() => sseResponse(transcript.slice(0, transcript.indexOf('event: message_delta'))));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const { events, error } = await readUntilError(await model.stream(request));

    expect(textOf(events)).toContain('Counter');
    expect(events.some((event) => event.type === 'finish')).toBe(false);
    expect(error.code).toBe('STREAM_INCOMPLETE');
    expect(error.isRetryable).toBe(true);
  });

  it('errors with STREAM_INCOMPLETE when the connection resets mid-stream', async () => {
    const transcript = readFixture('anthropic-stream.txt');
    answerWith(() =>
      sseResponse(transcript.slice(0, transcript.indexOf('event: content_block_stop')), {
        failWith: new TypeError('terminated'),
      }),
    );
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const { error } = await readUntilError(await model.stream(request));

    expect(error.code).toBe('STREAM_INCOMPLETE');
    expect(error.isRetryable).toBe(true);
  });

  it('turns a chunk that is not JSON into a STREAM_INCOMPLETE error instead of a crash', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const transcript = readFixture('anthropic-stream.txt').replace(
      'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" \\"Counter\\"}"}}',
      'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_',
    );
    // One network chunk: msw never settles the SDK's cancel() of a body that still has unread chunks.
    answerWith(() => sseResponse(transcript, { chunkSize: transcript.length }));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const { error } = await readUntilError(await model.stream(request));

    expect(error.code).toBe('STREAM_INCOMPLETE');
    expect(error.details).toMatchObject({ reason: 'malformed_chunk' });
  });

  it('skips well-formed chunks of an unexpected shape', async () => {
    const transcript = readFixture('anthropic-stream.txt').replace(
      'event: ping\ndata: {"type": "ping"}',
      'event: content_block_delta\ndata: {"type":"content_block_delta"}\n\nevent: content_block_delta\ndata: null\n\nevent: message_delta\ndata: {"type":"message_delta","usage":"lots"}',
    );
    answerWith(() => sseResponse(transcript));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const events = await readAll(await model.stream(request));

    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('rejects with PROVIDER_AUTH on 401 without leaking the key', async () => {
    answerWith(() => errorReply(401, 'authentication_error', `invalid x-api-key ${apiKey}`));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const error = await rejectionOf(model.stream(request));

    expect(error.code).toBe('PROVIDER_AUTH');
    expect(error.isRetryable).toBe(false);
    expect(error.statusCode).toBe(401);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(apiKey);
  });

  it('rejects with PROVIDER_RATE_LIMITED and the retry-after delay on 429', async () => {
    answerWith(() =>
      errorReply(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', {
        'retry-after': '17',
      }),
    );
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const error = await rejectionOf(model.stream(request));

    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.isRetryable).toBe(true);
    expect(error.statusCode).toBe(429);
    expect(error.details).toMatchObject({ retryAfterMs: 17_000, type: 'rate_limit_error', requestId: 'req_011CTest' });
    expect(captured).toHaveLength(1);
  });

  it.each([500, 529])(
    'rejects with retryable PROVIDER_UNAVAILABLE on %i, without retrying in the SDK',
    async (status) => {
      answerWith(() => errorReply(status, status === 529 ? 'overloaded_error' : 'api_error', 'Internal server error'));
      const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

      const error = await rejectionOf(model.stream(request));

      expect(error.code).toBe('PROVIDER_UNAVAILABLE');
      expect(error.isRetryable).toBe(true);
      expect(error.statusCode).toBe(status);
      expect(captured).toHaveLength(1);
    },
  );

  it('flags a context-length 400 as PROVIDER_BAD_REQUEST with reason context_length', async () => {
    answerWith(() => errorReply(400, 'invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum'));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const error = await rejectionOf(model.stream(request));

    expect(error.code).toBe('PROVIDER_BAD_REQUEST');
    expect(error.isRetryable).toBe(false);
    expect(error.details).toMatchObject({ reason: 'context_length', type: 'invalid_request_error' });
    expect(error.details?.providerMessage).toBe('prompt is too long: 208310 tokens > 200000 maximum');
  });

  it('aborting the signal errors the stream with ABORTED and aborts the upstream request', async () => {
    const transcript = readFixture('anthropic-stream.txt');
    answerWith((upstreamRequest) =>
      sseResponse(transcript.slice(0, transcript.indexOf('event: content_block_stop')), {
        holdOpenUntil: upstreamRequest.signal,
      }),
    );
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });
    const controller = new AbortController();

    const reader = (await model.stream({ ...request, signal: controller.signal })).getReader();
    expect((await reader.read()).value).toMatchObject({ type: 'text-delta' });
    controller.abort();

    await expect(reader.read()).rejects.toMatchObject({ code: 'ABORTED' });
    expect(captured[0]!.signal.aborted).toBe(true);
  });

  it('cancelling the stream aborts the upstream request', async () => {
    const transcript = readFixture('anthropic-stream.txt');
    answerWith((upstreamRequest) =>
      sseResponse(transcript.slice(0, transcript.indexOf('event: content_block_stop')), {
        holdOpenUntil: upstreamRequest.signal,
      }),
    );
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const reader = (await model.stream(request)).getReader();
    await reader.read();
    await reader.cancel();

    expect(captured[0]!.signal.aborted).toBe(true);
  });

  it('rejects with ABORTED when the signal is already aborted', async () => {
    answerWith(() => sseResponse(readFixture('anthropic-stream.txt')));
    const model = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });

    const error = await rejectionOf(model.stream({ ...request, signal: AbortSignal.abort() }));

    expect(error.code).toBe('ABORTED');
    expect(captured).toHaveLength(0);
  });

  it("turns the SDK's refusal to run in a browser into PROVIDER_NOT_CONFIGURED", () => {
    vi.stubGlobal('window', { document: {} });
    vi.stubGlobal('navigator', { userAgent: 'test' });
    try {
      expect(() => createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' })).toThrow(
        expect.objectContaining({ code: 'PROVIDER_NOT_CONFIGURED', message: expect.stringContaining('browser') }),
      );
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('rejects missing configuration with PROVIDER_NOT_CONFIGURED', () => {
    expect(() => createAnthropicModel({ apiKey: '', model: 'claude-sonnet-4-5' })).toThrow(
      expect.objectContaining({
        code: 'PROVIDER_NOT_CONFIGURED',
        details: { provider: 'anthropic', option: 'apiKey' },
      }),
    );
    expect(() => createAnthropicModel({ apiKey, model: ' ' })).toThrow(
      expect.objectContaining({ code: 'PROVIDER_NOT_CONFIGURED' }),
    );
  });
});
