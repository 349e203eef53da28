import { FragmentkitError, type Router, type RouterRequest } from '@fragmentkit/core';
import { callerOf } from '../auth/caller.js';
import { parseJsonBody } from '../parseJsonBody.js';
import type { RouteHandler } from '../router.js';
import { eventStreamHeaders } from '../sse.js';
import { chatCompletion } from './chatCompletionFormat.js';
import { chatCompletionRequestSchema, toRouterRequest } from './chatCompletionRequest.js';
import { collectCompletion, createChatCompletionStream } from './chatCompletionStream.js';
import type { GatewayAccounting } from './gatewayAccounting.js';
import type { ResolvedGatewayOptions } from './gatewayOptions.js';
import { openAIErrorBody } from './openAIError.js';

/**
 * What the chat completions route needs from the server.
 *
 * @example
 * ```ts
 * const options: ChatCompletionsRouteOptions = { router, gateway: resolveGatewayOptions(config.gateway), maxBodyBytes: 1_000_000, accounting };
 * ```
 */
export interface ChatCompletionsRouteOptions {
  router: Router;
  gateway: ResolvedGatewayOptions;
  maxBodyBytes: number;
  accounting: GatewayAccounting;
  /** For `created`; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * `POST {basePath}/v1/chat/completions`: the OpenAI Chat Completions API in front of the
 * router, so any OpenAI client gets the router's retries, fallback and circuit breakers and
 * the server's quota. The request's `model` is an alias from `gateway.models` that names a
 * router task; the response's `model` is the model that actually answered. Non-streamed
 * answers survive a mid-answer failure (the fallback's answer is returned whole); streamed
 * ones end with an error chunk instead (see {@link createChatCompletionStream}). A request
 * with `Cache-Control: no-cache` or `no-store` bypasses the router's response cache.
 *
 * @example
 * ```ts
 * const handler = createChatCompletionsRoute({ router, gateway, maxBodyBytes, accounting });
 * const response = await handler(request, context);
 * ```
 */
export function createChatCompletionsRoute(options: ChatCompletionsRouteOptions): RouteHandler {
  const { router, gateway, maxBodyBytes, accounting } = options;
  const now = options.now ?? Date.now;

  return async (request, context) => {
    const body = await parseJsonBody(request, chatCompletionRequestSchema, {
      operation: 'POST /v1/chat/completions',
      maxBytes: maxBodyBytes,
    });
    const task = gateway.models.get(body.model);
    if (task === undefined) {
      const models = [...gateway.models.keys()];
      throw new FragmentkitError(
        'NOT_FOUND',
        `The model '${body.model}' does not exist on this gateway. Use one of: ${models.join(', ')}.`,
        { details: { param: 'model', openAICode: 'model_not_found', models } },
      );
    }
    const fallbacks = body.fallbacks ?? [];
    checkFallbacks(fallbacks, gateway);
    const caller = callerOf(context);
    context.log.annotate({ model: body.model });
    await accounting.check(caller);

    const routed: RouterRequest = {
      ...toRouterRequest(body),
      signal: request.signal,
      subject: { userId: caller.auth.userId, teamId: caller.auth.teamId },
      ...(fallbacks.length > 0 ? { fallbacks } : {}),
      ...(bypassesCache(request) ? { cache: 'bypass' as const } : {}),
    };
    const events = await router.stream(task, routed);
    const identity = { id: `chatcmpl-${context.requestId}`, created: Math.floor(now() / 1000) };

    if (!body.stream) {
      const answer = await collectCompletion(events);
      context.log.annotate({ provider: answer.provider, model: answer.model, usage: answer.usage });
      await accounting.record(caller, context.requestId, answer);
      return Response.json(chatCompletion(identity, answer), { headers: { 'cache-control': 'no-store' } });
    }

    context.log.defer();
    const stream = createChatCompletionStream({
      identity,
      events,
      includeUsage: body.stream_options?.include_usage === true,
      onAnswered: (answered) => accounting.record(caller, context.requestId, answered),
      toErrorBody: (error) => openAIErrorBody(error, context.requestId),
      onEnd: ({ outcome, answered, error }) =>
        context.log.write(200, {
          outcome,
          ...(answered ? { provider: answered.provider, model: answered.model, usage: answered.usage } : {}),
          ...(error ? { errorMessage: error.message } : {}),
        }),
    });
    return new Response(stream, { headers: eventStreamHeaders });
  };
}

function checkFallbacks(fallbacks: readonly string[], gateway: ResolvedGatewayOptions): void {
  const refused = fallbacks.filter((id) => !gateway.fallbacks.has(id));
  const problem =
    refused.length > 0
      ? `names targets this gateway does not allow: ${refused.join(', ')}. Allowed: ${[...gateway.fallbacks].join(', ') || 'none'}.`
      : fallbacks.length > gateway.maxFallbacks
        ? `may name at most ${gateway.maxFallbacks} targets.`
        : undefined;
  if (problem) {
    throw new FragmentkitError('INVALID_REQUEST', `fallbacks ${problem}`, {
      details: { param: 'fallbacks', allowed: [...gateway.fallbacks] },
    });
  }
}

function bypassesCache(request: Request): boolean {
  const directives = (request.headers.get('cache-control') ?? '').toLowerCase();
  return /(?:^|[\s,])no-(?:cache|store)(?:$|[\s,=])/.test(directives);
}
