import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createFragmentkit, type FragmentkitConfig } from '../src/fragmentkit.js';
import { createRedisIdempotencyStore } from '../src/idempotency/redisIdempotencyStore.js';
import type { FragmentkitLogger } from '../src/logger.js';
import { toNodeHandler } from '../src/node.js';
import { createRedisStreamBuffer } from '../src/streams/redisStreamBuffer.js';
import { createDeferred } from './deferred.js';
import { close, listen } from './listen.js';
import { collectSse, type ReceivedEvent, readSse } from './readSse.js';
import { finishEvent, fragmentDeltas, sampleFragment } from './sampleFragment.js';
import { createScriptedModel, type ScriptedModel, type ScriptStep } from './scriptedModel.js';
import { describeWithRedis } from './testRedis.js';

const silentLogger: FragmentkitLogger = { info() {}, warn() {}, error() {} };
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

/** Serves fragmentkit from a real Express app on loopback; answers its origin. */
async function serveExpress(model: ScriptedModel, config: Omit<FragmentkitConfig, 'model'> = {}): Promise<string> {
  let ids = 0;
  const fragmentkit = createFragmentkit({ model, generateId: () => `id-${++ids}`, logger: silentLogger, ...config });
  const app = express();
  app.use(express.json());
  app.use('/api/fragmentkit', toNodeHandler(fragmentkit));
  const server = createServer(app);
  servers.push(server);
  return listen(server);
}

function postChat(origin: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${origin}/api/fragmentkit/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ input: 'Make a counter' }),
    signal,
  });
}

function resume(origin: string, requestId: string, lastEventId: string): Promise<Response> {
  return fetch(`${origin}/api/fragmentkit/chat/${requestId}/stream`, { headers: { 'last-event-id': lastEventId } });
}

function gatedScript(gate: Promise<unknown>): ScriptStep[] {
  const deltas = fragmentDeltas();
  return [...deltas.slice(0, 6), { type: 'wait', until: gate }, ...deltas.slice(6), finishEvent];
}

/** Reads `count` events, then drops the TCP connection. */
async function readThenDisconnect(response: Response, count: number, client: AbortController) {
  const events = readSse(response.body!);
  const received: ReceivedEvent[] = [];
  for (let index = 0; index < count; index += 1) received.push((await events.next()).value as ReceivedEvent);
  client.abort();
  await events.return(undefined).catch(() => {});
  return received;
}

/** Reads a resumed stream, opening the model's gate once the first resumed event arrived. */
async function readResumed(response: Response, gate: { resolve(): void }): Promise<ReceivedEvent[]> {
  const events: ReceivedEvent[] = [];
  for await (const event of readSse(response.body!)) {
    events.push(event);
    gate.resolve();
  }
  return events;
}

function expectWholeStream(events: ReceivedEvent[]): void {
  expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index + 1)));
  expect(events[0]?.data.type).toBe('meta');
  expect(events.at(-1)?.data).toEqual({ type: 'done', fragment: sampleFragment, finishReason: 'stop' });
}

describe('resumable streams through Express', () => {
  it('resumes a dropped connection with Last-Event-ID: the two parts make the whole stream, once', async () => {
    const gate = createDeferred();
    const model = createScriptedModel(gatedScript(gate.promise));
    const origin = await serveExpress(model, { streams: { onClientDisconnect: 'continue' } });
    const client = new AbortController();
    const before = await readThenDisconnect(
      await postChat(origin, { 'idempotency-key': 'turn-1' }, client.signal),
      3,
      client,
    );
    const resumed = await resume(origin, 'id-1', before.at(-1)!.id!);
    expect(resumed.status).toBe(200);
    const joined = [...before, ...(await readResumed(resumed, gate))];
    expectWholeStream(joined);

    const replay = await postChat(origin, { 'idempotency-key': 'turn-1' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await collectSse(replay.body!)).toEqual(joined);
    expect(model.requests).toHaveLength(1);
  });

  it("with 'abort', stops the upstream call when the connection drops", async () => {
    const gate = createDeferred();
    const model = createScriptedModel(gatedScript(gate.promise));
    const origin = await serveExpress(model, { streams: { onClientDisconnect: 'abort' } });
    const client = new AbortController();
    await readThenDisconnect(await postChat(origin, {}, client.signal), 2, client);
    await model.aborted;
    expect(model.requests[0]!.signal?.aborted).toBe(true);
    const rest = await collectSse((await resume(origin, 'id-1', '2')).body!);
    expect(rest.at(-1)?.data).toMatchObject({ type: 'error', error: { code: 'ABORTED' } });
  });

  it("with 'continue', finishes the answer after the connection dropped; a later resume gets all of it", async () => {
    const gate = createDeferred();
    const model = createScriptedModel(gatedScript(gate.promise));
    const ended = createDeferred<Record<string, unknown>>();
    const logger: FragmentkitLogger = {
      ...silentLogger,
      info: (fields) => {
        if (fields.route === '/chat') ended.resolve(fields);
      },
    };
    const origin = await serveExpress(model, { logger, streams: { onClientDisconnect: 'continue' } });
    const client = new AbortController();
    await readThenDisconnect(await postChat(origin, {}, client.signal), 2, client);
    gate.resolve();
    expect(await ended.promise).toMatchObject({ outcome: 'done' });
    expect(model.requests[0]!.signal?.aborted).toBe(false);
    expectWholeStream(await collectSse((await resume(origin, 'id-1', '0')).body!));
  });

  it('answers 409 to a retry without Accept: text/event-stream while running, and 422 to another body', async () => {
    const gate = createDeferred();
    const model = createScriptedModel(gatedScript(gate.promise));
    const origin = await serveExpress(model);
    const first = await postChat(origin, { 'idempotency-key': 'k' });
    const reader = readSse(first.body!);
    await reader.next();
    const retry = await fetch(`${origin}/api/fragmentkit/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
      body: JSON.stringify({ input: 'Make a counter' }),
    });
    expect(retry.status).toBe(409);
    expect(await retry.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_IN_FLIGHT' } });
    const other = await fetch(`${origin}/api/fragmentkit/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
      body: JSON.stringify({ input: 'Make a timer' }),
    });
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    gate.resolve();
    for await (const _event of reader);
    expect(model.requests).toHaveLength(1);
  });
});

describeWithRedis('resumable streams across two Express servers sharing Redis', ({ redis, prefix, connect }) => {
  it('resumes on the other server and replays there without a second model call', async () => {
    const streams = prefix();
    const keys = prefix();
    const other = await connect();
    const gate = createDeferred();
    const generating = createScriptedModel(gatedScript(gate.promise));
    const idle = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const shared = (client: typeof redis): Omit<FragmentkitConfig, 'model'> => ({
      streams: { buffer: createRedisStreamBuffer(client, { keyPrefix: streams }), onClientDisconnect: 'continue' },
      idempotency: { store: createRedisIdempotencyStore(client, { keyPrefix: keys }) },
    });
    const first = await serveExpress(generating, shared(redis));
    const second = await serveExpress(idle, shared(other));

    const client = new AbortController();
    const before = await readThenDisconnect(
      await postChat(first, { 'idempotency-key': 'k' }, client.signal),
      3,
      client,
    );
    const resumed = await resume(second, 'id-1', before.at(-1)!.id!);
    expect(resumed.status).toBe(200);
    const joined = [...before, ...(await readResumed(resumed, gate))];
    expectWholeStream(joined);
    expect(await collectSse((await postChat(second, { 'idempotency-key': 'k' })).body!)).toEqual(joined);
    expect(generating.requests).toHaveLength(1);
    expect(idle.requests).toHaveLength(0);
  });
});
