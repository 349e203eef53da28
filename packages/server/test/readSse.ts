import type { ChatStreamEvent } from '@fragmentkit/core';
import { EventSourceParserStream } from 'eventsource-parser/stream';

/** One parsed Server-Sent Event with its chat event decoded. */
export interface ReceivedEvent {
  id: string | undefined;
  event: string | undefined;
  data: ChatStreamEvent;
}

/** Iterates the SSE events of a response body as they arrive; returning early cancels the body. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<ReceivedEvent> {
  const decoder = new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
  const reader = body.pipeThrough(decoder).pipeThrough(new EventSourceParserStream()).getReader();
  try {
    for (let result = await reader.read(); !result.done; result = await reader.read()) {
      const message = result.value;
      yield { id: message.id, event: message.event, data: JSON.parse(message.data) as ChatStreamEvent };
    }
  } finally {
    await reader.cancel();
  }
}

/** Reads a whole SSE body. */
export async function collectSse(body: ReadableStream<Uint8Array>): Promise<ReceivedEvent[]> {
  const events: ReceivedEvent[] = [];
  for await (const event of readSse(body)) events.push(event);
  return events;
}
