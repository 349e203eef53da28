import type { Attachment, ChatTurn, Fragment } from '@fragmentkit/core';

/**
 * The part of `GET {endpoint}/conversations/:id` that the chat needs: the stored messages in
 * order and the fragment saved with each answer.
 *
 * @example
 * ```ts
 * const stored: StoredConversation = await (await fetch(`/api/fragmentkit/conversations/${id}`)).json();
 * ```
 */
export interface StoredConversation {
  conversation: { id: string; title: string | null };
  messages: Array<{ id: string; role: 'user' | 'assistant'; content: string; attachments?: Attachment[] }>;
  fragments: Array<{ messageId: string; fragment: Fragment }>;
}

/**
 * Turns stored messages into chat turns: each question with the answer that follows it is a
 * `done` turn; a question without an answer (the page went away mid-answer) is an `error` turn
 * the user can retry.
 */
export function turnsFromConversation(stored: StoredConversation): ChatTurn[] {
  const fragments = new Map(stored.fragments.map((saved) => [saved.messageId, saved.fragment]));
  const turns: ChatTurn[] = [];
  const { messages } = stored;
  for (let index = 0; index < messages.length; index += 1) {
    const question = messages[index]!;
    if (question.role !== 'user') continue;
    const answer = messages[index + 1];
    const base = { id: question.id, input: question.content, attachments: question.attachments ?? [] };
    if (answer?.role === 'assistant') {
      index += 1;
      const fragment = fragments.get(answer.id) ?? parseFragment(answer.content);
      if (fragment) {
        turns.push({ ...base, status: 'done', fragment });
        continue;
      }
    }
    turns.push({
      ...base,
      status: 'error',
      error: { code: 'STREAM_INCOMPLETE', message: 'This request has no stored answer. Retry it.' },
    });
  }
  return turns;
}

function parseFragment(content: string): Fragment | undefined {
  try {
    const value: unknown = JSON.parse(content);
    return typeof value === 'object' && value !== null ? (value as Fragment) : undefined;
  } catch {
    return undefined;
  }
}
