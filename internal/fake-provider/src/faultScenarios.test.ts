import { afterEach, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from './fakeProvider.js';
import { createFaultScenarios, type FaultScenarios, type FaultScenariosOptions, faultNames } from './faultScenarios.js';
import type { FakeApi } from './recordedRequest.js';

let fake: FakeProvider | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: FaultScenariosOptions = {}): Promise<{ fake: FakeProvider; faults: FaultScenarios }> {
  const faults = createFaultScenarios({ answer: () => ({ text: 'abcdefghij' }), ...options });
  fake = await startFakeProvider({ chunkDelayMs: 0, chunkSize: 2, respond: faults.respond });
  return { fake, faults };
}

function post(provider: FakeProvider, api: FakeApi, model: string, signal?: AbortSignal): Promise<Response> {
  const anthropic = api === 'anthropic';
  return fetch(anthropic ? `${provider.url}/v1/messages` : `${provider.openaiBaseURL}/chat/completions`, {
    method: 'POST',
    headers: anthropic
      ? { 'content-type': 'application/json', 'x-api-key': 'test', 'anthropic-version': '2023-06-01' }
      : { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: JSON.stringify({
      model,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      ...(anthropic ? {} : { stream_options: { include_usage: true } }),
    }),
    ...(signal ? { signal } : {}),
  });
}

/** The `data:` payloads of an SSE body, in order. */
function dataLines(body: string): string[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice('data: '.length));
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The streamed text deltas of either wire format. */
function deltaTexts(body: string): string[] {
  return dataLines(body)
    .filter(isJson)
    .map((line) => JSON.parse(line))
    .map((payload) => payload.delta?.text ?? payload.choices?.[0]?.delta?.content)
    .filter((text): text is string => typeof text === 'string' && text !== '');
}

/** Reads a body until `done(received)` holds, then aborts the request. */
async function readUntil(response: Response, controller: AbortController, done: (received: string) => boolean) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let received = '';
  while (!done(received)) {
    const result = await reader.read();
    if (result.done) break;
    received += result.value;
  }
  controller.abort();
  return received;
}

const apis: FakeApi[] = ['anthropic', 'openai'];

describe.each(apis)('fault scenarios over the %s wire format', (api) => {
  it('answers healthy models in full, labels included', async () => {
    const { fake } = await start();

    for (const model of ['healthy', 'healthy-primary', 'healthy:b']) {
      const body = await (await post(fake, api, model)).text();
      expect(deltaTexts(body).join('')).toBe('abcdefghij');
      expect(body).toContain(api === 'anthropic' ? 'message_stop' : '[DONE]');
    }
  });

  it('rate limits once with retry-after: 1, then answers', async () => {
    const { fake, faults } = await start();

    const first = await post(fake, api, 'fault-429-retry-after');
    const second = await post(fake, api, 'fault-429-retry-after');

    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(await first.json()).toMatchObject(
      api === 'anthropic' ? { error: { type: 'rate_limit_error' } } : { error: { code: 'rate_limit_exceeded' } },
    );
    expect(second.status).toBe(200);
    expect(deltaTexts(await second.text()).join('')).toBe('abcdefghij');
    expect(faults.requestCount('fault-429-retry-after')).toBe(2);
  });

  it('keeps rate limiting fault-429-persistent with a long retry-after', async () => {
    const { fake } = await start();

    for (let request = 0; request < 3; request += 1) {
      const response = await post(fake, api, 'fault-429-persistent');
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('60');
      await response.body?.cancel();
    }
  });

  it('fails fault-500-once on the first request only, and fault-503-persistent always', async () => {
    const { fake } = await start();

    expect((await post(fake, api, 'fault-500-once')).status).toBe(500);
    expect((await post(fake, api, 'fault-500-once')).status).toBe(200);
    expect((await post(fake, api, 'fault-503-persistent')).status).toBe(503);
    expect((await post(fake, api, 'fault-503-persistent')).status).toBe(503);
  });

  it('resets the connection before any header', async () => {
    const { fake } = await start();

    await expect(post(fake, api, 'fault-reset-before-headers')).rejects.toThrow(TypeError);
    expect(fake.requests).toHaveLength(1);
  });

  it('never answers fault-no-response, until the client gives up', async () => {
    const { fake } = await start();
    const controller = new AbortController();

    const pending = post(fake, api, 'fault-no-response', controller.signal);
    await expect.poll(() => fake.requests.length).toBe(1);
    controller.abort();

    await expect(pending).rejects.toThrow();
    await fake.idle();
    expect(fake.requests[0]?.aborted).toBe(true);
  });

  it('sends headers and opening events, then holds the first delta of fault-slow-first-token', async () => {
    const { fake } = await start();
    const controller = new AbortController();

    const response = await post(fake, api, 'fault-slow-first-token', controller.signal);
    const opening = api === 'anthropic' ? 'event: ping' : '"role":"assistant"';
    const received = await readUntil(response, controller, (text) => text.includes(opening));
    await fake.idle();

    expect(response.status).toBe(200);
    expect(deltaTexts(received)).toEqual([]);
    expect(fake.requests[0]?.aborted).toBe(true);
  });

  it('delivers every delta of fault-slow-first-token once the wait is over', async () => {
    const { fake } = await start({ slowFirstTokenMs: 1 });

    const body = await (await post(fake, api, 'fault-slow-first-token')).text();

    expect(deltaTexts(body).join('')).toBe('abcdefghij');
  });

  it('drops the connection in the middle of fault-cut-mid-stream', async () => {
    const { fake } = await start();
    const response = await post(fake, api, 'fault-cut-mid-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';

    const failure = await (async () => {
      for (;;) {
        const result = await reader.read();
        if (result.done) return undefined;
        received += result.value;
      }
    })().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(TypeError);
    expect(deltaTexts(received)).toEqual(['ab', 'cd']);
  });

  it('stalls fault-stall after two deltas with the connection open', async () => {
    const { fake } = await start();
    const controller = new AbortController();

    const response = await post(fake, api, 'fault-stall', controller.signal);
    const received = await readUntil(response, controller, (text) => deltaTexts(text).length >= 2);
    await fake.idle();

    expect(deltaTexts(received)).toEqual(['ab', 'cd']);
    expect(received).not.toContain(api === 'anthropic' ? 'message_stop' : '[DONE]');
    expect(fake.requests[0]?.aborted).toBe(true);
  });

  it('sends exactly one invalid JSON data line in fault-malformed-chunk, then the rest', async () => {
    const { fake } = await start();

    const body = await (await post(fake, api, 'fault-malformed-chunk')).text();
    const lines = dataLines(body).filter((line) => line !== '[DONE]');

    expect(lines.filter((line) => !isJson(line))).toHaveLength(1);
    expect(lines.findIndex((line) => !isJson(line))).toBeGreaterThan(0);
    expect(deltaTexts(body).join('')).toBe('abcdefghij');
    expect(body).toContain(api === 'anthropic' ? 'message_stop' : '[DONE]');
  });

  it('sends the in-band error event in fault-error-mid-stream', async () => {
    const { fake } = await start();

    const body = await (await post(fake, api, 'fault-error-mid-stream')).text();

    expect(deltaTexts(body)).toEqual(['ab', 'cd']);
    expect(JSON.parse(dataLines(body).at(-1)!)).toMatchObject({ error: { type: expect.any(String) } });
  });

  it('ends fault-no-terminal after every delta without the terminal events', async () => {
    const { fake } = await start();

    const body = await (await post(fake, api, 'fault-no-terminal')).text();

    expect(deltaTexts(body).join('')).toBe('abcdefghij');
    expect(body).not.toContain('message_stop');
    expect(body).not.toContain('[DONE]');
    expect(body).not.toMatch(/"finish_reason":"/);
  });

  it('answers fault-context-length and fault-content-policy with the API’s 400 shapes', async () => {
    const { fake } = await start();

    const context = await post(fake, api, 'fault-context-length');
    const policy = await post(fake, api, 'fault-content-policy');

    expect(context.status).toBe(400);
    expect(policy.status).toBe(400);
    if (api === 'anthropic') {
      expect(await context.json()).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error', message: expect.stringMatching(/^prompt is too long/) },
      });
      expect(await policy.json()).toMatchObject({ error: { message: expect.stringMatching(/content filtering/) } });
    } else {
      expect(await context.json()).toMatchObject({
        error: { code: 'context_length_exceeded', message: expect.stringMatching(/maximum context length/) },
      });
      expect(await policy.json()).toMatchObject({ error: { code: 'content_policy_violation' } });
    }
  });

  it('keeps fault-down-then-up down until setHealthy flips it, and a model can be taken down', async () => {
    const { fake, faults } = await start();

    expect((await post(fake, api, 'fault-down-then-up')).status).toBe(503);
    expect((await post(fake, api, 'fault-down-then-up')).status).toBe(503);
    faults.setHealthy('fault-down-then-up', true);
    expect((await post(fake, api, 'fault-down-then-up')).status).toBe(200);
    faults.setHealthy('healthy', false);
    expect((await post(fake, api, 'healthy')).status).toBe(503);
    expect(faults.requestCount('fault-down-then-up')).toBe(3);
  });

  it('brings fault-down-then-up up by itself after downForRequests requests', async () => {
    const { fake } = await start({ downForRequests: 2 });

    const statuses: number[] = [];
    for (let request = 0; request < 3; request += 1) {
      const response = await post(fake, api, 'fault-down-then-up');
      statuses.push(response.status);
      await response.text();
    }

    expect(statuses).toEqual([503, 503, 200]);
  });

  it('answers an unknown model with the API’s 404', async () => {
    const { fake } = await start();

    const response = await post(fake, api, 'no-such-model');

    expect(response.status).toBe(404);
    expect(JSON.stringify(await response.json())).toContain('no-such-model');
  });
});

describe('faultNames', () => {
  it('are distinct and none is a prefix of another', () => {
    for (const name of faultNames) {
      expect(faultNames.filter((other) => other.startsWith(name))).toEqual([name]);
    }
  });
});
