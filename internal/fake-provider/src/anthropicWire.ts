import type { FakeErrorReply, FakeTextReply, ResolvedUsage } from './fakeReply.js';
import { isObject, type RecordedRequest } from './recordedRequest.js';
import { namedEvent, type StreamPlan } from './streamPlan.js';

/** The Messages API's error body: `{ type: 'error', error: { type, message }, request_id }`. */
export function anthropicErrorBody(error: FakeErrorReply['error'], requestId: string): unknown {
  return { type: 'error', error: { type: error.type, message: error.message }, request_id: requestId };
}

/** The checks the real API makes before it starts answering, so client bugs fail here too. */
export function validateAnthropicRequest(request: RecordedRequest): FakeErrorReply | undefined {
  if (!request.headers['x-api-key'] && !request.headers.authorization) {
    return badRequest(401, 'authentication_error', 'x-api-key header is required');
  }
  if (!request.headers['anthropic-version']) {
    return badRequest(400, 'invalid_request_error', 'anthropic-version: header is required');
  }
  if (!isObject(request.body)) return badRequest(400, 'invalid_request_error', 'There was an error parsing the body');
  if (typeof request.body.model !== 'string') return badRequest(400, 'invalid_request_error', 'model: Field required');
  if (typeof request.body.max_tokens !== 'number') {
    return badRequest(400, 'invalid_request_error', 'max_tokens: Field required');
  }
  if (!Array.isArray(request.body.messages))
    return badRequest(400, 'invalid_request_error', 'messages: Field required');
  return undefined;
}

function badRequest(status: number, type: string, message: string): FakeErrorReply {
  return { error: { status, type, message } };
}

/** A non-streaming `message` object. */
export function anthropicMessage(reply: FakeTextReply, request: RecordedRequest, usage: ResolvedUsage, id: string) {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content: [{ type: 'text', text: reply.text, citations: null }],
    stop_reason: reply.stopReason ?? 'end_turn',
    stop_sequence: null,
    usage: usageOf(usage),
  };
}

/** The event sequence of a streamed message, exactly as the Messages API orders it. */
export function anthropicStreamPlan(
  reply: FakeTextReply,
  request: RecordedRequest,
  usage: ResolvedUsage,
  chunks: string[],
  id: string,
): StreamPlan {
  return {
    head: [
      namedEvent('message_start', {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model: request.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usageOf(usage), output_tokens: 1 },
        },
      }),
      namedEvent('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      }),
      namedEvent('ping', { type: 'ping' }),
    ],
    deltas: chunks.map((text) =>
      namedEvent('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
    ),
    tail: [
      namedEvent('content_block_stop', { type: 'content_block_stop', index: 0 }),
      namedEvent('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: reply.stopReason ?? 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.outputTokens },
      }),
      namedEvent('message_stop', { type: 'message_stop' }),
    ],
    malformedFrame:
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n',
    errorFrames: [
      namedEvent('error', {
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded' },
        request_id: null,
      }),
    ],
  };
}

function usageOf(usage: ResolvedUsage) {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    output_tokens: usage.outputTokens,
    service_tier: 'standard',
  };
}
