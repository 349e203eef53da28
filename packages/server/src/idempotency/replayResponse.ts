import type { ServerSentEvent } from '../sse.js';
import { createServerSentEventEncoder } from '../sse.js';
import type { IdempotentResponse } from '../store/idempotencyKeys.js';

/**
 * The recorded response again, marked `Idempotent-Replayed: true`. A recorded stream is sent
 * with its original event ids, from the first event after `after` (the client's `Last-Event-ID`).
 */
export function replayResponse(response: IdempotentResponse, after: number): Response {
  const headers = new Headers(response.headers);
  headers.set('idempotent-replayed', 'true');
  if ('body' in response)
    return new Response(response.body === '' ? null : response.body, { status: response.status, headers });
  const events = response.events.filter((event) => Number(event.id) > after);
  const body = new ReadableStream<ServerSentEvent>({
    start(controller) {
      for (const event of events) controller.enqueue(event);
      controller.close();
    },
  });
  return new Response(body.pipeThrough(createServerSentEventEncoder()), { status: response.status, headers });
}
