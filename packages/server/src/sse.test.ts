import type { ChatStreamEvent } from '@fragmentkit/core';
import { describe, expect, it } from 'vitest';
import { createServerSentEventEncoder, formatServerSentEvent, type ServerSentEvent, toServerSentEvent } from './sse.js';

describe('formatServerSentEvent', () => {
  it('writes id, event and data, ending with a blank line', () => {
    expect(formatServerSentEvent({ id: '3', event: 'usage', data: '{"a":1}' })).toBe(
      'id: 3\nevent: usage\ndata: {"a":1}\n\n',
    );
  });

  it('splits multi-line data into one data field per line', () => {
    expect(formatServerSentEvent({ id: '1', event: 'note', data: 'a\nb\r\nc' })).toBe(
      'id: 1\nevent: note\ndata: a\ndata: b\ndata: c\n\n',
    );
  });
});

describe('formatServerSentEvent without an id', () => {
  it('leaves the id field out, so the last event id the client holds stays', () => {
    expect(formatServerSentEvent({ id: '', event: 'error', data: '{}' })).toBe('event: error\ndata: {}\n\n');
  });
});

describe('createServerSentEventEncoder', () => {
  it('writes chat events numbered by position and named by type', async () => {
    const events: ChatStreamEvent[] = [
      { type: 'fragment-delta', fragment: { title: 'Counter\nApp' } },
      { type: 'usage', usage: { inputTokens: 1, outputTokens: 2 } },
    ];
    const body = new Response(
      new ReadableStream<ServerSentEvent>({
        start(controller) {
          for (const [index, event] of events.entries()) controller.enqueue(toServerSentEvent(event, index + 1));
          controller.close();
        },
      }).pipeThrough(createServerSentEventEncoder()),
    );
    expect(await body.text()).toBe(
      'id: 1\nevent: fragment-delta\ndata: {"type":"fragment-delta","fragment":{"title":"Counter\\nApp"}}\n\n' +
        'id: 2\nevent: usage\ndata: {"type":"usage","usage":{"inputTokens":1,"outputTokens":2}}\n\n',
    );
  });
});
