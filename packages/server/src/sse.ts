import type { ChatStreamEvent } from '@fragmentkit/core';

/**
 * One Server-Sent Event as it goes over the wire: chat streams number their events 1, 2, 3…
 * and name each by its chat event type.
 *
 * @example
 * ```ts
 * import type { ServerSentEvent } from '@fragmentkit/server';
 * const event: ServerSentEvent = { id: '2', event: 'usage', data: JSON.stringify(usageEvent) };
 * ```
 */
export interface ServerSentEvent {
  id: string;
  event: string;
  data: string;
}

/** Response headers of an event stream that proxies and compression middleware must not buffer. */
export const eventStreamHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
} as const;

/**
 * Serialises one event; each line of `data` becomes its own `data:` field, as the SSE format
 * requires. An empty `id` is left out, so the client keeps the id of the last event it got.
 */
export function formatServerSentEvent({ id, event, data }: ServerSentEvent): string {
  const dataLines = data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('');
  return `${id === '' ? '' : `id: ${id}\n`}event: ${event}\n${dataLines}\n`;
}

/**
 * The Server-Sent Event of a chat event: `id` is its position in the stream (1, 2, 3…), which
 * a client sends back as `Last-Event-ID` to resume after it.
 */
export function toServerSentEvent(event: ChatStreamEvent, id: number): ServerSentEvent {
  return { id: String(id), event: event.type, data: JSON.stringify(event) };
}

/** Encodes Server-Sent Events as the bytes of an event stream body. */
export function createServerSentEventEncoder(): TransformStream<ServerSentEvent, Uint8Array> {
  const encoder = new TextEncoder();
  return new TransformStream({
    transform(event, controller) {
      controller.enqueue(encoder.encode(formatServerSentEvent(event)));
    },
  });
}
