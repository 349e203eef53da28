import {
  type ChatStreamEvent,
  createFragmentParser,
  type DoneEvent,
  type ErrorEvent,
  type FinishReason,
  FragmentkitError,
  type MetaEvent,
  toFragmentkitError,
  type Usage,
} from '@fragmentkit/core';
import type { ChatModelEvent } from './chatModel.js';

/** How a chat stream ended: its terminal event, or `undefined` when the client went away first. */
export interface ChatStreamEnd {
  terminal: DoneEvent | ErrorEvent | undefined;
  usage: Usage | undefined;
}

export interface ChatEventStreamOptions {
  meta: MetaEvent;
  /** The model's events; a router's `restart` among them becomes the wire `restart`. */
  upstream: ReadableStream<ChatModelEvent>;
  /** Aborted when the client cancels, so the upstream HTTP call stops costing tokens. */
  upstreamController: AbortController;
  /** Turns an error into the body the client may see. */
  toErrorEvent(error: FragmentkitError): ErrorEvent;
  onEnd(end: ChatStreamEnd): void;
}

/**
 * Turns a model's stream into chat events: `meta`, a `fragment-delta` per changed partial,
 * `usage`, then exactly one `done` or `error`. It pulls from the model only when the client
 * reads, so a slow client slows the upstream read instead of filling memory.
 */
export function createChatEventStream(options: ChatEventStreamOptions): ReadableStream<ChatStreamEvent> {
  const { meta, upstream, upstreamController, toErrorEvent, onEnd } = options;
  const reader = upstream.getReader();
  let parser = createFragmentParser();
  let usage: Usage | undefined;
  let ended = false;

  const end = (controller: ReadableStreamDefaultController<ChatStreamEvent>, terminal: DoneEvent | ErrorEvent) => {
    ended = true;
    controller.enqueue(terminal);
    controller.close();
    // The model may keep its stream open after `finish`; nothing more is read from it.
    reader.cancel().catch(() => {});
    onEnd({ terminal, usage });
  };

  const finish = (finishReason: FinishReason): DoneEvent | ErrorEvent => {
    if (finishReason === 'length') {
      return toErrorEvent(
        new FragmentkitError(
          'OUTPUT_TRUNCATED',
          'The model reached its output token limit before finishing the fragment. Ask for a smaller change or raise the output limit.',
          { details: { finishReason } },
        ),
      );
    }
    try {
      return { type: 'done', fragment: parser.finish(), finishReason };
    } catch (error) {
      return toErrorEvent(toFragmentkitError(error));
    }
  };

  return new ReadableStream<ChatStreamEvent>({
    start(controller) {
      controller.enqueue(meta);
    },
    async pull(controller) {
      try {
        for (;;) {
          const result = await reader.read();
          if (ended) return;
          if (result.done) {
            const error = new FragmentkitError('STREAM_INCOMPLETE', 'The model stream ended without finishing.', {
              isRetryable: true,
            });
            return end(controller, toErrorEvent(error));
          }
          const event = result.value;
          if (event.type === 'text-delta') {
            const partial = parser.push(event.text);
            if (partial) return controller.enqueue({ type: 'fragment-delta', fragment: partial });
          } else if (event.type === 'usage') {
            usage = event.usage;
          } else if (event.type === 'restart') {
            // A fallback starts over: the client discards its partial fragment, and so does the parser.
            parser = createFragmentParser();
            usage = undefined;
            const { reason, provider, model } = event;
            return controller.enqueue({ type: 'restart', reason, provider, model });
          } else {
            usage = event.usage;
            controller.enqueue({ type: 'usage', usage });
            return end(controller, finish(event.finishReason));
          }
        }
      } catch (error) {
        if (!ended) end(controller, toErrorEvent(toFragmentkitError(error)));
      }
    },
    async cancel(reason) {
      if (ended) return;
      ended = true;
      upstreamController.abort(reason);
      await reader.cancel(reason).catch(() => {});
      onEnd({ terminal: undefined, usage });
    },
  });
}
