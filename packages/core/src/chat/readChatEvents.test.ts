import { describe, expect, it } from 'vitest';
import type { Fragment } from '../fragment/schema.js';
import type { ChatStreamEvent } from '../wire/chatEvents.js';
import { readChatEvents } from './readChatEvents.js';

const fragment: Fragment = {
  commentary: 'A counter — with a reset button.',
  template: 'nextjs-developer',
  title: 'Counter',
  description: 'A counter app.',
  additional_dependencies: [],
  has_additional_dependencies: false,
  install_dependencies_command: '',
  port: 3000,
  file_path: 'pages/index.tsx',
  code: 'export default function Home() { return <p>0</p>; }',
};

function sse(event: ChatStreamEvent, id?: string): string {
  return `${id ? `id: ${id}\n` : ''}event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Splits the encoded text every `size` bytes, so events and multi-byte characters straddle chunks. */
function streamOf(text: string, size = 7): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.slice(offset, offset + size));
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>) {
  const events: { event: ChatStreamEvent; id: string | undefined }[] = [];
  await readChatEvents(body, (event, id) => events.push({ event, id }));
  return events;
}

describe('readChatEvents', () => {
  it('reads events split across chunk boundaries, with their ids', async () => {
    const text =
      ': keep-alive comment\n\n' +
      sse({ type: 'fragment-delta', fragment: { title: 'Coun' } }, '1') +
      sse({ type: 'fragment-delta', fragment: { title: 'Counter', commentary: 'A counter —' } }, '2') +
      sse({ type: 'usage', usage: { inputTokens: 10, outputTokens: 20 } }, '3') +
      sse({ type: 'done', fragment, finishReason: 'stop' }, '4');

    for (const size of [1, 3, 7, 64, text.length]) {
      const events = await collect(streamOf(text, size));
      expect(events.map(({ event, id }) => `${id}:${event.type}`)).toEqual([
        '1:fragment-delta',
        '2:fragment-delta',
        '3:usage',
        '4:done',
      ]);
      expect(events[1]?.event).toEqual({
        type: 'fragment-delta',
        fragment: { title: 'Counter', commentary: 'A counter —' },
      });
      expect(events[3]?.event).toEqual({ type: 'done', fragment, finishReason: 'stop' });
    }
  });

  it('turns a stream that ends without done or error into a STREAM_INCOMPLETE error', async () => {
    const events = await collect(streamOf(sse({ type: 'fragment-delta', fragment: { title: 'Cou' } })));
    expect(events.map(({ event }) => event.type)).toEqual(['fragment-delta', 'error']);
    expect(events[1]?.event).toMatchObject({ type: 'error', error: { code: 'STREAM_INCOMPLETE' } });
  });

  it('does not treat an unterminated last event as complete', async () => {
    const done = sse({ type: 'done', fragment, finishReason: 'stop' }).trimEnd();
    const events = await collect(streamOf(done));
    expect(events.map(({ event }) => event.type)).toEqual(['error']);
    expect(events[0]?.event).toMatchObject({ error: { code: 'STREAM_INCOMPLETE' } });
  });

  it('reports a data line that is not JSON as an error event instead of throwing', async () => {
    const events = await collect(streamOf('event: fragment-delta\ndata: {"type":"fragment-del\n\n'));
    expect(events).toHaveLength(1);
    expect(events[0]?.event).toMatchObject({ type: 'error', error: { code: 'INVALID_STREAM_EVENT' } });
  });

  it('reports a done event whose fragment breaks the schema as INVALID_FRAGMENT', async () => {
    const events = await collect(
      streamOf(sse({ type: 'done', fragment: { ...fragment, port: 'eighty' } as never, finishReason: 'stop' })),
    );
    expect(events.map(({ event }) => event.type)).toEqual(['error']);
    expect(events[0]?.event).toMatchObject({ error: { code: 'INVALID_FRAGMENT' } });
  });

  it('delivers server errors and stops at the first terminal event', async () => {
    const text =
      sse({ type: 'error', error: { code: 'PROVIDER_UNAVAILABLE', message: 'All providers are down.' } }) +
      sse({ type: 'done', fragment, finishReason: 'stop' });
    const events = await collect(streamOf(text));
    expect(events.map(({ event }) => event)).toEqual([
      { type: 'error', error: { code: 'PROVIDER_UNAVAILABLE', message: 'All providers are down.' } },
    ]);
  });

  it('skips event types it does not know and takes the type from the event name when data has none', async () => {
    const text =
      'event: heartbeat\ndata: {"type":"heartbeat"}\n\n' +
      `event: done\ndata: ${JSON.stringify({ fragment, finishReason: 'stop' })}\n\n`;
    const events = await collect(streamOf(text));
    expect(events.map(({ event }) => event.type)).toEqual(['done']);
  });

  it('turns a body that breaks mid-stream into a STREAM_INCOMPLETE error', async () => {
    const bytes = new TextEncoder().encode(sse({ type: 'fragment-delta', fragment: { title: 'C' } }));
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        if (pulls === 1) controller.enqueue(bytes);
        else controller.error(new TypeError('network connection lost'));
      },
    });
    const events = await collect(body);
    expect(events.map(({ event }) => event.type)).toEqual(['fragment-delta', 'error']);
    expect(events[1]?.event).toMatchObject({
      error: { code: 'STREAM_INCOMPLETE', message: expect.stringContaining('network connection lost') },
    });
  });

  it('rejects with the abort reason and cancels the body when the signal aborts', async () => {
    const controller = new AbortController();
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(streamController) {
        streamController.enqueue(new TextEncoder().encode(sse({ type: 'fragment-delta', fragment: { title: 'C' } })));
      },
      cancel() {
        cancelled = true;
      },
    });
    const events: ChatStreamEvent[] = [];
    const reading = readChatEvents(
      body,
      (event) => {
        events.push(event);
        controller.abort();
      },
      controller.signal,
    );
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(events.map((event) => event.type)).toEqual(['fragment-delta']);
    expect(cancelled).toBe(true);
  });
});
