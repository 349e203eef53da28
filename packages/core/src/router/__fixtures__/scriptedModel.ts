import { FragmentkitError } from '../../errors.js';
import type { LanguageModel, ModelRequest, ModelStreamEvent } from '../../providers/types.js';
import type { Usage } from '../../usage.js';

/** What one call of a scripted model does. */
export type ScriptStep =
  /** `stream()` rejects with this error. */
  | { reject: FragmentkitError }
  /** `stream()` never resolves, until the request is aborted. */
  | { hang: true }
  /**
   * `stream()` resolves and streams these text chunks, then ends as `end` says: `finish`
   * (default), an in-band `error`, `close` without finish, or `hang` until aborted. `hangFirst`
   * holds the first chunk back until aborted.
   */
  | {
      text: string[];
      usage?: Usage;
      end?: 'finish' | 'close' | 'hang' | { error: FragmentkitError };
      hangFirst?: boolean;
    };

export interface ScriptedModel extends LanguageModel {
  /** Every request the model received, signal included. */
  readonly requests: ModelRequest[];
}

/** A model that answers each call with the next step of its script (the last step repeats). */
export function scriptedModel(provider: string, modelId: string, script: ScriptStep[]): ScriptedModel {
  const requests: ModelRequest[] = [];
  return {
    provider,
    modelId,
    requests,
    async stream(request) {
      requests.push(request);
      const step = script[Math.min(requests.length - 1, script.length - 1)];
      if (!step) throw new Error('empty script');
      if ('reject' in step) throw step.reject;
      if ('hang' in step) {
        await untilAborted(request.signal);
        throw aborted(provider);
      }
      return streamOf(provider, step, request.signal);
    },
  };
}

export function answer(...text: string[]): ScriptStep {
  return { text };
}

function streamOf(
  provider: string,
  step: Extract<ScriptStep, { text: string[] }>,
  signal: AbortSignal | undefined,
): ReadableStream<ModelStreamEvent> {
  const chunks = [...step.text];
  const usage = step.usage ?? { inputTokens: 10, outputTokens: chunks.length };
  let first = true;
  return new ReadableStream<ModelStreamEvent>(
    {
      async pull(controller) {
        if (first && step.hangFirst) await untilAborted(signal);
        first = false;
        if (signal?.aborted) return controller.error(aborted(provider));
        const text = chunks.shift();
        if (text !== undefined) return controller.enqueue({ type: 'text-delta', text });
        const end = step.end ?? 'finish';
        if (end === 'finish') {
          controller.enqueue({ type: 'finish', finishReason: 'stop', usage });
          return controller.close();
        }
        if (end === 'close') return controller.close();
        if (end === 'hang') {
          await untilAborted(signal);
          return controller.error(aborted(provider));
        }
        controller.error(end.error);
      },
    },
    { highWaterMark: 0 },
  );
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve();
    else signal?.addEventListener('abort', () => resolve(), { once: true });
  });
}

function aborted(provider: string): FragmentkitError {
  return new FragmentkitError('ABORTED', `The request to ${provider} was aborted.`);
}

export const errors = {
  unavailable: () =>
    new FragmentkitError('PROVIDER_UNAVAILABLE', 'anthropic is unavailable (503)', {
      isRetryable: true,
      statusCode: 503,
    }),
  rateLimited: (retryAfterMs?: number) =>
    new FragmentkitError('PROVIDER_RATE_LIMITED', 'anthropic is rate limiting (429)', {
      isRetryable: true,
      statusCode: 429,
      ...(retryAfterMs === undefined ? {} : { details: { retryAfterMs } }),
    }),
  auth: () => new FragmentkitError('PROVIDER_AUTH', 'anthropic rejected the credentials (401)', { statusCode: 401 }),
  badRequest: (reason?: string) =>
    new FragmentkitError('PROVIDER_BAD_REQUEST', `bad request${reason ? ` (${reason})` : ''}`, {
      statusCode: 400,
      ...(reason ? { details: { reason } } : {}),
    }),
  incomplete: () => new FragmentkitError('STREAM_INCOMPLETE', 'the stream broke off', { isRetryable: true }),
};

/** Reads a stream to its end or its error. */
export async function drain<T>(
  stream: ReadableStream<T>,
): Promise<{ events: T[]; error: FragmentkitError | undefined }> {
  const events: T[] = [];
  const reader = stream.getReader();
  try {
    for (let result = await reader.read(); !result.done; result = await reader.read()) events.push(result.value);
    return { events, error: undefined };
  } catch (error) {
    if (!FragmentkitError.isInstance(error)) throw error;
    return { events, error };
  }
}

/** The rejection of a promise that must reject with a FragmentkitError. */
export async function rejectionOf(promise: Promise<unknown>): Promise<FragmentkitError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!FragmentkitError.isInstance(error)) throw new Error(`expected a FragmentkitError, got ${String(error)}`);
  return error;
}
