import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import type { ModelStreamEvent } from '../providers/types.js';
import { createCanaryLeakGuard } from './canaryLeakGuard.js';

const canary = 'fk-canary-0112233445566778';
const usage = { inputTokens: 10, outputTokens: 5 };

async function run(events: ModelStreamEvent[]) {
  let cancelled: unknown;
  let next = 0;
  const source = new ReadableStream<ModelStreamEvent>({
    pull(controller) {
      const event = events[next++];
      if (event) controller.enqueue(event);
      else controller.close();
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const seen: ModelStreamEvent[] = [];
  const reader = source.pipeThrough(createCanaryLeakGuard(canary)).getReader();
  try {
    for (let result = await reader.read(); !result.done; result = await reader.read()) seen.push(result.value);
    return { seen, error: undefined, cancelled };
  } catch (error) {
    // The pipe cancels the source once the guard has errored.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return { seen, error, cancelled };
  }
}

describe('createCanaryLeakGuard', () => {
  it('passes an answer without the canary through untouched', async () => {
    const events: ModelStreamEvent[] = [
      { type: 'text-delta', text: '{"code":"' },
      { type: 'text-delta', text: 'export default 1;"}' },
      { type: 'finish', finishReason: 'stop', usage },
    ];
    expect(await run(events)).toEqual({ seen: events, error: undefined, cancelled: undefined });
  });

  it('errors with PROMPT_INJECTION_SUSPECTED and cancels the model as soon as the canary shows', async () => {
    const { seen, error, cancelled } = await run([
      { type: 'text-delta', text: '{"code":"// marker: fk-canary-01122334' },
      { type: 'text-delta', text: '45566778\\n' },
      { type: 'text-delta', text: 'never reached' },
      { type: 'finish', finishReason: 'stop', usage },
    ]);
    expect(seen).toEqual([{ type: 'text-delta', text: '{"code":"// marker: fk-canary-01122334' }]);
    expect(FragmentkitError.isInstance(error) && error.code).toBe('PROMPT_INJECTION_SUSPECTED');
    expect(cancelled).toBe(error);
  });

  it('catches a canary spelled out across many small deltas before the answer finishes', async () => {
    const spelled = '0 1 1 2 2 3 3 4 4 5 5 6 6 7 7 8'.split('').map((text) => ({ type: 'text-delta' as const, text }));
    const { error } = await run([...spelled, { type: 'finish', finishReason: 'stop', usage }]);
    expect(FragmentkitError.isInstance(error) && error.code).toBe('PROMPT_INJECTION_SUSPECTED');
  });

  it('forgets a discarded partial answer when a fallback restarts the stream', async () => {
    const restart = { type: 'restart', reason: 'PROVIDER_TIMEOUT' } as unknown as ModelStreamEvent;
    const { error } = await run([
      { type: 'text-delta', text: 'fk-canary-01122334' },
      restart,
      { type: 'text-delta', text: '45566778 is a version number' },
      { type: 'finish', finishReason: 'stop', usage },
    ]);
    expect(error).toBeUndefined();
  });
});
