import { FragmentkitError } from '../errors.js';
import type { ModelStreamEvent } from '../providers/types.js';
import { detectCanaryLeak } from './canary.js';

/**
 * A stream step that passes a model's events through and errors the stream with
 * `PROMPT_INJECTION_SUSPECTED` as soon as the answer repeats the prompt's canary (see
 * {@link detectCanaryLeak}), so an answer that followed injected instructions never ends in
 * success. Piping the model's stream through it also cancels the model when it trips.
 *
 * The canary is per request, so the part of the answer already streamed gives nothing away.
 *
 * @example
 * ```ts
 * import { buildPrompt, createCanaryLeakGuard } from '@fragmentkit/core';
 *
 * const built = buildPrompt({ input, attachments });
 * const upstream = await model.stream({ system: built.system, messages: built.messages });
 * const guarded = built.canary ? upstream.pipeThrough(createCanaryLeakGuard(built.canary)) : upstream;
 * ```
 */
export function createCanaryLeakGuard(canary: string): TransformStream<ModelStreamEvent, ModelStreamEvent> {
  let answer = '';
  return new TransformStream({
    transform(event, controller) {
      // A router stream may restart on a fallback target: the discarded partial answer no longer counts.
      if ((event as { type: string }).type === 'restart') answer = '';
      if (event.type === 'text-delta') {
        answer += event.text;
        // Only the end of the answer can hold a new leak; separators may stretch the canary a little.
        if (detectCanaryLeak(answer.slice(-(event.text.length + canary.length * 4)), canary)) {
          controller.error(leakError());
          return;
        }
      }
      if (event.type === 'finish' && detectCanaryLeak(answer, canary)) {
        controller.error(leakError());
        return;
      }
      controller.enqueue(event);
    },
  });
}

function leakError(): FragmentkitError {
  return new FragmentkitError(
    'PROMPT_INJECTION_SUSPECTED',
    'The answer repeated a confidential marker from the system prompt, which suggests that attached content told ' +
      'the model to reveal its instructions. The answer was withheld: check the attached code and error output for ' +
      'instructions aimed at the assistant, then try again.',
  );
}
