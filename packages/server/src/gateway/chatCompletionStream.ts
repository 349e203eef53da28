import { type FinishReason, FragmentkitError, type RouterStreamEvent, toFragmentkitError } from '@fragmentkit/core';
import { type CompletionIdentity, chatCompletionChunk } from './chatCompletionFormat.js';
import type { AnsweredBy } from './gatewayAccounting.js';
import type { OpenAIErrorBody } from './openAIError.js';

/**
 * How a streamed completion ended: `done`, the code of the error it ended with, or `ABORTED`
 * when the client left first.
 *
 * @example
 * ```ts
 * const end: CompletionStreamEnd = { outcome: 'done', answered: { provider: 'openai', model: 'gpt-4o-mini', usage } };
 * ```
 */
export interface CompletionStreamEnd {
  outcome: string;
  answered?: AnsweredBy;
  error?: FragmentkitError;
}

/**
 * Options of {@link createChatCompletionStream}.
 *
 * @example
 * ```ts
 * const options: ChatCompletionStreamOptions = { identity, events, includeUsage: true, onAnswered, onEnd, toErrorBody };
 * ```
 */
export interface ChatCompletionStreamOptions {
  identity: CompletionIdentity;
  /** The router's answer, opening with `start`. */
  events: ReadableStream<RouterStreamEvent>;
  /** `stream_options.include_usage`: send a last chunk with the usage. */
  includeUsage: boolean;
  /** Runs once the answer is complete, before its last chunks go out, e.g. to charge it. Must not throw. */
  onAnswered(answered: AnsweredBy): Promise<void>;
  onEnd(end: CompletionStreamEnd): void;
  toErrorBody(error: FragmentkitError): OpenAIErrorBody;
}

/**
 * A router answer as the OpenAI streaming format (Server-Sent Events of `chat.completion.chunk`
 * objects, then `data: [DONE]`), pulled from the router only as fast as the client reads.
 *
 * A router `restart` cannot be told to an OpenAI client, which would append the fallback's
 * answer to the broken one's partial text. So the stream ends there with an OpenAI-shaped
 * error chunk (code `stream_interrupted`), which OpenAI's SDKs raise as an `APIError`, and the
 * router's fallback is cancelled. Any other failure ends the stream the same way with its own
 * code. A stream that ends without `[DONE]` and a `finish_reason` never passes for a complete
 * answer. (Failures before the first token never reach this point: the router falls back
 * silently and the client only sees the answer that worked.)
 *
 * @example
 * ```ts
 * const body = createChatCompletionStream({ identity, events: await router.stream(task, request), includeUsage, onAnswered, onEnd, toErrorBody });
 * return new Response(body, { headers: eventStreamHeaders });
 * ```
 */
export function createChatCompletionStream(options: ChatCompletionStreamOptions): ReadableStream<Uint8Array> {
  const { identity, includeUsage, onAnswered, onEnd, toErrorBody } = options;
  const reader = options.events.getReader();
  const encoder = new TextEncoder();
  let answering = { provider: '', model: '' };
  let ended = false;

  const send = (controller: ReadableStreamDefaultController<Uint8Array>, data: unknown) =>
    controller.enqueue(encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`));
  const choice = (delta: { role?: 'assistant'; content?: string }, finishReason: FinishReason | null) =>
    chatCompletionChunk(identity, answering.model, { choice: { delta, finishReason }, includeUsage });

  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: FragmentkitError) => {
    ended = true;
    send(controller, toErrorBody(error));
    controller.close();
    reader.cancel(error).catch(() => {});
    onEnd({ outcome: error.code, error });
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          let event: RouterStreamEvent;
          try {
            const result = await reader.read();
            if (ended) return;
            if (result.done) {
              return fail(
                controller,
                new FragmentkitError('STREAM_INCOMPLETE', 'The answer ended without finishing.', { isRetryable: true }),
              );
            }
            event = result.value;
          } catch (error) {
            if (!ended) fail(controller, toFragmentkitError(error));
            return;
          }
          if (event.type === 'start') {
            answering = { provider: event.provider, model: event.model };
            return send(controller, choice({ role: 'assistant', content: '' }, null));
          }
          if (event.type === 'text-delta') {
            if (event.text === '') continue;
            return send(controller, choice({ content: event.text }, null));
          }
          if (event.type === 'restart') return fail(controller, interruptedError(answering.model, event.reason));
          if (event.type === 'finish') {
            const answered = { ...answering, usage: event.usage };
            await onAnswered(answered);
            ended = true;
            send(controller, choice({}, event.finishReason));
            if (includeUsage) send(controller, chatCompletionChunk(identity, answering.model, { usage: event.usage }));
            send(controller, '[DONE]');
            controller.close();
            return onEnd({ outcome: 'done', answered });
          }
        }
      },
      async cancel(reason) {
        if (ended) return;
        ended = true;
        await reader.cancel(reason).catch(() => {});
        onEnd({ outcome: 'ABORTED' });
      },
    },
    { highWaterMark: 0 },
  );
}

function interruptedError(model: string, reason: string): FragmentkitError {
  return new FragmentkitError(
    'STREAM_INCOMPLETE',
    `The answer from ${model} broke off after part of it was sent (${reason}); the partial text is not a complete answer. Send the request again.`,
    { isRetryable: true, details: { reason: 'stream_interrupted', openAICode: 'stream_interrupted' } },
  );
}

/**
 * Reads a router answer to its end for a non-streamed completion. A `restart` is invisible
 * here: the text collected so far is dropped and the fallback's answer is returned whole.
 *
 * @throws FragmentkitError the router's error, or `STREAM_INCOMPLETE` when the answer ends without finishing.
 *
 * @example
 * ```ts
 * const { text, model, usage, finishReason } = await collectCompletion(await router.stream(task, request));
 * ```
 */
export async function collectCompletion(
  events: ReadableStream<RouterStreamEvent>,
): Promise<AnsweredBy & { text: string; finishReason: FinishReason }> {
  const reader = events.getReader();
  let answering = { provider: '', model: '' };
  let text = '';
  for (let result = await reader.read(); !result.done; result = await reader.read()) {
    const event = result.value;
    if (event.type === 'start' || event.type === 'restart') {
      answering = { provider: event.provider, model: event.model };
      text = '';
    } else if (event.type === 'text-delta') {
      text += event.text;
    } else if (event.type === 'finish') {
      return { ...answering, text, usage: event.usage, finishReason: event.finishReason };
    }
  }
  throw new FragmentkitError('STREAM_INCOMPLETE', 'The answer ended without finishing.', { isRetryable: true });
}
