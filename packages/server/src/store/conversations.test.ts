import { type AttachmentInput, type Fragment, FragmentkitError } from '@fragmentkit/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleFragment } from '../../test/sampleFragment.js';
import { createFakeClock, newTenant } from './__fixtures__/storeTestData.js';
import { describeEachEngine, openTestDatabase, type TestDatabase } from './__fixtures__/testDatabases.js';
import { createFragmentStore, type FragmentStore } from './fragmentStore.js';

const garbageIds = ['not-a-uuid', "1'; DROP TABLE conversations; --", '', '00000000-0000-0000-0000-00000000000g'];
const unknownId = '3f1c2b9e-8d4a-4c6b-9f0e-1a2b3c4d5e6f';

const attachment: AttachmentInput = {
  id: 'snippet-1',
  filePath: 'src/App.tsx',
  text: 'export const App = () => null;',
  range: { startLine: 1, endLine: 1 },
  contentHash: 'abc123',
};

async function expectError(promise: Promise<unknown>, code: string): Promise<FragmentkitError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(FragmentkitError.isInstance(error), `expected FragmentkitError ${code}, got ${String(error)}`).toBe(true);
  expect((error as FragmentkitError).code).toBe(code);
  return error as FragmentkitError;
}

describeEachEngine('conversations', (engine) => {
  let database: TestDatabase;
  const clock = createFakeClock();
  let store: FragmentStore;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    store = createFragmentStore(database.db, { clock });
  });
  afterAll(async () => {
    await database.close();
  });

  async function countRows(table: string, conversationId: string): Promise<number> {
    const column = table === 'conversations' ? 'id' : 'conversation_id';
    const { rows } = await database.db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${table} WHERE ${column} = $1`,
      [conversationId],
    );
    return rows[0]!.count;
  }

  it('creates a conversation stamped by the clock and reads it back with nothing in it', async () => {
    const tenant = newTenant();
    clock.set(Date.UTC(2025, 1, 3, 10));
    const created = await store.createConversation(tenant, 'Counter app');
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      teamId: tenant.teamId,
      userId: tenant.userId,
      title: 'Counter app',
      createdAt: new Date(Date.UTC(2025, 1, 3, 10)),
      updatedAt: new Date(Date.UTC(2025, 1, 3, 10)),
    });
    expect(await store.getConversation(tenant, created.id)).toEqual({
      conversation: created,
      messages: [],
      fragments: [],
      executions: [],
    });
    const untitled = await store.createConversation(tenant);
    expect(untitled.title).toBeNull();
  });

  it('pages through conversations newest first, ties broken by id, without skips or repeats', async () => {
    const tenant = newTenant();
    const created = [];
    for (let index = 0; index < 5; index += 1) {
      clock.set(Date.UTC(2025, 2, 1, 0, index));
      created.push(await store.createConversation(tenant, `c${index}`));
    }
    // Two conversations in the same millisecond: only the id can order them.
    clock.set(Date.UTC(2025, 2, 1, 0, 2, 30));
    created.push(await store.createConversation(tenant, 'tie-a'), await store.createConversation(tenant, 'tie-b'));

    const expected = [...created]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((conversation) => conversation.id);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listConversations(tenant, { limit: 2, cursor });
      seen.push(...page.conversations.map((conversation) => conversation.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
      if (pages === 2) {
        // Created between page requests, newer than everything: must not shift later pages.
        clock.set(Date.UTC(2025, 2, 2));
        await store.createConversation(tenant, 'late');
      }
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(pages).toBe(4);

    const first = await store.listConversations(tenant, { limit: 1 });
    expect(first.conversations[0]?.title).toBe('late');
    const all = await store.listConversations(tenant, { limit: 100 });
    expect(all.conversations).toHaveLength(8);
    expect(all.nextCursor).toBeNull();
  });

  it('rejects cursors and limits it did not make with INVALID_REQUEST', async () => {
    const tenant = newTenant();
    await expectError(store.listConversations(tenant, { cursor: 'garbage' }), 'INVALID_REQUEST');
    await expectError(
      store.listConversations(tenant, { cursor: `99999999999999999999.${unknownId}` }),
      'INVALID_REQUEST',
    );
    await expectError(store.listConversations(tenant, { limit: 0 }), 'INVALID_REQUEST');
    await expectError(store.listConversations(tenant, { limit: 101 }), 'INVALID_REQUEST');
    await expectError(store.createConversation(tenant, 'x'.repeat(501)), 'INVALID_REQUEST');
  });

  it('treats unknown and malformed ids as not found, never as a database error', async () => {
    const tenant = newTenant();
    const conversation = await store.createConversation(tenant);
    for (const id of [...garbageIds, unknownId]) {
      expect(await store.getConversation(tenant, id)).toBeNull();
      await expectError(store.renameConversation(tenant, id, 'x'), 'NOT_FOUND');
      await expectError(store.deleteConversation(tenant, id), 'NOT_FOUND');
      await expectError(store.appendMessage(tenant, { conversationId: id, role: 'user', content: 'x' }), 'NOT_FOUND');
      await expectError(
        store.saveFragment(tenant, { conversationId: id, messageId: unknownId, fragment: sampleFragment }),
        'NOT_FOUND',
      );
      await expectError(
        store.saveFragment(tenant, { conversationId: conversation.id, messageId: id, fragment: sampleFragment }),
        'NOT_FOUND',
      );
      await expectError(
        store.recordExecution(tenant, { fragmentId: id, stdout: '', stderr: '', exitCode: 0 }),
        'NOT_FOUND',
      );
    }
  });

  it('renames a conversation and counts the rename as an update', async () => {
    const tenant = newTenant();
    clock.set(Date.UTC(2025, 3, 1));
    const conversation = await store.createConversation(tenant, 'Old');
    clock.set(Date.UTC(2025, 3, 2));
    const renamed = await store.renameConversation(tenant, conversation.id, 'New');
    expect(renamed).toEqual({ ...conversation, title: 'New', updatedAt: new Date(Date.UTC(2025, 3, 2)) });
    expect((await store.getConversation(tenant, conversation.id))?.conversation.title).toBe('New');
  });

  it('appends messages in order with their attachments and request id, and bumps updatedAt', async () => {
    const tenant = newTenant();
    clock.set(Date.UTC(2025, 4, 1));
    const conversation = await store.createConversation(tenant);
    clock.set(Date.UTC(2025, 4, 2));
    const question = await store.appendMessage(tenant, {
      conversationId: conversation.id,
      role: 'user',
      content: 'Make a counter',
      attachments: [attachment],
      requestId: 'request-1',
    });
    const answer = await store.appendMessage(tenant, {
      conversationId: conversation.id,
      role: 'assistant',
      content: 'Here it is',
    });
    expect(question).toEqual({
      id: expect.any(String),
      conversationId: conversation.id,
      userId: tenant.userId,
      position: 1,
      role: 'user',
      content: 'Make a counter',
      // Stored as the core schema parses it: defaults filled in.
      attachments: [{ ...attachment, kind: 'snippet', language: '' }],
      requestId: 'request-1',
      createdAt: new Date(Date.UTC(2025, 4, 2)),
    });
    expect(answer).toMatchObject({ position: 2, role: 'assistant', attachments: [], requestId: null });
    const detail = await store.getConversation(tenant, conversation.id);
    expect(detail?.messages).toEqual([question, answer]);
    expect(detail?.conversation.updatedAt).toEqual(new Date(Date.UTC(2025, 4, 2)));

    await expectError(
      store.appendMessage(tenant, {
        conversationId: conversation.id,
        role: 'user',
        content: 'x',
        attachments: [{ ...attachment, range: { startLine: 5, endLine: 2 } }],
      }),
      'INVALID_REQUEST',
    );
    await expectError(
      store.appendMessage(tenant, { conversationId: conversation.id, role: 'system' as 'user', content: 'x' }),
      'INVALID_REQUEST',
    );
  });

  it('numbers fragment versions per conversation, also when saves race', async () => {
    const tenant = newTenant();
    const conversation = await store.createConversation(tenant);
    const other = await store.createConversation(tenant);
    const message = await store.appendMessage(tenant, {
      conversationId: conversation.id,
      role: 'assistant',
      content: '',
    });
    const otherMessage = await store.appendMessage(tenant, {
      conversationId: other.id,
      role: 'assistant',
      content: '',
    });

    const saves = Array.from({ length: 12 }, (_, index) =>
      store.saveFragment(tenant, {
        conversationId: conversation.id,
        messageId: message.id,
        fragment: { ...sampleFragment, title: `v${index}` },
      }),
    );
    const saved = await Promise.all(saves);
    expect(saved.map((fragment) => fragment.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, index) => index + 1),
    );
    const firstOfOther = await store.saveFragment(tenant, {
      conversationId: other.id,
      messageId: otherMessage.id,
      fragment: sampleFragment,
    });
    expect(firstOfOther.version).toBe(1);

    const detail = await store.getConversation(tenant, conversation.id);
    expect(detail?.fragments.map((fragment) => fragment.version)).toEqual(
      Array.from({ length: 12 }, (_, index) => index + 1),
    );
    expect(detail?.fragments.map((fragment) => fragment.fragment.title).sort()).toEqual(
      saved.map((fragment) => fragment.fragment.title).sort(),
    );
  });

  it('refuses a message of another conversation and a fragment that breaks the schema', async () => {
    const tenant = newTenant();
    const conversation = await store.createConversation(tenant);
    const other = await store.createConversation(tenant);
    const foreignMessage = await store.appendMessage(tenant, { conversationId: other.id, role: 'user', content: '' });
    await expectError(
      store.saveFragment(tenant, {
        conversationId: conversation.id,
        messageId: foreignMessage.id,
        fragment: sampleFragment,
      }),
      'NOT_FOUND',
    );
    const message = await store.appendMessage(tenant, { conversationId: conversation.id, role: 'user', content: '' });
    const broken = { ...sampleFragment, code: 42 } as unknown as Fragment;
    await expectError(
      store.saveFragment(tenant, { conversationId: conversation.id, messageId: message.id, fragment: broken }),
      'INVALID_REQUEST',
    );
    // Neither failure consumed a version number.
    const saved = await store.saveFragment(tenant, {
      conversationId: conversation.id,
      messageId: message.id,
      fragment: sampleFragment,
    });
    expect(saved.version).toBe(1);
  });

  it('records executions and resumes a refreshed page with messages, fragments and runs', async () => {
    const tenant = newTenant();
    clock.set(Date.UTC(2025, 5, 1));
    const conversation = await store.createConversation(tenant, 'Resume me');
    const question = await store.appendMessage(tenant, {
      conversationId: conversation.id,
      role: 'user',
      content: 'Go',
    });
    const answer = await store.appendMessage(tenant, {
      conversationId: conversation.id,
      role: 'assistant',
      content: 'Done',
    });
    const fragment = await store.saveFragment(tenant, {
      conversationId: conversation.id,
      messageId: answer.id,
      fragment: sampleFragment,
    });
    clock.set(Date.UTC(2025, 5, 2));
    const failed = await store.recordExecution(tenant, {
      fragmentId: fragment.id,
      stdout: '',
      stderr: 'TypeError: x is undefined',
      exitCode: 1,
      runtimeError: 'TypeError: x is undefined\n    at App (App.tsx:3:9)',
    });
    clock.set(Date.UTC(2025, 5, 3));
    const served = await store.recordExecution(tenant, {
      fragmentId: fragment.id,
      stdout: 'ready on 3000',
      stderr: '',
      exitCode: null,
      url: 'https://sandbox.example/3000',
    });
    expect(failed).toEqual({
      id: expect.any(String),
      fragmentId: fragment.id,
      userId: tenant.userId,
      stdout: '',
      stderr: 'TypeError: x is undefined',
      exitCode: 1,
      url: null,
      runtimeError: 'TypeError: x is undefined\n    at App (App.tsx:3:9)',
      createdAt: new Date(Date.UTC(2025, 5, 2)),
    });
    expect(served).toMatchObject({ exitCode: null, url: 'https://sandbox.example/3000', runtimeError: null });

    const detail = await store.getConversation(tenant, conversation.id);
    expect(detail).toEqual({
      conversation: { ...conversation, updatedAt: new Date(Date.UTC(2025, 5, 3)) },
      messages: [question, answer],
      fragments: [fragment],
      executions: [failed, served],
    });
    expect(detail?.fragments[0]?.fragment).toEqual(sampleFragment);
    await expectError(
      store.recordExecution(tenant, { fragmentId: fragment.id, stdout: '', stderr: '', exitCode: 1.5 }),
      'INVALID_REQUEST',
    );
  });

  it('deletes a conversation for good, with its messages, fragments and executions', async () => {
    const tenant = newTenant();
    const conversation = await store.createConversation(tenant);
    const keep = await store.createConversation(tenant);
    const message = await store.appendMessage(tenant, {
      conversationId: conversation.id,
      role: 'assistant',
      content: '',
    });
    const fragment = await store.saveFragment(tenant, {
      conversationId: conversation.id,
      messageId: message.id,
      fragment: sampleFragment,
    });
    await store.recordExecution(tenant, { fragmentId: fragment.id, stdout: '', stderr: '', exitCode: 0 });

    await store.deleteConversation(tenant, conversation.id);

    expect(await store.getConversation(tenant, conversation.id)).toBeNull();
    expect((await store.listConversations(tenant)).conversations.map((item) => item.id)).toEqual([keep.id]);
    await expectError(store.deleteConversation(tenant, conversation.id), 'NOT_FOUND');
    await expectError(
      store.recordExecution(tenant, { fragmentId: fragment.id, stdout: '', stderr: '', exitCode: 0 }),
      'NOT_FOUND',
    );
    // Gone from the tables, not just hidden.
    expect(await countRows('conversations', conversation.id)).toBe(0);
    expect(await countRows('messages', conversation.id)).toBe(0);
    expect(await countRows('fragments', conversation.id)).toBe(0);
    const executions = await database.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM executions WHERE fragment_id = $1',
      [fragment.id],
    );
    expect(executions.rows[0]!.count).toBe(0);
  });

  it("keeps a user's conversations private from teammates", async () => {
    const author = newTenant('author');
    const teammate = newTenant('teammate', author.teamId);
    const conversation = await store.createConversation(author, 'Mine');
    const message = await store.appendMessage(author, {
      conversationId: conversation.id,
      role: 'assistant',
      content: '',
    });
    const fragment = await store.saveFragment(author, {
      conversationId: conversation.id,
      messageId: message.id,
      fragment: sampleFragment,
    });

    expect((await store.listConversations(teammate)).conversations).toEqual([]);
    expect(await store.getConversation(teammate, conversation.id)).toBeNull();
    await expectError(store.renameConversation(teammate, conversation.id, 'Theirs'), 'NOT_FOUND');
    await expectError(store.deleteConversation(teammate, conversation.id), 'NOT_FOUND');
    await expectError(
      store.appendMessage(teammate, { conversationId: conversation.id, role: 'user', content: 'hi' }),
      'NOT_FOUND',
    );
    await expectError(
      store.saveFragment(teammate, {
        conversationId: conversation.id,
        messageId: message.id,
        fragment: sampleFragment,
      }),
      'NOT_FOUND',
    );
    await expectError(
      store.recordExecution(teammate, { fragmentId: fragment.id, stdout: '', stderr: '', exitCode: 0 }),
      'NOT_FOUND',
    );
    const detail = await store.getConversation(author, conversation.id);
    expect(detail?.conversation.title).toBe('Mine');
    expect(detail?.messages).toHaveLength(1);
  });

  it('rejects a tenant without a team or user id as an invalid request', async () => {
    await expectError(store.listConversations({ teamId: '', userId: 'u' }), 'INVALID_REQUEST');
    await expectError(store.createConversation({ teamId: 't', userId: '' }), 'INVALID_REQUEST');
    await expectError(store.createConversation({} as never), 'INVALID_REQUEST');
  });
});
