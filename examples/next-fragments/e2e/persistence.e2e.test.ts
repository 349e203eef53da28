import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FakeProvider, startFakeProvider } from '@fragmentkit/fake-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NextApp, startNextApp } from './nextApp';

interface ConversationDetail {
  conversation: { id: string; title: string };
  messages: { role: string; content: string }[];
  fragments: { version: number; fragment: { title: string } }[];
}

describe('Next.js reference app storage', () => {
  let fake: FakeProvider;
  let app: NextApp | undefined;
  let dataDir: string;

  beforeAll(async () => {
    fake = await startFakeProvider({ chunkDelayMs: 0 });
    dataDir = mkdtempSync(path.join(tmpdir(), 'fragmentkit-next-persist-'));
  });

  afterAll(async () => {
    await app?.stop();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps conversations in PGlite across a restart of the server', async () => {
    const env = { ANTHROPIC_API_KEY: 'sk-ant-e2e', ANTHROPIC_BASE_URL: fake.anthropicBaseURL };
    const db = path.join(dataDir, 'db');
    app = await startNextApp(env, { dataDir: db });
    const chat = await fetch(`${app.url}/api/fragmentkit/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ input: 'A counter that outlives a restart', template: 'react-preview' }),
    });
    expect(chat.status).toBe(200);
    const events = await chat.text();
    expect(events).toContain('event: done');
    const conversationId = /"conversationId":"([^"]+)"/.exec(events)?.[1];
    expect(conversationId).toBeDefined();
    // The answer is stored once the stream has ended.
    await expect
      .poll(async () => {
        const response = await fetch(`${app!.url}/api/fragmentkit/conversations/${conversationId}`);
        return ((await response.json()) as ConversationDetail).fragments.length;
      })
      .toBe(1);
    await app.stop();

    app = await startNextApp(env, { dataDir: db });
    const response = await fetch(`${app.url}/api/fragmentkit/conversations/${conversationId}`);
    expect(response.status).toBe(200);
    const detail = (await response.json()) as ConversationDetail;
    expect(detail.conversation.title).toBe('A counter that outlives a restart');
    expect(detail.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(detail.fragments[0]!.fragment.title).toContain('Counter: A counter that outlives');
  });
});
