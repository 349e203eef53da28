import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { fragmentSchema } from '../fragment/schema.js';
import type { ChatStreamEvent, ChatStreamEventType, ErrorEvent } from '../wire/chatEvents.js';

const eventTypes: ReadonlySet<ChatStreamEventType> = new Set([
  'meta',
  'fragment-delta',
  'restart',
  'usage',
  'done',
  'error',
]);

/** A partial fragment carries the whole code file, so allow large events but not unbounded growth. */
const maxBufferedCharacters = 16 * 1024 * 1024;

/**
 * Reads a `POST /chat` Server-Sent Events body and calls `onEvent` for each chat event, with
 * the SSE `id` (for `Last-Event-ID`). `onEvent` receives exactly one terminal event (`done` or
 * `error`), always last:
 *
 * - a `data:` that is not a valid chat event becomes an `error` event (`INVALID_STREAM_EVENT`)
 *   instead of a thrown exception;
 * - a body that ends or breaks before a terminal event yields a synthetic `error` event with
 *   code `STREAM_INCOMPLETE`, so a truncated answer never looks like success.
 *
 * Events of unknown types are skipped, so newer servers can add events. Reading stops at the
 * terminal event. When `signal` aborts, the body is cancelled and the promise rejects with the
 * abort reason.
 *
 * @example
 * ```ts
 * import { readChatEvents } from '@fragmentkit/core';
 *
 * const response = await fetch('/api/fragmentkit/chat', { method: 'POST', body });
 * await readChatEvents(response.body!, (event) => {
 *   if (event.type === 'fragment-delta') render(event.fragment);
 *   if (event.type === 'error') showError(event.error.message);
 * });
 * ```
 */
export async function readChatEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: ChatStreamEvent, id: string | undefined) => void,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let terminal = false;

  const emit = (event: ChatStreamEvent, id: string | undefined) => {
    if (terminal) return;
    terminal = event.type === 'done' || event.type === 'error';
    onEvent(event, id);
  };

  const parser = createParser({
    maxBufferSize: maxBufferedCharacters,
    onEvent: (message) => {
      const event = toChatStreamEvent(message);
      if (event) emit(event, message.id);
    },
    onError: (error) => {
      // Unknown fields and bad `retry:` values are ignored, as the SSE standard asks.
      if (error.type === 'max-buffer-size-exceeded') {
        emit(incomplete(`An event exceeded ${maxBufferedCharacters} characters.`), undefined);
      }
    },
  });

  const onAbort = () => {
    reader.cancel(signal?.reason).catch(() => {});
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    while (!terminal) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        signal?.throwIfAborted();
        const reason = error instanceof Error ? error.message : String(error);
        emit(incomplete(`The connection broke before the answer was complete (${reason}).`), undefined);
        break;
      }
      signal?.throwIfAborted();
      if (chunk.done) {
        parser.feed(decoder.decode());
        emit(incomplete('The stream ended before the answer was complete. Try again.'), undefined);
        break;
      }
      parser.feed(decoder.decode(chunk.value, { stream: true }));
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Releases the connection when we stop early (terminal event or abort); a no-op after the end.
    reader.cancel().catch(() => {});
  }
}

function incomplete(message: string): ErrorEvent {
  return { type: 'error', error: { code: 'STREAM_INCOMPLETE', message } };
}

function invalid(message: string, data: string): ErrorEvent {
  return {
    type: 'error',
    error: { code: 'INVALID_STREAM_EVENT', message, details: { data: data.slice(0, 200) } },
  };
}

/** Checks the shape a client relies on; returns `undefined` for event types it does not know. */
function toChatStreamEvent(message: EventSourceMessage): ChatStreamEvent | undefined {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return invalid(`The server sent an event that is not JSON (event "${message.event ?? 'message'}").`, message.data);
  }
  if (!isRecord(data)) return invalid('The server sent an event that is not a JSON object.', message.data);
  const type = typeof data.type === 'string' ? data.type : message.event;
  if (type === undefined || !eventTypes.has(type as ChatStreamEventType)) return undefined;
  const event = { ...data, type } as ChatStreamEvent;

  switch (event.type) {
    case 'fragment-delta':
      return isRecord(event.fragment) ? event : invalid('A fragment-delta event has no fragment.', message.data);
    case 'done': {
      const fragment = fragmentSchema.safeParse(event.fragment);
      if (!fragment.success) {
        return {
          type: 'error',
          error: {
            code: 'INVALID_FRAGMENT',
            message: 'The final fragment does not match the fragment schema.',
            details: { issues: fragment.error.issues },
          },
        };
      }
      return { ...event, fragment: fragment.data };
    }
    case 'error':
      return isRecord(event.error) && typeof event.error.code === 'string' && typeof event.error.message === 'string'
        ? event
        : invalid('An error event has no error code and message.', message.data);
    default:
      return event;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
