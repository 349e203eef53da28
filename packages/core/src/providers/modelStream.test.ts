import { describe, expect, it } from 'vitest';
import { readAll, readUntilError } from './__fixtures__/sseFixtures.js';
import { createModelStream, incompleteStreamError, type StreamChunkMapper } from './modelStream.js';
import type { ModelStreamEvent } from './types.js';

type Chunk = { text?: string; stop?: boolean };

/** An upstream that counts how far it was read and can hang forever on demand. */
function countingUpstream(chunks: Chunk[], options: { hangAfter?: number } = {}) {
  const state = { pulled: 0, aborted: 0 };
  const upstream: AsyncIterable<Chunk> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (options.hangAfter !== undefined && state.pulled >= options.hangAfter) return new Promise<never>(() => {});
        const value = chunks[state.pulled];
        state.pulled += 1;
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
    }),
  };
  const abortUpstream = () => {
    state.aborted += 1;
  };
  return { state, upstream, abortUpstream };
}

const mapper = (): StreamChunkMapper<Chunk> => ({
  map: (chunk) => [
    ...(chunk.text ? [{ type: 'text-delta' as const, text: chunk.text }] : []),
    ...(chunk.stop
      ? [{ type: 'finish' as const, finishReason: 'stop' as const, usage: { inputTokens: 1, outputTokens: 2 } }]
      : []),
  ],
  end: () => {
    throw incompleteStreamError('test');
  },
});

describe('createModelStream', () => {
  it('reads upstream only as far as the consumer reads', async () => {
    const source = countingUpstream([{ text: 'a' }, {}, { text: 'b' }, { text: 'c' }, { stop: true }]);
    const stream = createModelStream({
      provider: 'test',
      mapper: mapper(),
      signal: undefined,
      errorOptions: {},
      ...source,
    });
    const reader = stream.getReader();

    await Promise.resolve();
    expect(source.state.pulled).toBe(0);
    expect(await reader.read()).toEqual({ done: false, value: { type: 'text-delta', text: 'a' } });
    expect(source.state.pulled).toBe(1);
    expect(await reader.read()).toEqual({ done: false, value: { type: 'text-delta', text: 'b' } });
    expect(source.state.pulled).toBe(3);
  });

  it('closes after the finish event and releases the upstream connection', async () => {
    const source = countingUpstream([{ text: 'a' }, { stop: true }, { text: 'after the end' }]);
    const stream = createModelStream({
      provider: 'test',
      mapper: mapper(),
      signal: undefined,
      errorOptions: {},
      ...source,
    });

    const events = await readAll(stream);

    expect(events.map((event: ModelStreamEvent) => event.type)).toEqual(['text-delta', 'finish']);
    expect(source.state.pulled).toBe(2);
    expect(source.state.aborted).toBe(1);
  });

  it('errors at once with ABORTED when the signal aborts while upstream is silent', async () => {
    const source = countingUpstream([{ text: 'a' }], { hangAfter: 1 });
    const controller = new AbortController();
    const stream = createModelStream({
      provider: 'test',
      mapper: mapper(),
      signal: controller.signal,
      errorOptions: {},
      ...source,
    });
    const reader = stream.getReader();
    await reader.read();

    const pending = reader.read();
    controller.abort();

    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(source.state.aborted).toBe(1);
  });

  it('aborts upstream when the consumer cancels', async () => {
    const source = countingUpstream([{ text: 'a' }, { text: 'b' }]);
    const stream = createModelStream({
      provider: 'test',
      mapper: mapper(),
      signal: undefined,
      errorOptions: {},
      ...source,
    });
    const reader = stream.getReader();
    await reader.read();

    await reader.cancel();

    expect(source.state.aborted).toBe(1);
  });

  it('turns an exception thrown while mapping into STREAM_INCOMPLETE', async () => {
    const source = countingUpstream([{ text: 'a' }]);
    const throwingMapper: StreamChunkMapper<Chunk> = {
      map: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'text')");
      },
      end: mapper().end,
    };
    const stream = createModelStream({
      provider: 'test',
      mapper: throwingMapper,
      signal: undefined,
      errorOptions: {},
      ...source,
    });

    const { error } = await readUntilError(stream);

    expect(error.code).toBe('STREAM_INCOMPLETE');
    expect(error.cause).toBeInstanceOf(TypeError);
  });
});
