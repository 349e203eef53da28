import { afterEach, describe, expect, it } from 'vitest';
import { type FakeProvider, type FakeProviderOptions, startFakeProvider } from './fakeProvider.js';
import { defaultFragmentReply } from './fragmentReply.js';
import type { RecordedRequest } from './recordedRequest.js';

interface SseEvent {
  event: string | undefined;
  data: string;
}

let fake: FakeProvider | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  fake = await startFakeProvider({ chunkDelayMs: 0, ...options });
  return fake;
}

/** Splits an SSE body into events, keeping the `event:` name and the `data:` payload. */
function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      return {
        event: lines.find((line) => line.startsWith('event: '))?.slice('event: '.length),
        data: lines
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice('data: '.length))
          .join('\n'),
      };
    });
}

function postAnthropic(
  provider: FakeProvider,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
) {
  return fetch(`${provider.anthropicBaseURL}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'test-key',
      'anthropic-version': '2023-06-01',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

function postOpenAI(provider: FakeProvider, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${provider.openaiBaseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-key', ...headers },
    body: JSON.stringify(body),
  });
}

const anthropicBody = {
  model: 'claude-test',
  max_tokens: 1024,
  system: [{ type: 'text', text: 'You write fragments.' }],
  messages: [
    { role: 'user', content: 'Make a counter' },
    { role: 'assistant', content: [{ type: 'text', text: '{"title":"Counter"}' }] },
    { role: 'user', content: [{ type: 'text', text: 'Add a reset button' }] },
  ],
  stream: true,
};

const openAIBody = {
  model: 'gpt-test',
  messages: [
    { role: 'system', content: 'You write fragments.' },
    { role: 'user', content: [{ type: 'text', text: 'Make a counter' }] },
  ],
  stream: true,
  stream_options: { include_usage: true },
  max_completion_tokens: 500,
};

describe('startFakeProvider', () => {
  it('listens on an ephemeral loopback port and exposes both base URLs', async () => {
    const provider = await start();

    expect(provider.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(provider.anthropicBaseURL).toBe(provider.url);
    expect(provider.openaiBaseURL).toBe(`${provider.url}/v1`);
    expect((await fetch(`${provider.url}/health`)).status).toBe(200);
  });

  it('streams an Anthropic message with the real event sequence and chunked text', async () => {
    const provider = await start({
      chunkSize: 5,
      respond: () => ({ text: 'Hello, world!', usage: { inputTokens: 40, outputTokens: 4 } }),
    });

    const response = await postAnthropic(provider, anthropicBody);
    const events = parseSse(await response.text());

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('request-id')).toMatch(/^req_fake_/);
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const payloads = events.map((event) => JSON.parse(event.data));
    expect(payloads.map((payload) => payload.type)).toEqual(events.map((event) => event.event));
    expect(payloads[0].message).toMatchObject({ role: 'assistant', model: 'claude-test', usage: { input_tokens: 40 } });
    expect(payloads.filter((p) => p.type === 'content_block_delta').map((p) => p.delta.text)).toEqual([
      'Hello',
      ', wor',
      'ld!',
    ]);
    expect(payloads[7]).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4 } });
  });

  it('streams OpenAI chunks with a finish_reason chunk, a usage chunk and [DONE]', async () => {
    const provider = await start({
      chunkSize: 4,
      respond: () => ({
        text: 'abcdefg',
        stopReason: 'max_tokens',
        usage: { inputTokens: 10, cachedInputTokens: 6, outputTokens: 2 },
      }),
    });

    const response = await postOpenAI(provider, openAIBody);
    const events = parseSse(await response.text());

    expect(response.headers.get('x-request-id')).toMatch(/^req_fake_/);
    expect(events.every((event) => event.event === undefined)).toBe(true);
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'gpt-test')).toBe(true);
    expect(chunks[0].choices[0].delta).toMatchObject({ role: 'assistant', content: '' });
    expect(chunks.slice(1, 3).map((chunk) => chunk.choices[0].delta.content)).toEqual(['abcd', 'efg']);
    expect(chunks[3].choices[0]).toMatchObject({ delta: {}, finish_reason: 'length' });
    expect(chunks[4]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 16, completion_tokens: 2, total_tokens: 18, prompt_tokens_details: { cached_tokens: 6 } },
    });
  });

  it('sends no usage chunk without stream_options.include_usage', async () => {
    const provider = await start({ respond: () => ({ text: 'hi' }) });

    const response = await postOpenAI(provider, { ...openAIBody, stream_options: undefined });
    const chunks = parseSse(await response.text())
      .slice(0, -1)
      .map((event) => JSON.parse(event.data));

    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });

  it('answers non-streaming requests with a message and a chat.completion', async () => {
    const provider = await start({ respond: () => ({ text: 'plain answer' }) });

    const message = await (await postAnthropic(provider, { ...anthropicBody, stream: false })).json();
    const completion = await (await postOpenAI(provider, { ...openAIBody, stream: false })).json();

    expect(message).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'plain answer' }],
      stop_reason: 'end_turn',
    });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: 'plain answer' }, finish_reason: 'stop' }],
    });
  });

  it('records every request with system prompt and message text normalised across both APIs', async () => {
    const provider = await start();

    await (await postAnthropic(provider, anthropicBody)).text();
    await (await postOpenAI(provider, openAIBody, { 'x-custom': 'yes' })).text();

    const [anthropic, openai] = provider.requests as [RecordedRequest, RecordedRequest];
    expect(anthropic).toMatchObject({
      api: 'anthropic',
      path: '/v1/messages',
      model: 'claude-test',
      system: 'You write fragments.',
      messages: [
        { role: 'user', content: 'Make a counter' },
        { role: 'assistant', content: '{"title":"Counter"}' },
        { role: 'user', content: 'Add a reset button' },
      ],
      stream: true,
      maxTokens: 1024,
      aborted: false,
    });
    expect(anthropic.headers['x-api-key']).toBe('test-key');
    expect(anthropic.body).toEqual(anthropicBody);
    expect(openai).toMatchObject({
      api: 'openai',
      path: '/v1/chat/completions',
      system: 'You write fragments.',
      messages: [{ role: 'user', content: 'Make a counter' }],
      maxTokens: 500,
    });
    expect(openai.headers['x-custom']).toBe('yes');

    provider.reset();
    expect(provider.requests).toEqual([]);
  });

  it('serves errors in each API’s real error shape, with extra headers', async () => {
    const provider = await start({
      respond: () => ({
        error: {
          status: 429,
          type: 'rate_limit_error',
          message: 'Slow down',
          code: 'rate_limit_exceeded',
          headers: { 'retry-after': '3' },
        },
      }),
    });

    const anthropic = await postAnthropic(provider, anthropicBody);
    const openai = await postOpenAI(provider, openAIBody);

    expect(anthropic.status).toBe(429);
    expect(anthropic.headers.get('retry-after')).toBe('3');
    expect(await anthropic.json()).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Slow down' },
      request_id: anthropic.headers.get('request-id'),
    });
    expect(openai.status).toBe(429);
    expect(await openai.json()).toEqual({
      error: { message: 'Slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
    });
  });

  it('rejects requests the real APIs would reject', async () => {
    const provider = await start();

    const noKey = await postAnthropic(provider, anthropicBody, { 'x-api-key': '' });
    const noMaxTokens = await postAnthropic(provider, { ...anthropicBody, max_tokens: undefined });
    const badJson = await postAnthropic(provider, '{"model":');
    const noBearer = await postOpenAI(provider, openAIBody, { authorization: '' });

    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: { type: 'authentication_error' } });
    expect(noMaxTokens.status).toBe(400);
    expect(await noMaxTokens.json()).toMatchObject({ error: { message: 'max_tokens: Field required' } });
    expect(badJson.status).toBe(400);
    expect(noBearer.status).toBe(401);
    expect(provider.requests).toHaveLength(4);
  });

  it('turns an exception in respond() into a 500 api_error', async () => {
    const provider = await start({
      respond: () => {
        throw new Error('scenario missing');
      },
    });

    const response = await postAnthropic(provider, anthropicBody);

    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({
      error: { type: 'api_error', message: expect.stringContaining('scenario missing') },
    });
  });

  it('cuts a stream before its terminal events on request', async () => {
    const provider = await start({
      chunkSize: 2,
      respond: () => ({ text: 'abcdef', interrupt: { afterChunks: 2, kind: 'cut' } }),
    });

    const events = parseSse(await (await postAnthropic(provider, anthropicBody)).text());

    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
    ]);
  });

  it('sends the in-band error event of each API on request', async () => {
    const provider = await start({
      chunkSize: 2,
      respond: () => ({ text: 'abcdef', interrupt: { afterChunks: 1, kind: 'error' } }),
    });

    const anthropic = parseSse(await (await postAnthropic(provider, anthropicBody)).text());
    const openai = parseSse(await (await postOpenAI(provider, openAIBody)).text());

    expect(anthropic.at(-1)?.event).toBe('error');
    expect(JSON.parse(anthropic.at(-1)!.data)).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(JSON.parse(openai.at(-1)!.data)).toMatchObject({ error: { type: 'server_error' } });
    expect(openai.some((event) => event.data === '[DONE]')).toBe(false);
  });

  it('flushes events as they are produced and records a client that goes away', async () => {
    const provider = await start({ chunkSize: 1, chunkDelayMs: 1000, respond: () => ({ text: 'abc' }) });
    const controller = new AbortController();

    const response = await postAnthropic(provider, anthropicBody, {}, controller.signal);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    while (!received.includes('event: ping')) received += (await reader.read()).value ?? '';
    controller.abort();
    await provider.idle();

    expect(received).toContain('event: message_start');
    expect(received).not.toContain('message_stop');
    expect(provider.requests[0]?.aborted).toBe(true);
  });

  it('answers unknown paths with 404 and other methods with 405, without recording them', async () => {
    const provider = await start();

    expect((await fetch(`${provider.url}/v1/complete`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${provider.url}/v1/messages`)).status).toBe(405);
    expect(provider.requests).toHaveLength(0);
  });
});

describe('defaultFragmentReply', () => {
  it('is a bare, complete fragment JSON that quotes the last user message', async () => {
    const provider = await start();

    const response = await postOpenAI(provider, {
      ...openAIBody,
      stream: false,
      messages: [
        ...openAIBody.messages,
        { role: 'assistant', content: '{}' },
        { role: 'user', content: 'Make it\n  purple please' },
      ],
    });
    const fragment = JSON.parse((await response.json()).choices[0].message.content);

    expect(Object.keys(fragment).sort()).toEqual(
      [
        'additional_dependencies',
        'code',
        'commentary',
        'description',
        'file_path',
        'has_additional_dependencies',
        'install_dependencies_command',
        'port',
        'template',
        'title',
      ].sort(),
    );
    expect(fragment).toMatchObject({
      template: 'react-preview',
      file_path: 'App.tsx',
      port: null,
      additional_dependencies: [],
    });
    expect(fragment.title).toBe('Counter: Make it purple please');
    expect(fragment.commentary).toContain('"Make it purple please"');
    expect(fragment.code).toContain('export default function App()');
    expect(fragment.code).toContain('"Make it purple please"');
  });

  it('quotes the typed request, not the attached context that precedes it', () => {
    const request = {
      messages: [
        {
          role: 'user',
          content:
            'Attached code from my project:\n\nFile: src/a.ts (lines 1-2)\n```ts\nconst a = 1;\n```\n\nAdd a reset button',
        },
      ],
    } as RecordedRequest;

    expect(JSON.parse(defaultFragmentReply(request).text).title).toBe('Counter: Add a reset button');
  });

  it('truncates long prompts and stays deterministic', () => {
    const request = {
      messages: [{ role: 'user', content: `Build ${'a very long request '.repeat(20)}` }],
    } as RecordedRequest;

    const first = defaultFragmentReply(request);
    const fragment = JSON.parse(first.text);

    expect(first).toEqual(defaultFragmentReply(request));
    expect(Array.from(fragment.title as string).length).toBeLessThanOrEqual(40);
    expect(fragment.title.endsWith('…')).toBe(true);
  });
});
