import type { FakeErrorReply, FakeTextReply, ResolvedUsage } from './fakeReply.js';
import { isObject, type RecordedRequest } from './recordedRequest.js';
import { dataEvent, type StreamPlan } from './streamPlan.js';

/** Chat Completions' error body: `{ error: { message, type, param, code } }`. */
export function openAIErrorBody(error: FakeErrorReply['error']): unknown {
  return { error: { message: error.message, type: error.type, param: null, code: error.code ?? null } };
}

/** The checks the real API makes before it starts answering, so client bugs fail here too. */
export function validateOpenAIRequest(request: RecordedRequest): FakeErrorReply | undefined {
  if (!request.headers.authorization?.startsWith('Bearer ')) {
    return {
      error: {
        status: 401,
        type: 'invalid_request_error',
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      },
    };
  }
  if (!isObject(request.body)) {
    return {
      error: {
        status: 400,
        type: 'invalid_request_error',
        message: 'We could not parse the JSON body of your request.',
      },
    };
  }
  if (typeof request.body.model !== 'string') {
    return { error: { status: 400, type: 'invalid_request_error', message: 'you must provide a model parameter' } };
  }
  if (!Array.isArray(request.body.messages)) {
    return {
      error: {
        status: 400,
        type: 'invalid_request_error',
        message: "Missing required parameter: 'messages'.",
        code: 'missing_required_parameter',
      },
    };
  }
  return undefined;
}

/** A non-streaming `chat.completion` object. */
export function openAICompletion(reply: FakeTextReply, request: RecordedRequest, usage: ResolvedUsage, id: string) {
  return {
    ...envelope(id, request, 'chat.completion'),
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: finishReason(reply),
      },
    ],
    usage: usageOf(usage),
  };
}

/**
 * The chunk sequence of a streamed completion: a role chunk, content chunks, a chunk with
 * `finish_reason`, then (only with `stream_options.include_usage`) a usage chunk with no
 * choices, then `[DONE]`.
 */
export function openAIStreamPlan(
  reply: FakeTextReply,
  request: RecordedRequest,
  usage: ResolvedUsage,
  chunks: string[],
  id: string,
): StreamPlan {
  const options = isObject(request.body) && isObject(request.body.stream_options) ? request.body.stream_options : {};
  const includeUsage = options.include_usage === true;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    dataEvent({
      ...envelope(id, request, 'chat.completion.chunk'),
      choices,
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    });
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });
  return {
    head: [chunk([choice({ role: 'assistant', content: '', refusal: null })])],
    deltas: chunks.map((content) => chunk([choice({ content })])),
    tail: [
      chunk([choice({}, finishReason(reply))]),
      ...(includeUsage ? [chunk([], { usage: usageOf(usage) })] : []),
      dataEvent('[DONE]'),
    ],
    malformedFrame: `data: {"id":"${id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"cont\n\n`,
    errorFrames: [
      dataEvent({
        error: {
          message: 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          param: null,
          code: null,
        },
      }),
    ],
  };
}

function envelope(id: string, request: RecordedRequest, object: string) {
  return {
    id,
    object,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

function finishReason(reply: FakeTextReply): 'stop' | 'length' {
  return reply.stopReason === 'max_tokens' ? 'length' : 'stop';
}

/** OpenAI counts cached tokens inside `prompt_tokens`. */
function usageOf(usage: ResolvedUsage) {
  const promptTokens = usage.inputTokens + usage.cachedInputTokens;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: promptTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
