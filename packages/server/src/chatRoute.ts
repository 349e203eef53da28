import {
  type BuildPromptOptions,
  buildPrompt,
  type ChatLimits,
  type createChatRequestSchema,
  type ErrorEvent,
  type FragmentkitError,
  type MetaEvent,
} from '@fragmentkit/core';
import { type ChatStreamEnd, createChatEventStream } from './chatEventStream.js';
import { publicErrorBody } from './errorResponse.js';
import type { ModelCatalog } from './modelCatalog.js';
import { parseChatRequest } from './parseChatRequest.js';
import type { RequestContext, RouteHandler } from './router.js';
import { createChatEventEncoder, eventStreamHeaders } from './sse.js';

/** The parts of {@link BuildPromptOptions} a host configures once for every request. */
export type PromptSettings = Pick<BuildPromptOptions, 'templates' | 'systemPrompt' | 'tokenizer' | 'attachmentBudget'>;

export interface ChatRouteOptions {
  catalog: ModelCatalog;
  limits: ChatLimits;
  schema: ReturnType<typeof createChatRequestSchema>;
  prompt: PromptSettings;
  generateId: () => string;
}

/**
 * `POST {basePath}/chat`: validates the request, builds the prompt, starts the model and
 * answers with the chat event stream. Everything that can fail before the first byte of the
 * answer fails as a JSON error with its own status; later failures end the stream with `error`.
 */
export function createChatRoute({ catalog, limits, schema, prompt, generateId }: ChatRouteOptions): RouteHandler {
  return async (request, context) => {
    const chat = await parseChatRequest(request, schema, limits);
    const model = catalog.select(chat.model);
    context.log.annotate({ provider: model.provider, model: model.modelId });
    const built = buildPrompt({
      input: chat.input,
      attachments: chat.attachments,
      history: chat.history,
      ...(chat.template ? { template: chat.template } : {}),
      ...prompt,
    });

    // A client that left while the body was read costs nothing yet; do not start the model.
    request.signal.throwIfAborted();
    const upstreamController = new AbortController();
    const onClientAbort = () => upstreamController.abort(request.signal.reason);
    request.signal.addEventListener('abort', onClientAbort, { once: true });
    let upstream: Awaited<ReturnType<typeof model.stream>>;
    try {
      upstream = await model.stream({
        system: built.system,
        messages: built.messages,
        signal: upstreamController.signal,
      });
    } catch (error) {
      request.signal.removeEventListener('abort', onClientAbort);
      throw error;
    }

    const meta: MetaEvent = {
      type: 'meta',
      requestId: context.requestId,
      conversationId: chat.conversationId ?? generateId(),
      provider: model.provider,
      model: model.modelId,
      prompt: built.report,
    };
    const { toErrorEvent, onEnd } = streamOutcome(context, () =>
      request.signal.removeEventListener('abort', onClientAbort),
    );
    context.log.defer();
    const events = createChatEventStream({ meta, upstream, upstreamController, toErrorEvent, onEnd });
    return new Response(events.pipeThrough(createChatEventEncoder()), { headers: eventStreamHeaders });
  };
}

/** Keeps the real error for the log while the client gets its public form. */
function streamOutcome(context: RequestContext, cleanUp: () => void) {
  let lastError: FragmentkitError | undefined;
  return {
    toErrorEvent(error: FragmentkitError): ErrorEvent {
      lastError = error;
      return { type: 'error', error: publicErrorBody(error, context.requestId) };
    },
    onEnd({ terminal, usage }: ChatStreamEnd) {
      cleanUp();
      const outcome = terminal === undefined ? 'ABORTED' : terminal.type === 'done' ? 'done' : terminal.error.code;
      context.log.write(200, {
        outcome,
        usage,
        ...(terminal?.type === 'error' && lastError ? { errorMessage: lastError.message } : {}),
      });
    },
  };
}
