import type { Attachment, Fragment } from '@fragmentkit/core';

/** A conversation as `GET /conversations` lists it (dates arrive as ISO strings). */
export interface StoredConversation {
  id: string;
  title: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A message as `GET /conversations/:id` returns it; an assistant's content is its fragment as JSON. */
export interface StoredMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  attachments: Attachment[];
  createdAt: string;
}

/** Everything `GET /conversations/:id` returns that this app shows again after a reload. */
export interface StoredConversationDetail {
  conversation: StoredConversation;
  messages: StoredMessage[];
  fragments: { version: number; fragment: Fragment }[];
}

/** The fragment an assistant message holds, or undefined when its content is not one. */
export function fragmentOfMessage(message: StoredMessage): Partial<Fragment> | undefined {
  if (message.role !== 'assistant') return undefined;
  try {
    const parsed: unknown = JSON.parse(message.content);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<Fragment>) : undefined;
  } catch {
    return undefined;
  }
}
