import { describe, expect, it, vi } from 'vitest';
import { FragmentkitError } from '../errors.js';
import type { TokenCountRequest } from '../tokens/inputTokenCounter.js';
import { createContextEngine } from './contextEngine.js';
import type { ConversationTurn } from './conversationTurn.js';
import { summarizeTurnsWithoutModel } from './deterministicSummary.js';
import { createMemorySummaryCache } from './summaryCache.js';
import type { SummarizeRequest } from './summaryRequest.js';

function conversation(length: number): ConversationTurn[] {
  return Array.from({ length }, (_, index) => ({
    input: `Edit ${index + 1}`,
    fragment: { title: `Counter ${index + 1}`, file_path: 'App.tsx', code: `export const step = ${index + 1};` },
  }));
}

/** A summariser that records what it was asked and answers with the turn numbers it has seen. */
function recordingSummarizer() {
  const requests: SummarizeRequest[] = [];
  const summarize = vi.fn(async (request: SummarizeRequest) => {
    requests.push(request);
    const numbers = request.turns.map((_, index) => request.firstTurnNumber + index).join(',');
    return request.previousSummary ? `${request.previousSummary}+${numbers}` : `turns ${numbers}`;
  });
  return { summarize, requests };
}

const summaryIn = (system: string) => system.match(/```text\n([^`]*)\n```/)?.[1];

describe('createContextEngine', () => {
  it('summarises the older turns with the model and caches the summary per conversation', async () => {
    const { summarize, requests } = recordingSummarizer();
    const engine = createContextEngine({ summarize });
    const built = await engine.prepare({
      input: 'Next',
      history: conversation(7),
      keepTurns: 5,
      conversationId: 'c1',
      canary: false,
    });

    expect(summarize).toHaveBeenCalledTimes(1);
    expect(requests[0]).toMatchObject({ firstTurnNumber: 1, turns: [{ input: 'Edit 1' }, { input: 'Edit 2' }] });
    expect(requests[0]).not.toHaveProperty('previousSummary');
    expect(summaryIn(built.system)).toBe('turns 1,2');
    expect(built.summarySource).toBe('model');
    expect(built.report.history).toMatchObject({ summarizedTurns: 2, summary: 'model' });

    const again = await engine.prepare({
      input: 'Other',
      history: conversation(7),
      keepTurns: 5,
      conversationId: 'c1',
      canary: false,
    });
    expect(summarize).toHaveBeenCalledTimes(1);
    expect(again.summarySource).toBe('cache');
    expect(summaryIn(again.system)).toBe('turns 1,2');
    expect(again.system.slice(0, again.systemCacheBreakpoints.at(-1))).toBe(
      built.system.slice(0, built.systemCacheBreakpoints.at(-1)),
    );
  });

  it('grows the cached summary by the turns that aged out since, and only by them', async () => {
    const { summarize, requests } = recordingSummarizer();
    const engine = createContextEngine({ summarize });
    await engine.prepare({ input: 'x', history: conversation(7), keepTurns: 5, conversationId: 'c1' });
    const built = await engine.prepare({
      input: 'x',
      history: conversation(9),
      keepTurns: 5,
      conversationId: 'c1',
      canary: false,
    });

    expect(summarize).toHaveBeenCalledTimes(2);
    expect(requests[1]).toMatchObject({ previousSummary: 'turns 1,2', firstTurnNumber: 3 });
    expect(requests[1]?.turns.map((turn) => turn.input)).toEqual(['Edit 3', 'Edit 4']);
    expect(requests[1]?.turns.map((turn) => turn.version)).toEqual([3, 4]);
    expect(summaryIn(built.system)).toBe('turns 1,2+3,4');
  });

  it('summarises from scratch when the history was edited, and keeps conversations apart', async () => {
    const { summarize, requests } = recordingSummarizer();
    const cache = createMemorySummaryCache();
    const engine = createContextEngine({ summarize, summaryCache: cache });
    await engine.prepare({ input: 'x', history: conversation(7), keepTurns: 5, conversationId: 'c1' });
    const edited = conversation(8);
    edited[0] = { ...edited[0]!, input: 'Edit 1, reworded' };
    await engine.prepare({ input: 'x', history: edited, keepTurns: 5, conversationId: 'c1' });
    await engine.prepare({ input: 'x', history: conversation(7), keepTurns: 5, conversationId: 'c2' });

    expect(requests.map((request) => [request.firstTurnNumber, request.turns.length, request.previousSummary])).toEqual(
      [
        [1, 2, undefined],
        [1, 3, undefined],
        [1, 2, undefined],
      ],
    );
    expect(await cache.get('c1')).toMatchObject({ text: 'turns 1,2,3', coveredTurns: 3 });
  });

  it('falls back to the deterministic summary when the model fails, appending to a valid cached one', async () => {
    const { summarize } = recordingSummarizer();
    const onError = vi.fn();
    const engine = createContextEngine({ summarize, onError });
    await engine.prepare({ input: 'x', history: conversation(7), keepTurns: 5, conversationId: 'c1' });
    summarize.mockRejectedValueOnce(new Error('the summariser is down'));

    const turns = conversation(9);
    const built = await engine.prepare({
      input: 'x',
      history: turns,
      keepTurns: 5,
      conversationId: 'c1',
      canary: false,
    });
    expect(built.summarySource).toBe('fallback');
    expect(built.report.history?.summary).toBe('fallback');
    expect(summaryIn(built.system)).toBe(
      [
        'turns 1,2',
        'Turn 3: the user asked "Edit 3". Answer: fragment "Counter 3" v3.',
        'Turn 4: the user asked "Edit 4". Answer: fragment "Counter 4" v4.',
      ].join('\n'),
    );
    expect(onError).toHaveBeenCalledWith(new Error('the summariser is down'), 'summarize');

    // The fallback is not cached: the next request asks the model again.
    await engine.prepare({ input: 'x', history: turns, keepTurns: 5, conversationId: 'c1' });
    expect(summarize).toHaveBeenCalledTimes(3);
  });

  it('summarises deterministically without a summariser', async () => {
    const engine = createContextEngine();
    const turns = conversation(6);
    const built = await engine.prepare({ input: 'x', history: turns, conversationId: 'c1', canary: false });
    expect(summaryIn(built.system)).toBe(summarizeTurnsWithoutModel(turns.slice(0, 1)));
    expect(built.summarySource).toBe('fallback');
  });

  it('uses a summary the caller passes, and needs none for short conversations', async () => {
    const { summarize } = recordingSummarizer();
    const engine = createContextEngine({ summarize });
    const given = await engine.prepare({ input: 'x', history: conversation(7), summary: 'Given.', canary: false });
    expect(summaryIn(given.system)).toBe('Given.');
    const short = await engine.prepare({ input: 'x', history: conversation(3) });
    expect(short.summarySource).toBe('none');
    expect(summarize).not.toHaveBeenCalled();
  });

  it('rejects with ABORTED when the request is aborted while summarising', async () => {
    const controller = new AbortController();
    const engine = createContextEngine({
      summarize: async () => {
        controller.abort();
        throw new DOMException('aborted', 'AbortError');
      },
    });
    const error = await engine
      .prepare({ input: 'x', history: conversation(7), signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect(FragmentkitError.isInstance(error) && error.code).toBe('ABORTED');
  });

  it('reports the provider count of the prompt it built', async () => {
    const counted: TokenCountRequest[] = [];
    const engine = createContextEngine({
      countTokens: async (request) => {
        counted.push(request);
        return 1234;
      },
    });
    const built = await engine.prepare({ input: 'Make a counter', model: 'claude-sonnet-4-5' });
    expect(built.report.providerInputTokens).toBe(1234);
    expect(counted).toEqual([
      { system: built.system, systemCacheBreakpoints: built.systemCacheBreakpoints, messages: built.messages },
    ]);
  });

  it('fits the prompt again, with counts scaled up, when the provider counts more than the budget allows', async () => {
    const turns = conversation(5).map((turn) => ({
      ...turn,
      fragment: {
        ...turn.fragment!,
        code: Array.from({ length: 200 }, (_, line) => `const v${line} = ${line};`).join('\n'),
      },
    }));
    const counts: number[] = [];
    const engine = createContextEngine({
      // The provider's tokenizer counts three times what the estimate does.
      countTokens: async (request) => {
        const count = (3 * [request.system, ...request.messages.map((message) => message.content)].join('').length) / 4;
        counts.push(Math.round(count));
        return Math.round(count);
      },
    });
    const options = { input: 'x', history: turns, contextWindow: 6000, maxOutputTokens: 500, canary: false } as const;
    const built = await engine.prepare(options);

    expect(counts).toHaveLength(2);
    expect(counts[0]).toBeGreaterThan(built.report.budget!.availableTokens);
    expect(built.report.tokenizer).toMatch(/^estimate\*\d/);
    expect(built.report.providerInputTokens).toBe(counts[1]);
    expect(counts[1]).toBeLessThan(counts[0]!);
    expect(built.report.parts.some((part) => part.truncated || part.dropped)).toBe(true);
  });

  it('goes on without the provider count when counting fails', async () => {
    const onError = vi.fn();
    const engine = createContextEngine({
      countTokens: async () => {
        throw new Error('count endpoint down');
      },
      onError,
    });
    const built = await engine.prepare({ input: 'x' });
    expect(built.report).not.toHaveProperty('providerInputTokens');
    expect(onError).toHaveBeenCalledWith(new Error('count endpoint down'), 'count-tokens');
  });
});
