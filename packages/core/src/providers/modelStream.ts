import { FragmentkitError } from '../errors.js';
import { isProviderReportedError, type ProviderErrorOptions, toProviderError } from './providerErrors.js';
import type { ModelStreamEvent } from './types.js';

type FinishEvent = Extract<ModelStreamEvent, { type: 'finish' }>;

/** Turns one provider's stream chunks into provider-neutral events. */
export interface StreamChunkMapper<Chunk> {
  /** Events for one upstream chunk; a `finish` among them ends the stream. */
  map(chunk: Chunk): ModelStreamEvent[];
  /** Called when upstream ended before a `finish`: returns the `finish`, or throws when the answer is incomplete. */
  end(): FinishEvent;
}

/** Everything {@link createModelStream} needs from a provider. */
export interface ModelStreamSource<Chunk> {
  provider: string;
  /** The SDK's parsed event stream. */
  upstream: AsyncIterable<Chunk>;
  /** Cancels the upstream HTTP request. */
  abortUpstream: () => void;
  mapper: StreamChunkMapper<Chunk>;
  /** The caller's signal: aborting it errors the stream with `ABORTED` at once. */
  signal: AbortSignal | undefined;
  errorOptions: ProviderErrorOptions;
}

/**
 * Wraps an SDK stream in a pull-based Web `ReadableStream` of {@link ModelStreamEvent}s.
 * Upstream is read only when the consumer reads (high-water mark 0), so a slow consumer slows
 * the HTTP read instead of buffering the whole answer. Cancelling the stream or aborting the
 * signal aborts the upstream request. The stream either ends with exactly one `finish` or
 * errors with a {@link FragmentkitError}.
 */
export function createModelStream<Chunk>(source: ModelStreamSource<Chunk>): ReadableStream<ModelStreamEvent> {
  const { provider, mapper, signal } = source;
  const iterator = source.upstream[Symbol.asyncIterator]();
  let settled = false;
  let onAbort: (() => void) | undefined;

  const settle = () => {
    settled = true;
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  };

  return new ReadableStream<ModelStreamEvent>(
    {
      start(controller) {
        onAbort = () => {
          if (settled) return;
          settle();
          source.abortUpstream();
          controller.error(abortedError(provider, signal?.reason));
        };
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        try {
          for (;;) {
            const result = await iterator.next();
            if (settled) return;
            if (result.done) {
              if (signal?.aborted) throw abortedError(provider, signal.reason);
              const finish = mapper.end();
              settle();
              controller.enqueue(finish);
              controller.close();
              return;
            }
            const events = mapper.map(result.value);
            for (const event of events) controller.enqueue(event);
            if (events.some((event) => event.type === 'finish')) {
              settle();
              controller.close();
              // The answer is complete; dropping the rest of the response frees the connection.
              source.abortUpstream();
              return;
            }
            if (events.length > 0) return;
          }
        } catch (error) {
          if (settled) return;
          settle();
          source.abortUpstream();
          controller.error(toStreamError(error, source));
        }
      },
      cancel() {
        settle();
        source.abortUpstream();
      },
    },
    { highWaterMark: 0 },
  );
}

function toStreamError(error: unknown, source: ModelStreamSource<unknown>): FragmentkitError {
  const { provider, signal } = source;
  if (FragmentkitError.isInstance(error)) return error;
  if (signal?.aborted) return abortedError(provider, signal.reason);
  if (error instanceof SyntaxError) {
    return new FragmentkitError(
      'STREAM_INCOMPLETE',
      `${provider} sent a stream chunk that is not valid JSON, so the answer is incomplete. Retry the request.`,
      { isRetryable: true, details: { provider, reason: 'malformed_chunk' }, cause: error },
    );
  }
  if (isProviderReportedError(error)) return toProviderError(error, provider, source.errorOptions);
  return incompleteStreamError(provider, error);
}

/**
 * The error for an answer that stopped before the provider's terminal event.
 *
 * @example
 * ```ts
 * throw incompleteStreamError('anthropic');
 * ```
 */
export function incompleteStreamError(provider: string, cause?: unknown): FragmentkitError {
  return new FragmentkitError(
    'STREAM_INCOMPLETE',
    `The ${provider} stream ended before the answer was complete. Retry the request.`,
    { isRetryable: true, details: { provider }, ...(cause === undefined ? {} : { cause }) },
  );
}

function abortedError(provider: string, reason: unknown): FragmentkitError {
  return new FragmentkitError('ABORTED', `The request to ${provider} was aborted.`, {
    details: { provider },
    ...(reason === undefined ? {} : { cause: reason }),
  });
}

/** A token count from a provider payload, or `undefined` when it is missing or not a number. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
