// The fault suite of core's router, run again through the OpenAI-compatible gateway on a real
// Node server, with the official OpenAI SDK as the client. The harness and the SDK live in
// core (the SDK is core's dependency), hence the relative imports.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import OpenAI from '../../core/node_modules/openai/index.mjs';
import type { ChatCompletionChunk } from '../../core/node_modules/openai/resources/chat/completions/index.mjs';
import {
  answerOf,
  apis,
  type FaultRig,
  requestsReceived,
  startRig,
  timersPending,
  usageOf,
} from '../../core/src/router/faults/__fixtures__/faultHarness.js';
import { createFragmentkit } from '../src/fragmentkit.js';
import { toNodeHandler } from '../src/node.js';
import { close, listen } from './listen.js';

type StartRigOptions = NonNullable<Parameters<typeof startRig>[2]>;

let rig: FaultRig | undefined;
let server: Server | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  if (server) await close(server);
  await rig?.close();
  rig = undefined;
  server = undefined;
});

const messages = [
  { role: 'system' as const, content: 'Answer with one bare JSON fragment.' },
  { role: 'user' as const, content: 'Make a counter' },
];

/** A router over the fake (one target per fault model), the gateway in front of it on a real server, and an SDK client. */
async function gateway(
  api: (typeof apis)[number],
  route: string[],
  options: StartRigOptions & { fallbacks?: string[]; routeTargets?: string[] } = {},
) {
  const { fallbacks = [], routeTargets, ...rigOptions } = options;
  rig = await startRig(api, [...route, ...fallbacks], {
    ...rigOptions,
    routes: { generate: routeTargets ?? route },
  });
  const fragmentkit = createFragmentkit({
    router: rig.router,
    gateway: { models: { 'fk-default': 'generate' }, fallbacks },
    logger: { info() {}, warn() {}, error() {} },
  });
  server = createServer(toNodeHandler(fragmentkit, { trustProxy: false }));
  const origin = await listen(server);
  const client = new OpenAI({ apiKey: 'sk-client', baseURL: `${origin}/api/fragmentkit/v1`, maxRetries: 0 });
  return { rig, client, origin };
}

function complete(client: OpenAI, extra: Record<string, unknown> = {}) {
  return client.chat.completions.create({
    model: 'fk-default',
    messages,
    max_tokens: 1000,
    ...extra,
  } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
}

/** Reads a streamed completion with the SDK: the text, every chunk, and the error it ended with, if any. */
async function completeStreaming(client: OpenAI, extra: Record<string, unknown> = {}) {
  const stream = await client.chat.completions.create({
    model: 'fk-default',
    messages,
    max_tokens: 1000,
    stream: true,
    stream_options: { include_usage: true },
    ...extra,
  } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
    return { chunks, text: textOf(chunks), error: undefined };
  } catch (error) {
    if (!(error instanceof OpenAI.APIError)) throw error;
    return { chunks, text: textOf(chunks), error };
  }
}

function textOf(chunks: ChatCompletionChunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
}

async function rejectionOf(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof OpenAI.APIError)) throw new Error(`expected an OpenAI APIError, got ${String(error)}`);
  return error;
}

const openAIUsageOf = (model: string) => {
  const { inputTokens, outputTokens } = usageOf(model);
  return { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
};

describe.each(apis)('the gateway over the %s wire format, with the OpenAI SDK', (api) => {
  it('healthy: answers in full, sends the OpenAI request upstream, and names the model that answered', async () => {
    const { client } = await gateway(api, ['healthy-primary', 'healthy-fallback']);

    const completion = await complete(client, { temperature: 0.2 });

    expect(completion.model).toBe('healthy-primary');
    expect(completion.choices[0]?.message.content).toBe(answerOf('healthy-primary'));
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject(openAIUsageOf('healthy-primary'));
    expect(rig!.fake.requests).toHaveLength(1);
    expect(rig!.fake.requests[0]).toMatchObject({
      system: 'Answer with one bare JSON fragment.',
      messages: [{ role: 'user', content: 'Make a counter' }],
      stream: true,
    });
  });

  it('healthy, streamed: the SDK assembles the whole answer, the finish reason and the usage', async () => {
    const { client } = await gateway(api, ['healthy-primary']);

    const { chunks, text, error } = await completeStreaming(client);

    expect(error).toBeUndefined();
    expect(text).toBe(answerOf('healthy-primary'));
    expect(chunks.every((chunk) => chunk.model === 'healthy-primary')).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.usage).toMatchObject(openAIUsageOf('healthy-primary'));
  });

  it('fault-429-retry-after: retries the same target after Retry-After, on the router’s clock', async () => {
    const { client, rig } = await gateway(api, ['fault-429-retry-after', 'healthy-fallback']);

    const pending = complete(client);
    await timersPending(rig.clock, [1000]);
    expect(rig.fake.requests).toHaveLength(1);
    rig.clock.advance(1000);
    const completion = await pending;

    expect(completion.model).toBe('fault-429-retry-after');
    expect(completion.choices[0]?.message.content).toBe(answerOf('fault-429-retry-after'));
    expect(rig.requestsFor('fault-429-retry-after')).toHaveLength(2);
    expect(rig.requestsFor('healthy-fallback')).toHaveLength(0);
  });

  it('fault-429-persistent: falls back at once, and /health shows the open circuit', async () => {
    const { client, rig, origin } = await gateway(api, ['fault-429-persistent', 'healthy-fallback'], {
      retry: { maxRetryAfterMs: 20_000 },
    });

    const completion = await complete(client);
    const health = (await (await fetch(`${origin}/api/fragmentkit/health`)).json()) as {
      status: string;
      router: { targets: Array<{ id: string; circuit: string }> };
    };

    expect(completion.model).toBe('healthy-fallback');
    expect(health.status).toBe('degraded');
    expect(health.router.targets).toEqual([
      expect.objectContaining({ id: 'fault-429-persistent', circuit: 'open' }),
      expect.objectContaining({ id: 'healthy-fallback', circuit: 'closed' }),
    ]);
    expect(rig.requestsFor('fault-429-persistent')).toHaveLength(1);
  });

  it('fault-500-once: backs off, then the same target answers', async () => {
    const { client, rig } = await gateway(api, ['fault-500-once', 'healthy-fallback']);

    const pending = complete(client);
    await timersPending(rig.clock, [250]);
    rig.clock.advance(250);
    const completion = await pending;

    expect(completion.model).toBe('fault-500-once');
    expect(completion.choices[0]?.message.content).toBe(answerOf('fault-500-once'));
    expect(rig.requestsFor('fault-500-once')).toHaveLength(2);
  });

  it('fault-503-persistent: the request’s allowed fallback answers, with its own usage only', async () => {
    const { client, rig } = await gateway(api, ['fault-503-persistent'], { fallbacks: ['healthy-fallback'] });

    const pending = completeStreaming(client, { fallbacks: ['healthy-fallback'] });
    await timersPending(rig.clock, [250]);
    rig.clock.advance(250);
    const { chunks, text, error } = await pending;

    expect(error).toBeUndefined();
    expect(text).toBe(answerOf('healthy-fallback'));
    expect(chunks[0]?.model).toBe('healthy-fallback');
    expect(chunks.at(-1)?.usage).toMatchObject(openAIUsageOf('healthy-fallback'));
    expect(rig.requestsFor('fault-503-persistent')).toHaveLength(2);
    expect(rig.requestsFor('healthy-fallback')).toHaveLength(1);
  });

  it('fault-no-response: gives up after the header timeout, cancels upstream and falls back', async () => {
    const { client, rig } = await gateway(api, ['fault-no-response', 'healthy-fallback']);

    const pending = complete(client);
    await requestsReceived(rig.fake, 1);
    await timersPending(rig.clock, [10_000, 15_000]);
    rig.clock.advance(10_000);
    const completion = await pending;
    await rig.fake.idle();

    expect(completion.model).toBe('healthy-fallback');
    expect(completion.choices[0]?.message.content).toBe(answerOf('healthy-fallback'));
    expect(rig.requestsFor('fault-no-response')[0]?.aborted).toBe(true);
  });

  it('fault-cut-mid-stream, streamed: ends with an error after the partial text, never a finish and never the fallback glued on', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.stubEnv('OPENAI_LOG', 'off');
    const { client, rig } = await gateway(api, ['fault-cut-mid-stream', 'healthy-fallback']);

    const { chunks, text, error } = await completeStreaming(client);
    await rig.fake.idle();

    expect(error).toMatchObject({ code: 'stream_interrupted', type: 'server_error' });
    expect(text.length).toBeGreaterThan(0);
    expect(answerOf('fault-cut-mid-stream').startsWith(text)).toBe(true);
    expect(text).not.toContain('healthy-fallback');
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
    expect(chunks.every((chunk) => chunk.model === 'fault-cut-mid-stream')).toBe(true);
  });

  it('fault-cut-mid-stream, not streamed: the fallback’s whole answer, and only it', async () => {
    const { client, rig } = await gateway(api, ['fault-cut-mid-stream', 'healthy-fallback']);

    const completion = await complete(client);

    expect(completion.model).toBe('healthy-fallback');
    expect(completion.choices[0]?.message.content).toBe(answerOf('healthy-fallback'));
    expect(completion.usage).toMatchObject(openAIUsageOf('healthy-fallback'));
    expect(rig.requestsFor('fault-cut-mid-stream')).toHaveLength(1);
  });

  it('fault-no-terminal as the only target: a typed error, never a truncated success', async () => {
    const { client } = await gateway(api, ['fault-no-terminal']);

    const error = await rejectionOf(complete(client));
    const streamed = await completeStreaming(client);

    expect(error).toMatchObject({ status: 502, code: 'stream_incomplete', type: 'server_error' });
    expect(streamed.error).toMatchObject({ code: 'stream_incomplete' });
    expect(streamed.chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
  });

  it('fault-context-length: skips the smaller window and answers from the larger one', async () => {
    const { client, rig } = await gateway(api, ['fault-context-length', 'healthy-small', 'healthy-large'], {
      targetOptions: {
        'fault-context-length': { contextWindow: 128_000 },
        'healthy-small': { contextWindow: 32_000 },
        'healthy-large': { contextWindow: 1_000_000 },
      },
    });

    const completion = await complete(client);

    expect(completion.model).toBe('healthy-large');
    expect(completion.choices[0]?.message.content).toBe(answerOf('healthy-large'));
    expect(rig.requestsFor('healthy-small')).toHaveLength(0);
  });

  it('fault-content-policy: an OpenAI-shaped 400 the SDK raises as BadRequestError, with no fallback', async () => {
    const { client, rig } = await gateway(api, ['fault-content-policy', 'healthy-fallback']);

    const error = await rejectionOf(complete(client));

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'content_policy_violation' });
    expect(error.headers?.get('x-should-retry')).toBe('false');
    expect(rig.requestsFor('healthy-fallback')).toHaveLength(0);
  });

  it('everything down: one typed 503 naming every attempt, after a bounded number of requests', async () => {
    const { client, rig } = await gateway(api, ['fault-503-persistent:a', 'fault-503-persistent:b']);

    const pending = rejectionOf(complete(client));
    await timersPending(rig.clock, [250]);
    rig.clock.advance(250);
    await requestsReceived(rig.fake, 3);
    await timersPending(rig.clock, [250]);
    rig.clock.advance(250);
    const error = await pending;

    expect(error).toMatchObject({ status: 503, type: 'server_error', code: 'provider_unavailable' });
    expect(error.message).toContain("task 'generate'");
    expect(error.headers?.get('x-should-retry')).toBe('true');
    expect(rig.fake.requests).toHaveLength(4);
  });
});
