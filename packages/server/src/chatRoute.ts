import {
  type BuildPromptOptions,
  buildPrompt,
  type ChatLimits,
  createCanaryLeakGuard,
  type createChatRequestSchema,
  type ErrorEvent,
  type FragmentkitError,
  type MetaEvent,
} from '@fragmentkit/core';
import { type ChatStreamEnd, createChatEventStream } from './chatEventStream.js';
import type { ChatTurns } from './chatTurn.js';
import { publicErrorBody } from './errorResponse.js';
import type { ModelCatalog } from './modelCatalog.js';
import { observeChatModel, tracePromptBuild } from './observability/observedChatModel.js';
import { parseChatRequest } from './parseChatRequest.js';
import type { RequestContext, RouteHandler } from './router.js';
import type { ChatStreams } from './streams/chatStreams.js';

/** The parts of {@link BuildPromptOptions} a host configures once for every request. */
export type PromptSettings = Pick<BuildPromptOptions, 'templates' | 'systemPrompt' | 'tokenizer' | 'attachmentBudget'>;

export interface ChatRouteOptions {
  catalog: ModelCatalog;
  limits: ChatLimits;
  schema: ReturnType<typeof createChatRequestSchema>;
  prompt: PromptSettings;
  /** Quota, stored conversation and history, usage and audit of each chat. */
  turns: ChatTurns;
  /** Idempotency-Key handling and the resumable event stream of each chat. */
  streams: ChatStreams;
}

/**
 * `POST {basePath}/chat`: validates the request, builds the prompt, starts the model and
 * answers with the chat event stream. Everything that can fail before the first byte of the
 * answer fails as a JSON error with its own status; later failures end the stream with `error`.
 */
export function createChatRoute({ catalog, limits, schema, prompt, turns, streams }: ChatRouteOptions): RouteHandler {
  return async (request, context) => {
    const chat = await parseChatRequest(request, schema, limits);
    // A retry of an earlier request is answered from it before anything else is checked or charged.
    const admission = await streams.admit(request, context, chat);
    if (admission.answer) return admission.answer;
    const model = observeChatModel(catalog.select(chat.model, context.caller), context);
    context.log.annotate({ provider: model.provider, model: model.modelId });
    const turn = await turns.prepare(chat, model, context);
    const built = tracePromptBuild(context, () =>
      buildPrompt({
        input: chat.input,
        attachments: chat.attachments,
        history: turn.history,
        // The model's context window bounds the prompt, and the report in `meta` says how.
        model: model.modelId,
        ...(chat.template ? { template: chat.template } : {}),
        ...prompt,
      }),
    );

    // A client that left while the body was read costs nothing yet; do not start the model.
    request.signal.throwIfAborted();
    const claimed = await admission.claim();
    if (claimed) return claimed;
    const upstreamController = new AbortController();
    const onClientAbort = () => upstreamController.abort(request.signal.reason);
    // A detached stream keeps generating for a client that comes back to resume it.
    if (!streams.detached) request.signal.addEventListener('abort', onClientAbort, { once: true });
    let upstream: Awaited<ReturnType<typeof model.stream>>;
    let conversationId: string;
    try {
      conversationId = await turn.open();
      upstream = await model.stream({
        system: built.system,
        systemCacheBreakpoints: built.systemCacheBreakpoints,
        messages: built.messages,
        signal: upstreamController.signal,
      });
      // An answer that repeats the prompt's canary ends in a PROMPT_INJECTION_SUSPECTED error, not in `done`.
      if (built.canary) upstream = upstream.pipeThrough(createCanaryLeakGuard(built.canary));
    } catch (error) {
      request.signal.removeEventListener('abort', onClientAbort);
      turn.fail(error);
      await admission.fail(error);
      throw error;
    }

    const meta: MetaEvent = {
      type: 'meta',
      requestId: context.requestId,
      conversationId,
      provider: model.provider,
      model: model.modelId,
      prompt: built.report,
    };
    const { toErrorEvent, onEnd } = streamOutcome(context, () =>
      request.signal.removeEventListener('abort', onClientAbort),
    );
    context.log.defer();
    const events = createChatEventStream({
      meta,
      upstream,
      upstreamController,
      toErrorEvent,
      onEnd: (end) => {
        // A router's model names the target that answered (the last to take over) only now.
        context.log.annotate({ provider: model.provider, model: model.modelId });
        onEnd(end);
        turn.finish(end);
      },
    });
    const answered = events.pipeThrough(turn.holdTerminalEvent());
    return admission.respond(answered);
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
