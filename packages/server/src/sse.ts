import type { ChatStreamEvent } from '@fragmentkit/core';

/** One Server-Sent Event. */
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

/** Serialises one event; each line of `data` becomes its own `data:` field, as the SSE format requires. */
export function formatServerSentEvent({ id, event, data }: ServerSentEvent): string {
  const dataLines = data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('');
  return `id: ${id}\nevent: ${event}\n${dataLines}\n`;
}

/**
 * Encodes chat events as SSE bytes, numbering them 1, 2, 3… so a client can resume with
 * `Last-Event-ID`.
 */
export function createChatEventEncoder(): TransformStream<ChatStreamEvent, Uint8Array> {
  const encoder = new TextEncoder();
  let id = 0;
  return new TransformStream({
    transform(event, controller) {
      id += 1;
      const text = formatServerSentEvent({ id: String(id), event: event.type, data: JSON.stringify(event) });
      controller.enqueue(encoder.encode(text));
    },
  });
}
