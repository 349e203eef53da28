// The providers against a real HTTP server that speaks both wire formats. The fake is a private
// workspace package that core does not depend on, hence the relative import.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultFragmentReply,
  type FakeProvider,
  type FakeReply,
  startFakeProvider,
} from '../../../../internal/fake-provider/src/index.js';
import { readAll, readUntilError, rejectionOf, textOf } from './__fixtures__/sseFixtures.js';
import { createAnthropicModel } from './anthropic.js';
import { createOpenAICompatibleModel, createOpenAIModel } from './openai.js';
import type { LanguageModel, ModelRequest } from './types.js';

let fake: FakeProvider;
let reply: FakeReply | undefined;

beforeAll(async () => {
  fake = await startFakeProvider({ chunkDelayMs: 0, respond: (request) => reply ?? defaultFragmentReply(request) });
});
beforeEach(() => {
  fake.reset();
  reply = undefined;
});
afterAll(() => fake.close());

const request: ModelRequest = {
  system: 'Answer with one bare JSON fragment.',
  messages: [{ role: 'user', content: 'Make a counter with a reset button' }],
  maxOutputTokens: 1000,
};

const models: Record<string, () => LanguageModel> = {
  anthropic: () =>
    createAnthropicModel({ apiKey: 'sk-ant-test', model: 'claude-test', baseURL: fake.anthropicBaseURL }),
  openai: () => createOpenAIModel({ apiKey: 'sk-test', model: 'gpt-test', baseURL: fake.openaiBaseURL }),
};

describe.each(Object.keys(models))('%s provider against the fake provider', (name) => {
  const model = () => models[name]!();

  it('streams the default fragment and sends the prompt upstream', async () => {
    const events = await readAll(await model().stream(request));

    const fragment = JSON.parse(textOf(events));
    expect(fragment).toMatchObject({ template: 'react-preview', file_path: 'App.tsx' });
    expect(fragment.commentary).toContain('Make a counter with a reset button');
    expect(events.filter((event) => event.type === 'text-delta').length).toBeGreaterThan(10);
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      system: request.system,
      messages: request.messages,
      stream: true,
      maxTokens: 1000,
      aborted: false,
    });
  });

  it('reports the usage and the output limit the server sent', async () => {
    reply = {
      text: 'cut here',
      stopReason: 'max_tokens',
      usage: { inputTokens: 100, cachedInputTokens: 40, outputTokens: 1000 },
    };

    const events = await readAll(await model().stream(request));

    expect(events.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'length',
      usage: { inputTokens: 100, cachedInputTokens: 40, outputTokens: 1000 },
    });
  });

  it('errors with STREAM_INCOMPLETE when the server cuts the stream', async () => {
    reply = { text: 'a'.repeat(100), interrupt: { afterChunks: 3, kind: 'cut' } };

    const { events, error } = await readUntilError(await model().stream(request));

    expect(textOf(events)).toBe('a'.repeat(36));
    expect(error.code).toBe('STREAM_INCOMPLETE');
  });

  it('errors with retryable PROVIDER_UNAVAILABLE on the in-band error', async () => {
    reply = { text: 'a'.repeat(100), interrupt: { afterChunks: 1, kind: 'error' } };

    const { error } = await readUntilError(await model().stream(request));

    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.isRetryable).toBe(true);
  });

  it('rejects with PROVIDER_RATE_LIMITED and the retry-after delay', async () => {
    reply = { error: { status: 429, type: 'rate_limit_error', message: 'Slow down', headers: { 'retry-after': '4' } } };

    const error = await rejectionOf(model().stream(request));

    expect(error.code).toBe('PROVIDER_RATE_LIMITED');
    expect(error.details).toMatchObject({ retryAfterMs: 4000 });
  });
});

describe('aborting against a real socket', () => {
  let slowFake: FakeProvider;

  beforeAll(async () => {
    slowFake = await startFakeProvider({ chunkSize: 1, chunkDelayMs: 1000, respond: () => ({ text: 'abcdef' }) });
  });
  beforeEach(() => slowFake.reset());
  afterAll(() => slowFake.close());

  it.each([
    [
      'anthropic',
      () => createAnthropicModel({ apiKey: 'k', model: 'claude-test', baseURL: slowFake.anthropicBaseURL }),
    ],
    ['openai', () => createOpenAIModel({ apiKey: 'k', model: 'gpt-test', baseURL: slowFake.openaiBaseURL })],
  ])('%s: aborting the signal closes the upstream connection', async (_name, model) => {
    const controller = new AbortController();
    const reader = (await model().stream({ ...request, signal: controller.signal })).getReader();

    controller.abort();

    await expect(reader.read()).rejects.toMatchObject({ code: 'ABORTED' });
    await slowFake.idle();
    expect(slowFake.requests[0]?.aborted).toBe(true);
  });

  it('cancelling the stream closes the upstream connection', async () => {
    const model = createAnthropicModel({ apiKey: 'k', model: 'claude-test', baseURL: slowFake.anthropicBaseURL });
    const reader = (await model.stream(request)).getReader();

    await reader.cancel();
    await slowFake.idle();

    expect(slowFake.requests[0]?.aborted).toBe(true);
  });
});

describe('OpenAI-compatible servers', () => {
  it('works without an API key through a custom base URL', async () => {
    const model = createOpenAICompatibleModel({
      baseURL: fake.openaiBaseURL,
      model: 'qwen2.5-coder',
      provider: 'ollama',
    });

    const events = await readAll(await model.stream(request));

    expect(events.at(-1)).toMatchObject({ type: 'finish' });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer not-needed');
    expect(fake.requests[0]?.body).toMatchObject({ max_tokens: 1000, stream_options: { include_usage: true } });
  });

  it('rejects with retryable PROVIDER_UNAVAILABLE when nothing listens', async () => {
    const gone = await startFakeProvider();
    await gone.close();
    const model = createOpenAICompatibleModel({ baseURL: gone.openaiBaseURL, model: 'llama3', provider: 'ollama' });

    const error = await rejectionOf(model.stream(request));

    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('Could not connect to ollama');
    expect(error.details).toMatchObject({ provider: 'ollama', networkCode: 'ECONNREFUSED' });
  });
});
