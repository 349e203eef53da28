import { type BuiltPrompt, FragmentkitError } from '@fragmentkit/core';
import { context as otelContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ChatModel, ChatModelEvent } from '../chatModel.js';
import type { RequestContext } from '../router.js';
import { failSpan, fragmentkitTracer, traceStep } from './requestTracing.js';
import type { ProviderCallRecord } from './serverMetrics.js';

/**
 * Wraps a chat's model so its call is observed: a client span below the request's (with the
 * GenAI semantic-convention attributes) that lasts until the answer ends, the provider call's
 * outcome in the metrics, and the time to the first text and a router's restarts on the
 * request's log line. The model is called inside its span's context, so an instrumented
 * `fetch` nests the HTTP call below it.
 */
export function observeChatModel(model: ChatModel, context: RequestContext): ChatModel {
  const { observation } = context.log;
  return {
    get provider() {
      return model.provider;
    },
    get modelId() {
      return model.modelId;
    },
    async stream(request) {
      const span = fragmentkitTracer().startSpan(
        `chat ${model.modelId}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.system': model.provider,
            'gen_ai.request.model': model.modelId,
          },
        },
        observation.traceContext,
      );
      let ended = false;
      const end = (outcome: ProviderCallRecord['outcome'], error?: unknown) => {
        if (ended) return;
        ended = true;
        // A router names the target that answered only once it has; report that one.
        span.updateName(`chat ${model.modelId}`);
        span.setAttributes({ 'gen_ai.system': model.provider, 'gen_ai.response.model': model.modelId });
        // A client that left is routine, not a failed call.
        if (outcome === 'error') failSpan(span, error);
        if (outcome === 'ok') span.setStatus({ code: SpanStatusCode.OK });
        span.end();
        context.log.annotate({ provider: model.provider, model: model.modelId });
        observation.providerCallEnded({ provider: model.provider, model: model.modelId, outcome });
      };

      let upstream: ReadableStream<ChatModelEvent>;
      try {
        upstream = await otelContext.with(trace.setSpan(observation.traceContext, span), () => model.stream(request));
      } catch (error) {
        end(request.signal?.aborted ? 'aborted' : 'error', error);
        throw error;
      }

      const reader = upstream.getReader();
      let sawText = false;
      return new ReadableStream<ChatModelEvent>(
        {
          async pull(controller) {
            let result: ReadableStreamReadResult<ChatModelEvent>;
            try {
              result = await reader.read();
            } catch (error) {
              end(request.signal?.aborted ? 'aborted' : 'error', error);
              throw error;
            }
            if (result.done) {
              // The chat stream reports the same error to the client.
              end('error', new FragmentkitError('STREAM_INCOMPLETE', 'The model stream ended without finishing.'));
              return controller.close();
            }
            const event = result.value;
            if (event.type === 'text-delta' && !sawText) {
              sawText = true;
              context.log.annotate({ timeToFirstEventMs: Math.round(observation.elapsedMs()) });
              span.addEvent('gen_ai.first_token');
            } else if (event.type === 'restart') {
              span.addEvent('fragmentkit.restart', {
                'fragmentkit.restart.reason': event.reason,
                'fragmentkit.restart.from_target': event.fromTargetId,
                'fragmentkit.restart.to_target': event.targetId,
              });
            } else if (event.type === 'finish') {
              span.setAttributes({
                'gen_ai.usage.input_tokens': event.usage.inputTokens,
                'gen_ai.usage.output_tokens': event.usage.outputTokens,
                'gen_ai.response.finish_reasons': [event.finishReason],
              });
              end('ok');
            }
            controller.enqueue(event);
          },
          async cancel(reason) {
            end('aborted');
            await reader.cancel(reason);
          },
        },
        { highWaterMark: 0 },
      );
    },
  };
}

/** Builds the prompt inside a `fragmentkit.prompt.build` span that records its size. */
export function tracePromptBuild(context: RequestContext, build: () => BuiltPrompt): BuiltPrompt {
  return traceStep(context.log.observation.traceContext, 'fragmentkit.prompt.build', build, ({ report }) => ({
    'fragmentkit.prompt.tokens': report.totalTokens,
    'fragmentkit.prompt.attachments': report.attachments.length,
    'fragmentkit.prompt.tokenizer': report.tokenizer,
  }));
}
