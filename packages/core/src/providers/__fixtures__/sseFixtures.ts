import { readFileSync } from 'node:fs';
import { FragmentkitError } from '../../errors.js';
import type { ModelStreamEvent } from '../types.js';

/** A recorded SSE transcript from this folder. */
export function readFixture(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
}

export interface SseResponseOptions {
  /** Bytes per network chunk: small chunks split events and even UTF-8 sequences, like a real network. */
  chunkSize?: number;
  /** Error the body with this after all text was sent, like a connection reset. */
  failWith?: Error;
  /** Keep the body open after all text was sent, until the request is aborted. */
  holdOpenUntil?: AbortSignal;
}

/** An SSE `Response` whose body arrives in small chunks, as it would over the network. */
export function sseResponse(transcript: string, options: SseResponseOptions = {}): Response {
  const bytes = new TextEncoder().encode(transcript);
  const chunkSize = options.chunkSize ?? 37;
  // Everything is enqueued up front: msw never settles a cancel() on a body still being pulled.
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let offset = 0; offset < bytes.length; offset += chunkSize) {
        controller.enqueue(bytes.slice(offset, offset + chunkSize));
      }
      const hold = options.holdOpenUntil;
      if (options.failWith) controller.error(options.failWith);
      else if (!hold) controller.close();
      else if (hold.aborted) controller.close();
      else hold.addEventListener('abort', () => controller.close(), { once: true });
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
}

/** Reads a model stream to the end. */
export async function readAll(stream: ReadableStream<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const events: ModelStreamEvent[] = [];
  const reader = stream.getReader();
  for (let result = await reader.read(); !result.done; result = await reader.read()) events.push(result.value);
  return events;
}

/** Reads a model stream that must error; returns what arrived before the error and the error. */
export async function readUntilError(
  stream: ReadableStream<ModelStreamEvent>,
): Promise<{ events: ModelStreamEvent[]; error: FragmentkitError }> {
  const events: ModelStreamEvent[] = [];
  const reader = stream.getReader();
  try {
    for (let result = await reader.read(); !result.done; result = await reader.read()) events.push(result.value);
  } catch (error) {
    if (!FragmentkitError.isInstance(error)) throw error;
    return { events, error };
  }
  throw new Error(`The stream ended without an error after ${events.length} events.`);
}

/** The text of all `text-delta` events. */
export function textOf(events: ModelStreamEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
}

/** Awaits the rejection of `promise` and returns its error, failing when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<FragmentkitError> {
  try {
    await promise;
  } catch (error) {
    if (!FragmentkitError.isInstance(error)) throw error;
    return error;
  }
  throw new Error('Expected the promise to reject.');
}
