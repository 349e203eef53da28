// The official SDKs are dependencies of @fragmentkit/core, not of this private package, so they
// are imported from core's node_modules: the point is to prove the fake against the real clients.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Anthropic from '../../../packages/core/node_modules/@anthropic-ai/sdk/index.mjs';
import OpenAI from '../../../packages/core/node_modules/openai/index.mjs';
import { type FakeProvider, startFakeProvider } from './fakeProvider.js';
import type { FakeReply } from './fakeReply.js';

let fake: FakeProvider;
let reply: FakeReply = { text: 'unset' };

beforeAll(async () => {
  fake = await startFakeProvider({ chunkDelayMs: 0, chunkSize: 7, respond: () => reply });
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

const anthropic = () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.anthropicBaseURL, maxRetries: 0 });
const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: fake.openaiBaseURL, maxRetries: 0 });

describe('the official Anthropic SDK against the fake', () => {
  it('streams a message the SDK assembles into text, stop reason and usage', async () => {
    reply = {
      text: 'The quick brown fox jumps over the lazy dog.',
      stopReason: 'max_tokens',
      usage: { inputTokens: 30, outputTokens: 11, cachedInputTokens: 5 },
    };

    const stream = anthropic().messages.stream({
      model: 'claude-test',
      max_tokens: 64,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Say the pangram' }],
    });
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    const message = await stream.finalMessage();

    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(reply.text);
    expect(message.content).toMatchObject([{ type: 'text', text: reply.text }]);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage).toMatchObject({ input_tokens: 30, output_tokens: 11, cache_read_input_tokens: 5 });
    expect(fake.requests[0]).toMatchObject({
      api: 'anthropic',
      system: 'Be brief.',
      model: 'claude-test',
      stream: true,
    });
    expect(fake.requests[0]?.headers['x-api-key']).toBe('sk-ant-test');
  });

  it('reads a non-streaming message', async () => {
    reply = { text: 'plain' };

    const message = await anthropic().messages.create({
      model: 'claude-test',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });

    expect(message.content[0]).toMatchObject({ type: 'text', text: 'plain' });
  });

  it('raises the SDK error class with status, body and retry-after', async () => {
    reply = {
      error: { status: 429, type: 'rate_limit_error', message: 'Too many requests', headers: { 'retry-after': '2' } },
    };

    const error = await anthropic()
      .messages.create({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimit = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Too many requests' },
    });
    expect(rateLimit.headers.get('retry-after')).toBe('2');
    expect(rateLimit.requestID).toMatch(/^req_fake_/);
  });

  it('surfaces the in-band overloaded error as an APIError', async () => {
    reply = { text: 'abcdefghijklmnop', interrupt: { afterChunks: 1, kind: 'error' } };

    const stream = await anthropic().messages.create({
      model: 'claude-test',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const types: string[] = [];
    const error = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((caught: unknown) => caught);

    expect(types).toContain('content_block_delta');
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { type: 'overloaded_error' },
    });
  });
});

describe('the official OpenAI SDK against the fake', () => {
  it('streams chunks with usage at the end', async () => {
    reply = { text: 'Hello from the fake provider', usage: { inputTokens: 12, outputTokens: 6 } };

    const stream = await openai().chat.completions.create({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello?' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finishReason: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
    }

    expect(text).toBe(reply.text);
    expect(finishReason).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 });
    expect(fake.requests[0]).toMatchObject({
      api: 'openai',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello?' }],
    });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('reads a non-streaming completion', async () => {
    reply = { text: 'plain', stopReason: 'max_tokens' };

    const completion = await openai().chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
    });

    expect(completion.choices[0]).toMatchObject({ message: { content: 'plain' }, finish_reason: 'length' });
  });

  it('raises the SDK error class with the code', async () => {
    reply = {
      error: { status: 400, type: 'invalid_request_error', message: 'Too long', code: 'context_length_exceeded' },
    };

    const error = await openai()
      .chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded', type: 'invalid_request_error' });
  });

  it('surfaces an error chunk mid-stream as an APIError', async () => {
    reply = { text: 'abcdefghijklmnop', interrupt: { afterChunks: 1, kind: 'error' } };

    const stream = await openai().chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const error = await (async () => {
      for await (const _chunk of stream) {
        // Drain until the error chunk.
      }
    })().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ type: 'server_error' });
  });
});
