import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAll, readFixture, readUntilError, rejectionOf, sseResponse, textOf } from './__fixtures__/sseFixtures.js';
import { createOpenAICompatibleModel, createOpenAIModel } from './openai.js';
import type { ModelRequest } from './types.js';

const completionsURL = 'https://api.openai.com/v1/chat/completions';
const apiKey = 'sk-proj-test-key-0123456789abcdef';

interface Captured {
  url: string;
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
});
afterAll(() => server.close());

function answerWith(reply: (request: Request) => Response, url = completionsURL): void {
  server.use(
    http.post(url, async ({ request }) => {
      captured.push({
        url: request.url,
        body: (await request.clone().json()) as Record<string, unknown>,
        headers: request.headers,
        signal: request.signal,
      });
      return reply(request);
    }),
  );
}

function errorReply(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return HttpResponse.json({ error: { param: null, code: null, ...error } }, { status, headers });
}

const transcript = readFixture('openai-stream.txt');
/** The recorded stream up to and including the chunk that carries `finish_reason`. */
const throughFinishReason = transcript.slice(
  0,
  transcript.indexOf('data: {', transcript.indexOf('"finish_reason":"stop"')),
);

const request: ModelRequest = {
  system: 'You are a code generator. Answer with one JSON object.',
  messages: [
    { role: 'user', content: 'Make a counter' },
    { role: 'assistant', content: '{"title":"Counter"}' },
    { role: 'user', content: 'Add a reset button' },
  ],
};

describe('createOpenAIModel', () => {
  it('sends a streaming chat completion with the system prompt first and usage requested', async () => {
    answerWith(() => sseResponse(transcript));
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini', headers: { 'x-team': 'blue' } });

    await readAll(await model.stream({ ...request, maxOutputTokens: 4000, temperature: 0 }));

    expect(captured).toHaveLength(1);
    expect(captured[0]!.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: request.system }, ...request.messages],
      max_completion_tokens: 4000,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(captured[0]!.headers.get('authorization')).toBe(`Bearer ${apiKey}`);
    expect(captured[0]!.headers.get('x-team')).toBe('blue');
    expect(model.provider).toBe('openai');
  });

  it('leaves the output limit to the server when none is set', async () => {
    answerWith(() => sseResponse(transcript));
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });

    await readAll(await model.stream(request));

    expect(captured[0]!.body).not.toHaveProperty('max_completion_tokens');
    expect(captured[0]!.body).not.toHaveProperty('max_tokens');
  });

  it('ignores OPENAI_BASE_URL and OPENAI_ORG_ID from the environment', async () => {
    vi.stubEnv('OPENAI_BASE_URL', 'https://env.example.com/v1');
    vi.stubEnv('OPENAI_ORG_ID', 'org-from-env');
    answerWith(() => sseResponse(transcript));
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });

    await readAll(await model.stream(request));

    expect(captured).toHaveLength(1);
    expect(captured[0]!.headers.get('openai-organization')).toBeNull();
  });

  it('maps deltas, then finishes after the usage chunk with cached tokens split out', async () => {
    answerWith(() => sseResponse(transcript, { chunkSize: 11 }));
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });

    const events = await readAll(await model.stream(request));

    expect(textOf(events)).toBe('{"commentary": "A counter with a reset button.", "title": "Counter"}');
    expect(events.filter((event) => event.type === 'text-delta')).toHaveLength(3);
    expect(events.filter((event) => event.type === 'finish')).toEqual([
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 472, outputTokens: 27, cachedInputTokens: 1536 } },
    ]);
    expect(events.at(-1)?.type).toBe('finish');
  });

  it.each([
    ['length', 'length'],
    ['content_filter', 'content-filter'],
    ['tool_calls', 'tool-calls'],
  ])('maps finish_reason %s to %s', async (reason, finishReason) => {
    answerWith(() => sseResponse(transcript.replace('"finish_reason":"stop"', `"finish_reason":"${reason}"`)));
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });

    const events = await readAll(await model.stream(request));

    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason });
  });

  it('finishes with zero usage when the server never sends a usage chunk', async () => {
    answerWith(() => sseResponse(`${throughFinishReason}data: [DONE]\n\n`));
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });

    const events = await readAll(await model.stream(request));

    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 0 } });
  });

  it('errors with STREAM_INCOMPLETE when the stream ends without a finish_reason', async () => {
    answerWith(() =>
      sseResponse(transcript.slice(0, transcript.indexOf('data: {', transcript.indexOf('reset button')))),
    );
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });

    const { events, error } = await readUntilError(await model.stream(request));

    expect(textOf(events)).toContain('reset button');
    expect(error.code).toBe('STREAM_INCOMPLETE');
    expect(error.isRetryable).toBe(true);
  });

  it('errors the stream when the server sends an error chunk mid-stream', async () => {
    const errorChunk = JSON.stringify({
      error: { message: 'The server had an error while processing your request.', type: 'server_error' },
    });
    answerWith(() =>
      sseResponse(
        `${transcript.slice(0, transcript.indexOf('data: {', transcript.indexOf('reset button')))}data: ${errorChunk}\n\n`,
      ),
    );
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });

    const { error } = await readUntilError(await model.stream(request));

    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.isRetryable).toBe(true);
    expect(error.details).toMatchObject({ type: 'server_error' });
  });

  it('rejects with PROVIDER_RATE_LIMITED with retry-after-ms on 429', async () => {
    answerWith(() =>
      errorReply(
        429,
        { message: 'Rate limit reached for gpt-4o-mini', type: 'requests', code: 'rate_limit_exceeded' },
        { 'retry-after-ms': '1500', 'retry-after': '2' },
      ),
    );
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });

    const error = await rejectionOf(model.stream(request));

    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.details).toMatchObject({ retryAfterMs: 1500, providerCode: 'rate_limit_exceeded' });
    expect(captured).toHaveLength(1);
  });

  it('flags context_length_exceeded as PROVIDER_BAD_REQUEST with reason context_length', async () => {
    answerWith(() =>
      errorReply(400, {
        message:
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      }),
    );
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });

    const error = await rejectionOf(model.stream(request));

    expect(error.code).toBe('PROVIDER_BAD_REQUEST');
    expect(error.statusCode).toBe(400);
    expect(error.details).toMatchObject({ reason: 'context_length', providerCode: 'context_length_exceeded' });
  });

  it('redacts the key that OpenAI echoes in a 401', async () => {
    answerWith(() =>
      errorReply(401, {
        message: `Incorrect API key provided: ${apiKey}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      }),
    );
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });

    const error = await rejectionOf(model.stream(request));

    expect(error.code).toBe('PROVIDER_AUTH');
    expect(error.message).toContain('Incorrect API key provided: [redacted]');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(apiKey);
  });

  it('aborting the signal errors the stream with ABORTED and aborts the upstream request', async () => {
    answerWith((upstreamRequest) =>
      sseResponse(transcript.slice(0, transcript.indexOf('data: {', transcript.indexOf('reset button'))), {
        holdOpenUntil: upstreamRequest.signal,
      }),
    );
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });
    const controller = new AbortController();

    const reader = (await model.stream({ ...request, signal: controller.signal })).getReader();
    expect((await reader.read()).value).toMatchObject({ type: 'text-delta' });
    controller.abort();

    await expect(reader.read()).rejects.toMatchObject({ code: 'ABORTED' });
    expect(captured[0]!.signal.aborted).toBe(true);
  });

  it('cancelling the stream aborts the upstream request', async () => {
    answerWith((upstreamRequest) => sseResponse(throughFinishReason, { holdOpenUntil: upstreamRequest.signal }));
    const model = createOpenAIModel({ apiKey, model: 'gpt-4o-mini' });

    const reader = (await model.stream(request)).getReader();
    await reader.read();
    await reader.cancel();

    expect(captured[0]!.signal.aborted).toBe(true);
  });
});

describe('createOpenAICompatibleModel', () => {
  it('talks to a custom base URL with a placeholder key and max_tokens', async () => {
    answerWith(() => sseResponse(transcript), 'http://localhost:11434/v1/chat/completions');
    const model = createOpenAICompatibleModel({
      baseURL: 'http://localhost:11434/v1',
      model: 'qwen2.5-coder:7b',
      provider: 'ollama',
      maxOutputTokens: 2048,
    });

    const events = await readAll(await model.stream(request));

    expect(model.provider).toBe('ollama');
    expect(captured[0]!.url).toBe('http://localhost:11434/v1/chat/completions');
    expect(captured[0]!.headers.get('authorization')).toBe('Bearer not-needed');
    expect(captured[0]!.body).toMatchObject({ model: 'qwen2.5-coder:7b', max_tokens: 2048, stream: true });
    expect(captured[0]!.body).not.toHaveProperty('max_completion_tokens');
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('names errors after the provider', async () => {
    answerWith(
      () => errorReply(404, { message: 'model "llama9" not found, try pulling it first', type: 'api_error' }),
      'http://localhost:11434/v1/chat/completions',
    );
    const model = createOpenAICompatibleModel({
      baseURL: 'http://localhost:11434/v1',
      model: 'llama9',
      provider: 'ollama',
    });

    const error = await rejectionOf(model.stream(request));

    expect(error.code).toBe('PROVIDER_BAD_REQUEST');
    expect(error.message).toContain('ollama rejected the request');
    expect(error.details).toMatchObject({
      provider: 'ollama',
      providerMessage: 'model "llama9" not found, try pulling it first',
    });
  });

  it('requires a base URL', () => {
    expect(() => createOpenAICompatibleModel({ baseURL: '', model: 'llama3' })).toThrow(
      expect.objectContaining({
        code: 'PROVIDER_NOT_CONFIGURED',
        details: { provider: 'openai-compatible', option: 'baseURL' },
      }),
    );
  });
});
