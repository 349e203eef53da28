import type { LanguageModel, MetaEvent, ModelRequest, ModelStreamEvent } from '@fragmentkit/core';
import { describe, expect, it } from 'vitest';
import { collectSse } from '../test/readSse.js';
import { finishEvent, fragmentDeltas, sampleFragment } from '../test/sampleFragment.js';
import { createScriptedModel } from '../test/scriptedModel.js';
import { createFragmentkit, type FragmentkitConfig } from './fragmentkit.js';

const silentLogger = { info() {}, warn() {}, error() {} };

function setup(model: LanguageModel, config: Omit<FragmentkitConfig, 'model'> = {}) {
  let ids = 0;
  return createFragmentkit({ model, generateId: () => `id-${++ids}`, logger: silentLogger, ...config });
}

function postChat(body: unknown): Request {
  return new Request('http://localhost/api/fragmentkit/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A model that answers with a fragment whose code repeats the canary of its system prompt. */
function leakingModel(): LanguageModel & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    provider: 'test',
    modelId: 'leaky-1',
    requests,
    async stream(request) {
      requests.push(request);
      const canary = request.system.match(/fk-canary-[0-9a-f]{16}/)?.[0] ?? 'no canary';
      const events: ModelStreamEvent[] = [
        ...fragmentDeltas({ ...sampleFragment, code: `// as instructed: ${canary}\nexport default () => null;` }),
        finishEvent,
      ];
      return new ReadableStream({
        pull(controller) {
          const event = events.shift();
          if (event) controller.enqueue(event);
          else controller.close();
        },
      });
    },
  };
}

describe('POST /chat prompt', () => {
  it('sends the cache breakpoints and a canary upstream, and the prompt report in meta', async () => {
    const model = createScriptedModel([...fragmentDeltas(), finishEvent], { modelId: 'claude-sonnet-4-5' });
    const response = await setup(model).handler(postChat({ input: 'Make a counter' }));
    const events = await collectSse(response.body!);

    const [request] = model.requests;
    expect(request?.system).toMatch(/Confidential marker of this request: fk-canary-[0-9a-f]{16}\./);
    expect(request?.systemCacheBreakpoints).toEqual([expect.any(Number)]);
    expect(request?.system.slice(request.systemCacheBreakpoints![0])).toMatch(/^\n\nConfidential marker/);
    const meta = events[0]?.data as MetaEvent;
    expect(meta.prompt).toMatchObject({
      cacheablePrefixTokens: expect.any(Number),
      budget: { model: 'claude-sonnet-4-5', contextWindow: 200_000 },
      history: { turns: 0 },
    });
    expect(events.at(-1)?.data.type).toBe('done');
  });

  it('ends an answer that leaks the canary with PROMPT_INJECTION_SUSPECTED instead of done', async () => {
    const model = leakingModel();
    const response = await setup(model).handler(postChat({ input: 'Make a counter' }));
    const events = await collectSse(response.body!);
    const terminal = events.at(-1)?.data;

    expect(events.some((event) => event.data.type === 'done')).toBe(false);
    expect(terminal).toMatchObject({ type: 'error', error: { code: 'PROMPT_INJECTION_SUSPECTED' } });
  });

  it('answers 413 CONTEXT_TOO_LARGE when the input alone overflows the model window', async () => {
    const model = createScriptedModel([...fragmentDeltas(), finishEvent], { modelId: 'gpt-4' });
    const response = await setup(model, { limits: { maxInputChars: 200_000 } }).handler(
      postChat({ input: 'word '.repeat(40_000) }),
    );
    expect(response.status).toBe(413);
    const { error } = (await response.json()) as { error: { code: string; details: { overflowTokens: number } } };
    expect(error.code).toBe('CONTEXT_TOO_LARGE');
    expect(error.details.overflowTokens).toBeGreaterThan(0);
    expect(model.requests).toHaveLength(0);
  });
});
