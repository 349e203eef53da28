import { type ChatStreamEvent, type ErrorEvent, isTerminalChatEvent } from '@fragmentkit/core';
import { type ServerSentEvent, toServerSentEvent } from '../sse.js';
import type { StreamWriter } from './insuredStreamBuffer.js';
import { clientLeftEvent, notBufferedEvent, unfinishedEvent } from './streamNotices.js';

export interface StreamRelayOptions {
  source: ReadableStream<ChatStreamEvent>;
  /** Where events go for resuming clients; undefined when the stream is not buffered. */
  writer: StreamWriter | undefined;
  /**
   * True: the source is read to its end whatever the client does, and a client that leaves
   * only stops receiving. False: the source is read as the client reads, and a client that
   * leaves (response cancelled or `signal` aborted) cancels it.
   */
  detached: boolean;
  /** The request's signal: the client went away. */
  signal: AbortSignal;
  /** Called once, with every event of the stream, when it has ended; without it, events are not kept. */
  onSettled?: (events: ServerSentEvent[]) => void;
  /** Called when the buffer stopped keeping the stream; `error` is set when it failed. */
  onBufferLost(error: unknown): void;
}

interface Step {
  event: ServerSentEvent;
  final: boolean;
}

/**
 * Numbers chat events 1, 2, 3… and sends each to the client that asked, into the stream
 * buffer for clients that resume, and into the record of the whole stream (`onSettled`). A
 * buffer that fails or fills up never holds up or fails the live answer: it gets a final
 * `STREAM_INCOMPLETE` event instead, so resuming readers stop waiting.
 */
export function relayChatEvents(options: StreamRelayOptions): ReadableStream<ServerSentEvent> {
  const { source, writer, signal } = options;
  const reader = source.getReader();
  const sent: ServerSentEvent[] = [];
  let count = 0;
  let buffering = writer !== undefined;
  let writes = Promise.resolve();
  let settled = false;

  function buffer(event: ServerSentEvent, final: boolean): void {
    if (!writer) return;
    // One write at a time keeps the buffer's order; the live answer does not wait for it.
    writes = writes.then(async () => {
      if (!buffering) return;
      let failure: unknown;
      const kept = await writer.append(event, final).catch((error: unknown) => {
        failure = error;
        return false;
      });
      if (kept) return;
      buffering = false;
      options.onBufferLost(failure);
      if (!final) await writer.append(toServerSentEvent(notBufferedEvent, Number(event.id)), true).catch(() => false);
    });
  }

  function record(chatEvent: ChatStreamEvent): Step {
    count += 1;
    const event = toServerSentEvent(chatEvent, count);
    const final = isTerminalChatEvent(chatEvent);
    if (options.onSettled) sent.push(event);
    buffer(event, final);
    if (final) settle();
    return { event, final };
  }

  function settle(): void {
    settled = true;
    signal.removeEventListener('abort', onClientLeft);
    options.onSettled?.(sent);
  }

  /** Ends the stream for resuming readers and the record when no terminal event will come. */
  function closeUnfinished(errorEvent: ErrorEvent, reason?: unknown): void {
    if (settled) return;
    record(errorEvent);
    reader.cancel(reason).catch(() => {});
  }

  async function next(): Promise<Step | undefined> {
    if (settled) return undefined;
    let result: ReadableStreamReadResult<ChatStreamEvent>;
    try {
      result = await reader.read();
    } catch (error) {
      closeUnfinished(unfinishedEvent, error);
      return undefined;
    }
    // The client may have left while this read waited: what came after does not belong to the stream.
    if (settled) return undefined;
    if (result.done) {
      closeUnfinished(unfinishedEvent);
      return undefined;
    }
    return record(result.value);
  }

  function onClientLeft(): void {
    closeUnfinished(clientLeftEvent, signal.reason);
  }

  if (options.detached) return detachedStream(next);
  if (signal.aborted) onClientLeft();
  else signal.addEventListener('abort', onClientLeft, { once: true });
  let cancelled = false;
  return new ReadableStream<ServerSentEvent>(
    {
      async pull(controller) {
        const step = await next();
        if (cancelled) return;
        if (!step) return controller.close();
        controller.enqueue(step.event);
        if (step.final) controller.close();
      },
      cancel(reason) {
        cancelled = true;
        closeUnfinished(clientLeftEvent, reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads the whole source now; the returned stream gets every event until its reader cancels it. */
function detachedStream(next: () => Promise<Step | undefined>): ReadableStream<ServerSentEvent> {
  let live: ReadableStreamDefaultController<ServerSentEvent> | undefined;
  const stream = new ReadableStream<ServerSentEvent>({
    start(controller) {
      live = controller;
    },
    cancel() {
      live = undefined;
    },
  });
  void (async () => {
    for (let step = await next(); step; step = step.final ? undefined : await next()) live?.enqueue(step.event);
    live?.close();
  })();
  return stream;
}
