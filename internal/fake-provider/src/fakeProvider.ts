import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  anthropicErrorBody,
  anthropicMessage,
  anthropicStreamPlan,
  validateAnthropicRequest,
} from './anthropicWire.js';
import {
  chunkText,
  type FakeErrorReply,
  type FakeReply,
  type FakeTextReply,
  isConnectionFault,
  isErrorReply,
  resolveUsage,
} from './fakeReply.js';
import { defaultFragmentReply } from './fragmentReply.js';
import { openAICompletion, openAIErrorBody, openAIStreamPlan, validateOpenAIRequest } from './openaiWire.js';
import { type FakeApi, type RecordedRequest, recordRequest } from './recordedRequest.js';
import { createResponseWriter } from './responseWriter.js';
import type { StreamPlan } from './streamPlan.js';

/**
 * Options for {@link startFakeProvider}.
 *
 * @example
 * ```ts
 * const options: FakeProviderOptions = { chunkDelayMs: 0, respond: () => ({ text: '{"title":"Hi"}' }) };
 * ```
 */
export interface FakeProviderOptions {
  /** Defaults to 0: an ephemeral port. */
  port?: number;
  /** Defaults to `127.0.0.1`. */
  host?: string;
  /** Decides the answer to each request. Defaults to {@link defaultFragmentReply}. */
  respond?: (request: RecordedRequest) => FakeReply | Promise<FakeReply>;
  /** Characters per streamed text delta. Defaults to 12. */
  chunkSize?: number;
  /** Pause before each streamed text delta. Defaults to 5 ms; 0 sends everything at once. */
  chunkDelayMs?: number;
  /**
   * Connections the listening socket queues before accepting them. Defaults to Node's 511;
   * load tests that open a thousand connections at once need more, or some wait for SYN retries.
   */
  backlog?: number;
}

/**
 * A running fake provider.
 *
 * @example
 * ```ts
 * const fake = await startFakeProvider();
 * const model = createAnthropicModel({ apiKey: 'test', model: 'claude-test', baseURL: fake.anthropicBaseURL });
 * // ... use the model ...
 * expect(fake.requests[0]?.system).toContain('fragment');
 * await fake.close();
 * ```
 */
export interface FakeProvider {
  /** e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** Base URL for the Anthropic SDK (which adds `/v1/messages` itself): the same as `url`. */
  anthropicBaseURL: string;
  /** Base URL for the OpenAI SDK: `url + '/v1'`. */
  openaiBaseURL: string;
  /** Every API request received, in order; cleared by {@link FakeProvider.reset}. */
  requests: RecordedRequest[];
  /** Forgets the recorded requests. */
  reset(): void;
  /** Resolves once every response started so far has finished or been abandoned by its client. */
  idle(): Promise<void>;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

const routes: Readonly<Record<string, FakeApi>> = {
  '/v1/messages': 'anthropic',
  '/v1/chat/completions': 'openai',
};
const maxBodyBytes = 32 * 1024 * 1024;

/**
 * Starts a real HTTP server on loopback that speaks the Anthropic Messages API
 * (`POST /v1/messages`) and the OpenAI Chat Completions API (`POST /v1/chat/completions`),
 * streaming and not, in their real wire formats, so the official SDKs and fragmentkit's
 * providers work against it unchanged. It records every request and answers with
 * `options.respond` (by default a deterministic fragment, see {@link defaultFragmentReply}).
 *
 * @example
 * ```ts
 * import { startFakeProvider } from '@fragmentkit/fake-provider';
 *
 * const fake = await startFakeProvider({
 *   respond: () => ({ error: { status: 429, type: 'rate_limit_error', message: 'Slow down', headers: { 'retry-after': '1' } } }),
 * });
 * const response = await fetch(`${fake.openaiBaseURL}/chat/completions`, { method: 'POST', body: '{}' });
 * await fake.close();
 * ```
 */
export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const respond = options.respond ?? defaultFragmentReply;
  const chunkSize = Math.max(1, options.chunkSize ?? 12);
  const chunkDelayMs = Math.max(0, options.chunkDelayMs ?? 5);
  const requests: RecordedRequest[] = [];
  const inFlight = new Set<Promise<void>>();
  let sequence = 0;

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const path = new URL(incoming.url ?? '/', 'http://fake-provider').pathname;
    const api = routes[path];
    if (incoming.method === 'GET' && (path === '/' || path === '/health')) {
      return sendJson(response, 200, { ok: true }, {});
    }
    if (!api) {
      return sendJson(
        response,
        404,
        { type: 'error', error: { type: 'not_found_error', message: `Not found: ${path}` } },
        {},
      );
    }
    if (incoming.method !== 'POST') {
      return sendJson(
        response,
        405,
        { type: 'error', error: { type: 'invalid_request_error', message: 'Use POST.' } },
        {},
      );
    }

    sequence += 1;
    const ids = {
      request: `req_fake_${String(sequence).padStart(6, '0')}`,
      message: api === 'anthropic' ? `msg_fake_${String(sequence).padStart(6, '0')}` : `chatcmpl-fake${sequence}`,
    };
    const rawBody = await readBody(incoming);
    const record = recordRequest(api, path, flattenHeaders(incoming), parseJson(rawBody));
    requests.push(record);
    response.on('close', () => {
      if (!response.writableFinished) record.aborted = true;
    });

    if (rawBody === undefined) {
      const tooLarge = {
        status: 413,
        type: 'request_too_large',
        message: 'Request exceeds the maximum allowed number of bytes.',
      };
      return sendError(response, api, tooLarge, ids.request);
    }
    const invalid = api === 'anthropic' ? validateAnthropicRequest(record) : validateOpenAIRequest(record);
    const reply = invalid ?? (await answer(respond, record));
    if (isErrorReply(reply)) return sendError(response, api, reply.error, ids.request);
    if (isConnectionFault(reply)) {
      if (reply.connection === 'reset') return void response.destroy();
      return void (await createResponseWriter(response).hold());
    }

    const usage = resolveUsage(reply, record);
    if (!record.stream) {
      const body =
        api === 'anthropic'
          ? anthropicMessage(reply, record, usage, ids.message)
          : openAICompletion(reply, record, usage, ids.message);
      return sendJson(response, 200, body, requestIdHeader(api, ids.request));
    }
    const chunks = chunkText(reply.text, chunkSize);
    const plan =
      api === 'anthropic'
        ? anthropicStreamPlan(reply, record, usage, chunks, ids.message)
        : openAIStreamPlan(reply, record, usage, chunks, ids.message);
    await streamReply(response, plan, reply, requestIdHeader(api, ids.request), chunkDelayMs);
  };

  const server = createServer((incoming, response) => {
    const finished = new Promise<void>((resolve) => {
      response.on('close', resolve);
      response.on('finish', resolve);
    });
    inFlight.add(finished);
    void finished.then(() => inFlight.delete(finished));
    handle(incoming, response).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      const message = error instanceof Error ? error.message : String(error);
      sendJson(response, 500, { type: 'error', error: { type: 'api_error', message } }, {});
    });
  });

  // Real provider APIs sit behind load balancers that keep idle connections for about a minute.
  // Node's 5 s default races clients whose event loop is busy: a reused socket that the server
  // has just closed fails the next POST with UND_ERR_SOCKET, which the real APIs do not cause.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', options.backlog ?? 511, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  return {
    url,
    anthropicBaseURL: url,
    openaiBaseURL: `${url}/v1`,
    requests,
    reset() {
      requests.length = 0;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

async function answer(
  respond: NonNullable<FakeProviderOptions['respond']>,
  record: RecordedRequest,
): Promise<FakeReply> {
  try {
    return await respond(record);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { error: { status: 500, type: 'api_error', message: `The fake provider's respond() threw: ${message}` } };
  }
}

async function streamReply(
  response: ServerResponse,
  plan: StreamPlan,
  reply: FakeTextReply,
  headers: Record<string, string>,
  chunkDelayMs: number,
): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...headers,
  });
  response.flushHeaders();
  const writer = createResponseWriter(response);
  const interrupt = reply.interrupt;
  const deltas = interrupt ? plan.deltas.slice(0, Math.max(0, interrupt.afterChunks)) : plan.deltas;
  const ending = !interrupt ? plan.tail : interrupt.kind === 'error' ? plan.errorFrames : [];

  for (const frame of plan.head) {
    if (!(await writer.write(frame))) return;
  }
  if (reply.firstChunkDelayMs !== undefined && !(await writer.hold(reply.firstChunkDelayMs))) return;
  for (const [index, frame] of deltas.entries()) {
    if (chunkDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, chunkDelayMs));
    if (index === reply.malformedChunk?.afterChunks && !(await writer.write(plan.malformedFrame))) return;
    if (!(await writer.write(frame))) return;
  }
  if (interrupt?.kind === 'reset') return writer.drop();
  if (interrupt?.kind === 'stall') return void (await writer.hold());
  for (const frame of ending) {
    if (!(await writer.write(frame))) return;
  }
  writer.end();
}

function sendError(response: ServerResponse, api: FakeApi, error: FakeErrorReply['error'], requestId: string): void {
  const body = api === 'anthropic' ? anthropicErrorBody(error, requestId) : openAIErrorBody(error);
  sendJson(response, error.status, body, { ...requestIdHeader(api, requestId), ...error.headers });
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function requestIdHeader(api: FakeApi, requestId: string): Record<string, string> {
  return api === 'anthropic' ? { 'request-id': requestId } : { 'x-request-id': requestId };
}

/** The body as text, or `undefined` when it is larger than the real APIs accept. */
async function readBody(incoming: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    size += (chunk as Buffer).length;
    if (size <= maxBodyBytes) chunks.push(chunk as Buffer);
  }
  return size > maxBodyBytes ? undefined : Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function flattenHeaders(incoming: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
