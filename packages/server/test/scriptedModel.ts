import type { LanguageModel, ModelRequest, ModelStreamEvent } from '@fragmentkit/core';
import { createDeferred } from './deferred.js';

/** One step of a scripted answer: an event, a failure mid-stream, or a pause until a promise settles. */
export type ScriptStep =
  | ModelStreamEvent
  | { type: 'fail'; error: unknown }
  | { type: 'wait'; until: Promise<unknown> };

/** A test LanguageModel that plays a script and records what it was asked. */
export interface ScriptedModel extends LanguageModel {
  requests: ModelRequest[];
  /** Resolves when the signal of a request passed to `stream` aborts. */
  aborted: Promise<void>;
}

export interface ScriptedModelOptions {
  provider?: string;
  modelId?: string;
  /** Rejects `stream()` before any event, like a provider answering 401. */
  reject?: unknown;
}

export function createScriptedModel(steps: ScriptStep[], options: ScriptedModelOptions = {}): ScriptedModel {
  const requests: ModelRequest[] = [];
  const aborted = createDeferred();
  return {
    provider: options.provider ?? 'test',
    modelId: options.modelId ?? 'scripted-1',
    requests,
    aborted: aborted.promise,
    async stream(request) {
      requests.push(request);
      if (options.reject !== undefined) throw options.reject;
      const { signal } = request;
      const abortedPromise = new Promise<never>((_, reject) => {
        signal?.addEventListener('abort', () => {
          aborted.resolve();
          reject(new DOMException('The operation was aborted.', 'AbortError'));
        });
      });
      abortedPromise.catch(() => {});
      let index = 0;
      return new ReadableStream<ModelStreamEvent>({
        async pull(controller) {
          // A pull that enqueues nothing is not called again, so waiting steps run inside the loop.
          for (;;) {
            const step = steps[index++];
            if (step === undefined) return controller.close();
            if (step.type === 'fail') return controller.error(step.error);
            if (step.type !== 'wait') return controller.enqueue(step);
            await Promise.race([step.until, abortedPromise]);
          }
        },
      });
    },
  };
}
