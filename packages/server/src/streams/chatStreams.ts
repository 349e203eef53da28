import { type ChatRequest, type ChatStreamEvent, FragmentkitError, toFragmentkitError } from '@fragmentkit/core';
import { callerOf } from '../auth/caller.js';
import { errorResponse } from '../errorResponse.js';
import { createFragmentStoreIdempotencyStore } from '../idempotency/fragmentStoreIdempotencyStore.js';
import { answerFromRecord, createIdempotency, type IdempotencyConfig } from '../idempotency/idempotency.js';
import type { IdempotencyRecord } from '../idempotency/idempotencyStore.js';
import { createMemoryIdempotencyStore } from '../idempotency/memoryIdempotencyStore.js';
import type { FragmentkitLogger } from '../logger.js';
import type { RequestContext, RouteHandler } from '../router.js';
import { createServerSentEventEncoder, eventStreamHeaders, type ServerSentEvent } from '../sse.js';
import type { FragmentStore } from '../store/fragmentStore.js';
import type { IdempotentResponse } from '../store/idempotencyKeys.js';
import type { Tenant } from '../store/tenantTransaction.js';
import { followStream } from './followStream.js';
import { createInsuredStreamBuffer } from './insuredStreamBuffer.js';
import { readLastEventId } from './lastEventId.js';
import { createMemoryStreamBuffer } from './memoryStreamBuffer.js';
import type { StreamBuffer } from './streamBuffer.js';
import { relayChatEvents } from './streamRelay.js';

/**
 * How chat streams are kept for clients that resume; see `createFragmentkit`'s `streams`.
 *
 * @example
 * ```ts
 * const streams: StreamsConfig = { buffer: createRedisStreamBuffer(redis), onClientDisconnect: 'continue' };
 * ```
 */
export interface StreamsConfig {
  /** Where events wait for resuming clients. Default `createMemoryStreamBuffer()`. */
  buffer?: StreamBuffer;
  /**
   * What happens to the model call when the client's connection closes before the answer is
   * complete. `'abort'` (default) stops it at once, so nobody pays for tokens no one reads; the
   * stream then ends with an `ABORTED` error for anyone who resumes it. `'continue'` lets it run
   * to the end, detached from the response, into the buffer, so the client can come back
   * (`Last-Event-ID`) and get the whole answer.
   */
  onClientDisconnect?: 'abort' | 'continue';
}

export interface ChatStreamsOptions {
  streams: StreamsConfig | undefined;
  idempotency: IdempotencyConfig | false | undefined;
  /** With a store and no idempotency store of its own, keys live in the store's table. */
  store: FragmentStore | undefined;
  logger: FragmentkitLogger;
}

/** A chat request admitted by its `Idempotency-Key`: answered from an earlier request, or to be run. */
export type ChatAdmission =
  | { answer: Response }
  | {
      answer: undefined;
      /** Claims the key just before the model starts; a response when another request claimed it first. */
      claim(): Promise<Response | undefined>;
      /** Records an error that ended the request after its claim, so a retry with the key gets it again. */
      fail(error: unknown): Promise<void>;
      /** Answers with the events: live to this client, to the buffer for resumes, and into the key's record. */
      respond(events: ReadableStream<ChatStreamEvent>): Promise<Response>;
    };

/** Resumable streams and idempotency of `POST /chat`, plus the resume route. */
export interface ChatStreams {
  /** True when the model call outlives a client that left (`onClientDisconnect: 'continue'`). */
  detached: boolean;
  admit(request: Request, context: RequestContext, chat: ChatRequest): Promise<ChatAdmission>;
  /** `GET {basePath}/chat/:requestId/stream`: the events after `Last-Event-ID` (or `?after=`), then the rest live. */
  resume: RouteHandler;
}

const chatScope = 'POST /chat';

/**
 * Wires resumable streams and `Idempotency-Key`s into the chat route. A request with a key
 * that was used before is answered from it: 422 for another body, a replay (from
 * `Last-Event-ID` on, same ids) once it completed, and while it runs its live stream for
 * clients that read streams (`Accept: text/event-stream` or `Last-Event-ID`), else 409.
 * Requests rejected before the model starts (invalid body, unknown model, quota, ...) never
 * hold their key, so a corrected retry with the same key runs.
 */
export function createChatStreams(options: ChatStreamsOptions): ChatStreams {
  const { logger } = options;
  const policy = options.streams?.onClientDisconnect ?? 'abort';
  if (policy !== 'abort' && policy !== 'continue') {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `streams.onClientDisconnect must be 'abort' or 'continue'; got ${String(policy)}.`,
    );
  }
  const buffer = createInsuredStreamBuffer(options.streams?.buffer ?? createMemoryStreamBuffer(), logger);
  const idempotency =
    options.idempotency === false
      ? undefined
      : createIdempotency({
          store:
            options.idempotency?.store ??
            (options.store
              ? createFragmentStoreIdempotencyStore(options.store.idempotencyKeys)
              : createMemoryIdempotencyStore()),
          ...(options.idempotency?.ttlMs === undefined ? {} : { ttlMs: options.idempotency.ttlMs }),
          logger,
        });

  async function follow(streamId: string, after: number): Promise<Response | undefined> {
    const found = await buffer.find(streamId, after);
    return found ? eventStreamResponse(followStream({ streamId, found, after })) : undefined;
  }

  return {
    detached: policy === 'continue',
    async admit(request, context, chat) {
      const owner = ownerOf(context);
      const ticket = await idempotency?.ticket({
        request,
        owner,
        scope: chatScope,
        body: chat,
        requestId: context.requestId,
      });
      if (!ticket) return runWithoutKey(request, context, owner);
      const after = readLastEventId(request);
      const attach = readsStreams(request)
        ? (record: IdempotencyRecord) => follow(streamIdOf(owner, record.requestId), after)
        : undefined;
      const earlier = await ticket.find();
      if (earlier) return { answer: await answerFromRecord(earlier, ticket, { after, attach }) };

      let complete: ((response: IdempotentResponse) => Promise<void>) | undefined;
      return {
        answer: undefined,
        async claim() {
          const claim = await ticket.claim();
          if (!claim.acquired) return answerFromRecord(claim.record, ticket, { after, attach });
          complete = claim.complete;
          return undefined;
        },
        async fail(error) {
          const failed = errorResponse(toFragmentkitError(error), context.requestId);
          await complete?.({
            status: failed.status,
            headers: { 'content-type': 'application/json' },
            body: await failed.text(),
          });
        },
        respond: (events) => respond(request, context, owner, events, complete),
      };
    },
    async resume(request, context) {
      const requestId = context.params.requestId ?? '';
      const response = await follow(streamIdOf(ownerOf(context), requestId), readLastEventId(request));
      if (response) return response;
      throw new FragmentkitError(
        'NOT_FOUND',
        `No resumable stream for request ${requestId.slice(0, 128)}: it ended a while ago, was never buffered, or is not yours. ` +
          'Send the chat request again with its Idempotency-Key to get the recorded answer.',
      );
    },
  };

  function runWithoutKey(request: Request, context: RequestContext, owner: Tenant): ChatAdmission {
    return {
      answer: undefined,
      claim: async () => undefined,
      fail: async () => {},
      respond: (events) => respond(request, context, owner, events, undefined),
    };
  }

  async function respond(
    request: Request,
    context: RequestContext,
    owner: Tenant,
    events: ReadableStream<ChatStreamEvent>,
    record: ((response: IdempotentResponse) => void) | undefined,
  ): Promise<Response> {
    const writer = await buffer.open(streamIdOf(owner, context.requestId));
    if (!writer) {
      logger.warn(
        { requestId: context.requestId },
        'This chat stream could not be buffered (its request id is taken, or the buffer is full or failing); its client cannot resume it.',
      );
    }
    const relayed = relayChatEvents({
      source: events,
      writer,
      detached: policy === 'continue',
      signal: request.signal,
      ...(record
        ? { onSettled: (sent) => record({ status: 200, headers: { ...eventStreamHeaders }, events: sent }) }
        : {}),
      onBufferLost: (error) =>
        logger.warn(
          { requestId: context.requestId, ...(error === undefined ? {} : { errorMessage: messageOf(error) }) },
          'The stream buffer stopped keeping this chat stream (full, expired or failing); its client cannot resume it past this point.',
        ),
    });
    return eventStreamResponse(relayed);
  }
}

function ownerOf(context: RequestContext): Tenant {
  const { auth } = callerOf(context);
  return { teamId: auth.teamId, userId: auth.userId };
}

/** Streams are per caller: another caller's request id finds nothing. */
function streamIdOf(owner: Tenant, requestId: string): string {
  return [owner.teamId, owner.userId, requestId].map(encodeURIComponent).join(':');
}

function readsStreams(request: Request): boolean {
  return request.headers.has('last-event-id') || (request.headers.get('accept') ?? '').includes('text/event-stream');
}

function eventStreamResponse(events: ReadableStream<ServerSentEvent>): Response {
  return new Response(events.pipeThrough(createServerSentEventEncoder()), { headers: eventStreamHeaders });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
