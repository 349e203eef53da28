import { createChatSession, type LanguageModel } from '@fragmentkit/core';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createDeferred } from '../../test/deferred.js';
import { collectSse, type ReceivedEvent, readSse } from '../../test/readSse.js';
import { finishEvent, fragmentDeltas, sampleFragment } from '../../test/sampleFragment.js';
import { createScriptedModel, type ScriptStep } from '../../test/scriptedModel.js';
import { describeWithRedis } from '../../test/testRedis.js';
import type { AuthHook } from '../auth/authContext.js';
import { createFragmentkit, type FragmentkitConfig } from '../fragmentkit.js';
import { createMemoryIdempotencyStore } from '../idempotency/memoryIdempotencyStore.js';
import { createRedisIdempotencyStore } from '../idempotency/redisIdempotencyStore.js';
import type { FragmentkitLogger } from '../logger.js';
import { createFakeClock } from '../store/__fixtures__/storeTestData.js';
import { createMemoryStreamBuffer } from './memoryStreamBuffer.js';
import { createRedisStreamBuffer } from './redisStreamBuffer.js';
import type { StreamBuffer } from './streamBuffer.js';

const base = 'http://localhost/api/fragmentkit';
const body = { input: 'Make a counter' };
const silentLogger: FragmentkitLogger = { info() {}, warn() {}, error() {} };

/** Callers by the `x-user` header, so tests can speak as different users. */
const authByHeader: AuthHook = async (request) => {
  const user = request.headers.get('x-user');
  return user ? { userId: user, teamId: 'team-1', roles: ['member'] } : null;
};

function setup(model: LanguageModel, config: Omit<FragmentkitConfig, 'model'> = {}) {
  let ids = 0;
  return createFragmentkit({ model, generateId: () => `id-${++ids}`, logger: silentLogger, ...config });
}

function postChat(headers: Record<string, string> = {}, chatBody: unknown = body, signal?: AbortSignal): Request {
  return new Request(`${base}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(chatBody),
    signal,
  });
}

function resume(requestId: string, headers: Record<string, string> = {}, query = ''): Request {
  return new Request(`${base}/chat/${requestId}/stream${query}`, { headers });
}

/** The fragment as deltas, pausing after `pauseAfter` of them until `gate` opens. */
function gatedScript(gate: Promise<unknown>, pauseAfter = 6): ScriptStep[] {
  const deltas = fragmentDeltas();
  return [...deltas.slice(0, pauseAfter), { type: 'wait', until: gate }, ...deltas.slice(pauseAfter), finishEvent];
}

/** Reads `count` events, then drops the connection: the body is cancelled and the request aborted. */
async function readThenCut(response: Response, count: number, client?: AbortController): Promise<ReceivedEvent[]> {
  const events = readSse(response.body!);
  const received: ReceivedEvent[] = [];
  for (let index = 0; index < count; index += 1) received.push((await events.next()).value as ReceivedEvent);
  await events.return(undefined);
  client?.abort();
  return received;
}

/**
 * The events of an uninterrupted run of the same script, on a fresh instance with the same
 * ids. Each request's system prompt holds a random canary, so prompt token counts are left
 * out of the comparison.
 */
async function uninterruptedEvents(steps: ScriptStep[]): Promise<ReceivedEvent[]> {
  const kit = setup(createScriptedModel(steps.filter((step) => step.type !== 'wait')));
  return withoutPromptReport(await collectSse((await kit.handler(postChat())).body!));
}

function withoutPromptReport(events: ReceivedEvent[]): ReceivedEvent[] {
  return events.map((event) => {
    if (event.data.type !== 'meta') return event;
    const { prompt: _prompt, ...meta } = event.data;
    return { ...event, data: meta as typeof event.data };
  });
}

function expectWholeStream(events: ReceivedEvent[]): void {
  expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index + 1)));
  expect(events[0]?.data.type).toBe('meta');
  expect(events.at(-1)?.data).toEqual({ type: 'done', fragment: sampleFragment, finishReason: 'stop' });
}

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe('resuming a chat stream', () => {
  it('gives a client that lost its connection the rest with Last-Event-ID, with no gap and no duplicate', async () => {
    const gate = createDeferred();
    const steps = gatedScript(gate.promise);
    const model = createScriptedModel(steps);
    const kit = setup(model, { streams: { onClientDisconnect: 'continue' } });
    const client = new AbortController();
    const first = await kit.handler(postChat({ 'idempotency-key': 'turn-1' }, body, client.signal));
    const before = await readThenCut(first, 3, client);
    const meta = before[0]!.data;
    if (meta.type !== 'meta') throw new Error('expected meta first');
    expect(meta.requestId).toBe('id-1');

    const resumed = await kit.handler(resume(meta.requestId, { 'last-event-id': before.at(-1)!.id! }));
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get('content-type')).toContain('text/event-stream');
    const after: ReceivedEvent[] = [];
    for await (const event of readSse(resumed.body!)) {
      after.push(event);
      // The rest arrives live: the model only goes on once the resumed client reads.
      gate.resolve();
    }
    const joined = [...before, ...after];
    expectWholeStream(joined);
    expect(withoutPromptReport(joined)).toEqual(await uninterruptedEvents(steps));
    expect(model.requests).toHaveLength(1);

    // The same key replays exactly what was streamed, without calling the model again.
    const replay = await kit.handler(postChat({ 'idempotency-key': 'turn-1' }));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await collectSse(replay.body!)).toEqual(joined);
    expect(model.requests).toHaveLength(1);
  });

  it('resumes with ?after= when the client cannot send headers', async () => {
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const kit = setup(model);
    const whole = await collectSse((await kit.handler(postChat())).body!);
    const resumed = await collectSse((await kit.handler(resume('id-1', {}, '?after=2'))).body!);
    expect(resumed).toEqual(whole.slice(2));
    // Last-Event-ID wins over a stale ?after=, as EventSource sends it on reconnect.
    const both = await collectSse((await kit.handler(resume('id-1', { 'last-event-id': '4' }, '?after=2'))).body!);
    expect(both).toEqual(whole.slice(4));
  });

  it('attaches a re-sent request with the same Idempotency-Key and Last-Event-ID to the running stream', async () => {
    const gate = createDeferred();
    const steps = gatedScript(gate.promise);
    const model = createScriptedModel(steps);
    const kit = setup(model, { streams: { onClientDisconnect: 'continue' } });
    const before = await readThenCut(await kit.handler(postChat({ 'idempotency-key': 'turn-1' })), 2);

    const again = await kit.handler(
      postChat({ 'idempotency-key': 'turn-1', accept: 'text/event-stream', 'last-event-id': before.at(-1)!.id! }),
    );
    expect(again.status).toBe(200);
    const after: ReceivedEvent[] = [];
    for await (const event of readSse(again.body!)) {
      after.push(event);
      gate.resolve();
    }
    expect(withoutPromptReport([...before, ...after])).toEqual(await uninterruptedEvents(steps));
    expect(model.requests).toHaveLength(1);
  });

  it('answers 404 for a stream it does not have and 400 for a malformed Last-Event-ID', async () => {
    const kit = setup(createScriptedModel([...fragmentDeltas(), finishEvent]));
    const missing = await kit.handler(resume('no-such-request'));
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).message).toContain('Idempotency-Key');
    await collectSse((await kit.handler(postChat())).body!);
    const malformed = await kit.handler(resume('id-1', { 'last-event-id': 'id-1:3' }));
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).code).toBe('INVALID_REQUEST');
  });

  it("does not let one caller resume another caller's stream", async () => {
    const kit = setup(createScriptedModel([...fragmentDeltas(), finishEvent]), { auth: authByHeader });
    await collectSse((await kit.handler(postChat({ 'x-user': 'alice' }))).body!);
    expect((await kit.handler(resume('id-1', { 'x-user': 'bob' }))).status).toBe(404);
    expect((await kit.handler(resume('id-1', { 'x-user': 'alice' }))).status).toBe(200);
  });
});

describe('the browser chat session against the handler', () => {
  /** A fetch into the handler whose first answer breaks after `count` events, like a dropped connection. */
  function breakingFetch(handler: (request: Request) => Promise<Response>, count: number) {
    const urls: string[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      urls.push(String(input));
      const response = await handler(new Request(new URL(String(input), 'http://localhost'), init));
      if (urls.length > 1 || !response.body) return response;
      const reader = response.body.getReader();
      let forwarded = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (forwarded === count) {
            await reader.cancel();
            return controller.error(new TypeError('network error'));
          }
          const chunk = await reader.read();
          forwarded += 1;
          if (chunk.done) return controller.close();
          controller.enqueue(chunk.value);
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    return { fetch, urls };
  }

  it('reconnects with Last-Event-ID after the connection broke and ends with the whole answer', async () => {
    const gate = createDeferred();
    const model = createScriptedModel(gatedScript(gate.promise));
    const kit = setup(model, { streams: { onClientDisconnect: 'continue' } });
    const { fetch, urls } = breakingFetch(kit.handler, 3);
    const session = createChatSession({
      endpoint: '/api/fragmentkit',
      fetch,
      reconnect: { wait: async () => gate.resolve() },
    });
    await session.send('Make a counter');
    expect(session.getSnapshot()).toMatchObject({ status: 'done', fragment: sampleFragment, error: undefined });
    expect(urls).toEqual(['/api/fragmentkit/chat', '/api/fragmentkit/chat/id-1/stream']);
    expect(model.requests).toHaveLength(1);
  });
});

describe("streams.onClientDisconnect: 'abort' and 'continue'", () => {
  it("'abort' (the default) aborts the upstream call when the client leaves and ends the stream with ABORTED", async () => {
    const gate = createDeferred();
    const model = createScriptedModel(gatedScript(gate.promise));
    const kit = setup(model);
    const client = new AbortController();
    const before = await readThenCut(await kit.handler(postChat({}, body, client.signal)), 3, client);
    await model.aborted;
    expect(model.requests[0]!.signal?.aborted).toBe(true);

    const rest = await collectSse((await kit.handler(resume('id-1', { 'last-event-id': '3' }))).body!);
    expect(before.map((event) => event.id)).toEqual(['1', '2', '3']);
    expect(rest.at(-1)?.data).toMatchObject({ type: 'error', error: { code: 'ABORTED' } });
    expect(rest.map((event) => event.data.type)).not.toContain('done');
  });

  it("'continue' finishes the answer after the client left, and a later resume gets all of it", async () => {
    const gate = createDeferred();
    const steps = gatedScript(gate.promise);
    const model = createScriptedModel(steps);
    const ended = createDeferred<Record<string, unknown>>();
    const logger: FragmentkitLogger = {
      ...silentLogger,
      info: (fields) => {
        if (fields.route === '/chat') ended.resolve(fields);
      },
    };
    const kit = setup(model, { logger, streams: { onClientDisconnect: 'continue' } });
    const client = new AbortController();
    await readThenCut(await kit.handler(postChat({}, body, client.signal)), 2, client);
    gate.resolve();
    expect(await ended.promise).toMatchObject({ outcome: 'done' });
    expect(model.requests[0]!.signal?.aborted).toBe(false);

    const all = await collectSse((await kit.handler(resume('id-1'))).body!);
    expectWholeStream(all);
    expect(withoutPromptReport(all)).toEqual(await uninterruptedEvents(steps));
  });

  it('rejects an unknown policy when the handler is created', () => {
    expect(() =>
      setup(createScriptedModel([]), { streams: { onClientDisconnect: 'pause' as unknown as 'abort' } }),
    ).toThrow(/onClientDisconnect/);
  });
});

describe('Idempotency-Key on POST /chat', () => {
  it('replays a completed stream with the same ids, from Last-Event-ID on, without calling the model again', async () => {
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const kit = setup(model);
    const original = await collectSse((await kit.handler(postChat({ 'idempotency-key': 'k' }))).body!);
    const replay = await kit.handler(postChat({ 'idempotency-key': 'k' }));
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await collectSse(replay.body!)).toEqual(original);
    const tail = await collectSse(
      (await kit.handler(postChat({ 'idempotency-key': 'k', 'last-event-id': '3' }))).body!,
    );
    expect(tail).toEqual(original.slice(3));
    expect(model.requests).toHaveLength(1);
  });

  it('answers 409 IDEMPOTENCY_IN_FLIGHT to a client that does not read streams while the first request runs', async () => {
    const gate = createDeferred();
    const model = createScriptedModel(gatedScript(gate.promise));
    const kit = setup(model);
    const first = await kit.handler(postChat({ 'idempotency-key': 'k' }));
    const reader = readSse(first.body!);
    await reader.next();
    const second = await kit.handler(postChat({ 'idempotency-key': 'k' }));
    expect(second.status).toBe(409);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await errorOf(second)).toMatchObject({ code: 'IDEMPOTENCY_IN_FLIGHT' });
    gate.resolve();
    for await (const _event of reader);
    expect(model.requests).toHaveLength(1);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED to the same key with another body, running or completed', async () => {
    const gate = createDeferred();
    const model = createScriptedModel(gatedScript(gate.promise));
    const kit = setup(model);
    const first = await kit.handler(postChat({ 'idempotency-key': 'k' }));
    const running = await kit.handler(postChat({ 'idempotency-key': 'k' }, { input: 'Make a timer' }));
    expect(running.status).toBe(422);
    expect(await errorOf(running)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    gate.resolve();
    await collectSse(first.body!);
    const completed = await kit.handler(postChat({ 'idempotency-key': 'k' }, { input: 'Make a timer' }));
    expect(completed.status).toBe(422);
    // Key order and spacing do not make a body different.
    const sameBody = new Request(`${base}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
      body: '{ "attachments": [],   "input": "Make a counter" }',
    });
    expect((await kit.handler(sameBody)).headers.get('idempotent-replayed')).toBe('true');
    expect(model.requests).toHaveLength(1);
  });

  it('keeps keys per caller: the same key from another caller is another request', async () => {
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const kit = setup(model, { auth: authByHeader });
    const alice = await collectSse((await kit.handler(postChat({ 'idempotency-key': 'k', 'x-user': 'alice' }))).body!);
    const bob = await kit.handler(postChat({ 'idempotency-key': 'k', 'x-user': 'bob' }));
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    const bobEvents = await collectSse(bob.body!);
    expect(model.requests).toHaveLength(2);
    expect(bobEvents[0]?.data).toMatchObject({ type: 'meta', requestId: 'id-3' });
    const aliceAgain = await kit.handler(postChat({ 'idempotency-key': 'k', 'x-user': 'alice' }));
    expect(await collectSse(aliceAgain.body!)).toEqual(alice);
    expect(model.requests).toHaveLength(2);
  });

  it('forgets a key after its TTL on the idempotency clock, so the request runs again', async () => {
    const clock = createFakeClock();
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const kit = setup(model, { idempotency: { store: createMemoryIdempotencyStore({ clock }), ttlMs: 3_600_000 } });
    await collectSse((await kit.handler(postChat({ 'idempotency-key': 'k' }))).body!);
    clock.advance(3_600_000 - 1);
    expect((await kit.handler(postChat({ 'idempotency-key': 'k' }))).headers.get('idempotent-replayed')).toBe('true');
    clock.advance(1);
    const fresh = await kit.handler(postChat({ 'idempotency-key': 'k' }));
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
    await collectSse(fresh.body!);
    expect(model.requests).toHaveLength(2);
  });

  it('does not hold the key for a request rejected before the model starts, so a corrected retry runs', async () => {
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const kit = setup(model);
    const invalid = await kit.handler(postChat({ 'idempotency-key': 'k' }, { input: '   ' }));
    expect(invalid.status).toBe(400);
    const unknownModel = await kit.handler(postChat({ 'idempotency-key': 'k' }, { ...body, model: 'gpt-9' }));
    expect(unknownModel.status).toBe(400);
    const corrected = await kit.handler(postChat({ 'idempotency-key': 'k' }));
    expect(corrected.status).toBe(200);
    expectWholeStream(await collectSse(corrected.body!));
    expect(model.requests).toHaveLength(1);
  });

  it('records an error that ended the request after the model was called, and replays it', async () => {
    const rejecting = createScriptedModel([], { reject: new Error('provider exploded') });
    const kit = setup(rejecting);
    const first = await kit.handler(postChat({ 'idempotency-key': 'k' }));
    expect(first.status).toBe(500);
    const again = await kit.handler(postChat({ 'idempotency-key': 'k' }));
    expect(again.status).toBe(500);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await errorOf(again)).toEqual(await errorOf(first));
    expect(rejecting.requests).toHaveLength(1);
  });

  it('answers 400 to a malformed key and ignores keys when idempotency is off', async () => {
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const malformed = await setup(model).handler(postChat({ 'idempotency-key': 'k'.repeat(256) }));
    expect(malformed.status).toBe(400);
    const off = setup(model, { idempotency: false });
    await collectSse((await off.handler(postChat({ 'idempotency-key': 'k' }))).body!);
    await collectSse((await off.handler(postChat({ 'idempotency-key': 'k' }))).body!);
    expect(model.requests).toHaveLength(2);
  });
});

describe('when Redis is down', () => {
  it('answers chats anyway, buffering and keeping keys in memory with a warning', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    down.on('error', () => {});
    const warnings: string[] = [];
    const logger: FragmentkitLogger = { ...silentLogger, warn: (_fields, message) => warnings.push(message ?? '') };
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const kit = setup(model, {
      logger,
      streams: { buffer: createRedisStreamBuffer(down) },
      idempotency: { store: createRedisIdempotencyStore(down) },
    });
    const events = await collectSse((await kit.handler(postChat({ 'idempotency-key': 'k' }))).body!);
    expectWholeStream(events);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/idempotency store failed/),
        expect.stringMatching(/stream buffer failed/),
      ]),
    );
    // This instance can still resume and replay it.
    expect(await collectSse((await kit.handler(resume('id-1', { 'last-event-id': '2' }))).body!)).toEqual(
      events.slice(2),
    );
    expect(await collectSse((await kit.handler(postChat({ 'idempotency-key': 'k' }))).body!)).toEqual(events);
    expect(model.requests).toHaveLength(1);
    down.disconnect();
  });
});

describe('when the stream buffer fails midway', () => {
  it('finishes the live answer, warns, and ends the buffered stream with STREAM_INCOMPLETE for resumers', async () => {
    const memory = createMemoryStreamBuffer();
    let appends = 0;
    // Keeps three events, then fails like a Redis that went away (the final marker still lands in memory).
    const failing: StreamBuffer = {
      ...memory,
      append: async (streamId, event, final) => {
        appends += 1;
        if (appends === 4) throw new Error('READONLY You cannot write against a read only replica.');
        return memory.append(streamId, event, final);
      },
    };
    const warnings: Record<string, unknown>[] = [];
    const logger: FragmentkitLogger = { ...silentLogger, warn: (fields) => warnings.push(fields) };
    const kit = setup(createScriptedModel([...fragmentDeltas(), finishEvent]), {
      logger,
      streams: { buffer: failing },
    });
    const live = await collectSse((await kit.handler(postChat())).body!);
    expectWholeStream(live);
    expect(warnings).toEqual([
      expect.objectContaining({ requestId: 'id-1', errorMessage: expect.stringContaining('READONLY') }),
    ]);

    const resumed = await collectSse((await kit.handler(resume('id-1', { 'last-event-id': '1' }))).body!);
    expect(resumed.slice(0, 2)).toEqual(live.slice(1, 3));
    expect(resumed.at(-1)).toMatchObject({ id: '4', data: { type: 'error', error: { code: 'STREAM_INCOMPLETE' } } });
  });
});

describeWithRedis('several instances sharing Redis', ({ redis, prefix, connect }) => {
  async function twoInstances(steps: ScriptStep[], shareStreams = true) {
    const streamPrefix = prefix();
    const keyPrefix = prefix();
    const other = await connect();
    const instance = (client: Redis, model: LanguageModel) =>
      setup(model, {
        streams: {
          onClientDisconnect: 'continue',
          ...(shareStreams ? { buffer: createRedisStreamBuffer(client, { keyPrefix: streamPrefix }) } : {}),
        },
        idempotency: { store: createRedisIdempotencyStore(client, { keyPrefix }) },
      });
    const generating = createScriptedModel(steps);
    const idle = createScriptedModel(steps);
    return { a: instance(redis, generating), b: instance(other, idle), generating, idle };
  }

  it('resumes on another instance than the one generating the answer', async () => {
    const gate = createDeferred();
    const steps = gatedScript(gate.promise);
    const { a, b, generating, idle } = await twoInstances(steps);
    const before = await readThenCut(await a.handler(postChat({ 'idempotency-key': 'k' })), 3);
    const resumed = await b.handler(resume('id-1', { 'last-event-id': '3' }));
    expect(resumed.status).toBe(200);
    const after: ReceivedEvent[] = [];
    for await (const event of readSse(resumed.body!)) {
      after.push(event);
      gate.resolve();
    }
    expect(withoutPromptReport([...before, ...after])).toEqual(await uninterruptedEvents(steps));
    // The other instance replays it from the shared key without a model call of its own.
    expect(await collectSse((await b.handler(postChat({ 'idempotency-key': 'k' }))).body!)).toEqual([
      ...before,
      ...after,
    ]);
    expect(generating.requests).toHaveLength(1);
    expect(idle.requests).toHaveLength(0);
  });

  it('attaches a re-sent request on another instance to the running stream', async () => {
    const gate = createDeferred();
    const steps = gatedScript(gate.promise);
    const { a, b, idle } = await twoInstances(steps);
    const before = await readThenCut(await a.handler(postChat({ 'idempotency-key': 'k' })), 2);
    const again = await b.handler(
      postChat({ 'idempotency-key': 'k', accept: 'text/event-stream', 'last-event-id': '2' }),
    );
    const after: ReceivedEvent[] = [];
    for await (const event of readSse(again.body!)) {
      after.push(event);
      gate.resolve();
    }
    expect(withoutPromptReport([...before, ...after])).toEqual(await uninterruptedEvents(steps));
    expect(idle.requests).toHaveLength(0);
  });

  it('answers 409 on an instance that shares the keys but cannot see the running stream', async () => {
    const gate = createDeferred();
    const { a, b, idle } = await twoInstances(gatedScript(gate.promise), false);
    const first = await a.handler(postChat({ 'idempotency-key': 'k' }));
    const reader = readSse(first.body!);
    await reader.next();
    const again = await b.handler(postChat({ 'idempotency-key': 'k', accept: 'text/event-stream' }));
    expect(again.status).toBe(409);
    gate.resolve();
    for await (const _event of reader);
    expect(idle.requests).toHaveLength(0);
  });
});
