import { describe, expect, it } from 'vitest';
import type { FinishReason, ModelStreamEvent } from '../providers/types.js';
import { recordForCache } from './recordForCache.js';
import { replayCachedStream } from './replayCachedStream.js';

const source = { provider: 'openai', model: 'gpt-4o-mini', createdAt: 1_700_000_000_000 };
const usage = { inputTokens: 120, outputTokens: 9, cachedInputTokens: 40 };

function answer(finishReason: FinishReason): ModelStreamEvent[] {
  return [
    { type: 'text-delta', text: 'const count' },
    { type: 'usage', usage: { inputTokens: 120, outputTokens: 3 } },
    { type: 'text-delta', text: ' = 0;' },
    { type: 'finish', finishReason, usage },
  ];
}

async function readAll(stream: ReadableStream<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const events: ModelStreamEvent[] = [];
  const reader = stream.getReader();
  for (let result = await reader.read(); !result.done; result = await reader.read()) events.push(result.value);
  return events;
}

describe('recordForCache', () => {
  it('keeps the text deltas and the finish of a complete answer, with its source', () => {
    expect(recordForCache(answer('stop'), source)).toEqual({
      events: [
        { type: 'text-delta', text: 'const count' },
        { type: 'text-delta', text: ' = 0;' },
        { type: 'finish', finishReason: 'stop', usage },
      ],
      ...source,
    });
  });

  it.each(['length', 'content-filter', 'tool-calls', 'other'] as const)(
    'never records an answer that finished with %s',
    (reason) => {
      expect(recordForCache(answer(reason), source)).toBeUndefined();
    },
  );

  it('never records a stream that broke before its finish, or one with events after it', () => {
    expect(recordForCache(answer('stop').slice(0, -1), source)).toBeUndefined();
    expect(recordForCache([], source)).toBeUndefined();
    const finishTwice = [...answer('stop'), { type: 'finish', finishReason: 'stop', usage } as const];
    expect(recordForCache(finishTwice, source)).toBeUndefined();
  });

  it('copies the events, so later changes to the originals do not reach the record', () => {
    const events = answer('stop');
    const recorded = recordForCache(events, source)!;
    (events[0] as { text: string }).text = 'changed';
    (events[3] as { usage: { inputTokens: number } }).usage.inputTokens = 0;
    expect(recorded.events[0]).toEqual({ type: 'text-delta', text: 'const count' });
    expect(recorded.events[2]).toMatchObject({ usage: { inputTokens: 120 } });
  });
});

describe('replayCachedStream', () => {
  it('replays the recorded deltas in order, then a stop finish that reports no usage', async () => {
    const recorded = recordForCache(answer('stop'), source)!;
    expect(await readAll(replayCachedStream(recorded))).toEqual([
      { type: 'text-delta', text: 'const count' },
      { type: 'text-delta', text: ' = 0;' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 0 } },
    ]);
  });

  it('re-cuts the text into chunks of chunkSize without splitting a surrogate pair', async () => {
    const recorded = recordForCache(
      [
        { type: 'text-delta', text: 'ab😀' },
        { type: 'text-delta', text: 'cd' },
        { type: 'finish', finishReason: 'stop', usage },
      ],
      source,
    )!;
    const events = await readAll(replayCachedStream(recorded, { chunkSize: 3 }));
    expect(events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : []))).toEqual(['ab', '😀c', 'd']);
    const single = await readAll(replayCachedStream(recorded, { chunkSize: 1 }));
    expect(single.flatMap((event) => (event.type === 'text-delta' ? [event.text] : []))).toEqual([
      'a',
      'b',
      '😀',
      'c',
      'd',
    ]);
  });

  it('produces one event per read and stops when cancelled', async () => {
    const recorded = recordForCache(answer('stop'), source)!;
    const reader = replayCachedStream(recorded).getReader();
    expect(await reader.read()).toEqual({ done: false, value: { type: 'text-delta', text: 'const count' } });
    await reader.cancel();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
  });

  it('rejects a chunkSize that is not a positive whole number', () => {
    const recorded = recordForCache(answer('stop'), source)!;
    expect(() => replayCachedStream(recorded, { chunkSize: 0 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST', details: { option: 'chunkSize', value: 0 } }),
    );
  });
});
