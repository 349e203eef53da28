import type { Attachment } from '../attachments/attachment.js';
import type { Fragment } from '../fragment/schema.js';
import type { ModelMessage } from './types.js';

/**
 * The fragment a turn produced, as far as the prompt needs it: its `code` and whatever else of
 * the fragment is known.
 *
 * @example
 * ```ts
 * const fragment: TurnFragment = { title: 'Counter', file_path: 'src/App.tsx', code: source };
 * ```
 */
export type TurnFragment = Partial<Fragment> & Pick<Fragment, 'code'>;

/**
 * One earlier exchange of a conversation: what the user asked and attached, and what the
 * assistant answered. `buildPrompt` keeps recent turns with their code replaced by a compact
 * reference (the latest fragment goes in whole) and folds older ones into a summary.
 *
 * @example
 * ```ts
 * const turn: ConversationTurn = {
 *   input: 'Make a counter app',
 *   fragment: { title: 'Counter', file_path: 'src/App.tsx', code: source, commentary: 'A counter with + and -.' },
 *   version: 1,
 * };
 * ```
 */
export interface ConversationTurn {
  /** What the user typed. */
  input: string;
  /** What the user attached to this turn. Older turns mention them by path and lines only. */
  attachments?: readonly Attachment[];
  /** The fragment the assistant answered with, if any. */
  fragment?: TurnFragment;
  /** Version of `fragment`. Defaults to its position among the turns that produced a fragment, from 1. */
  version?: number;
  /** The assistant's words: defaults to the fragment's commentary; the whole answer when it was not a fragment. */
  commentary?: string;
}

/**
 * Reads plain chat history (`user`/`assistant` messages, as `useFragmentChat` sends it) as
 * turns. An assistant message that is a fragment as JSON becomes the turn's `fragment`; any
 * other answer becomes its `commentary`, verbatim. A user message without an answer is a turn
 * without one.
 *
 * @example
 * ```ts
 * import { turnsFromMessages } from '@fragmentkit/core';
 *
 * turnsFromMessages([
 *   { role: 'user', content: 'Make a counter' },
 *   { role: 'assistant', content: JSON.stringify(fragment) },
 * ]); // [{ input: 'Make a counter', fragment }]
 * ```
 */
export function turnsFromMessages(messages: readonly ModelMessage[]): ConversationTurn[] {
  const turns: ConversationTurn[] = [];
  let open: ConversationTurn | undefined;
  for (const message of messages) {
    if (message.role === 'user') {
      open = { input: message.content };
      turns.push(open);
      continue;
    }
    if (!open || open.fragment !== undefined || open.commentary !== undefined) {
      open = { input: '' };
      turns.push(open);
    }
    const fragment = parseFragment(message.content);
    if (fragment) open.fragment = fragment;
    else open.commentary = message.content;
  }
  return turns;
}

/**
 * Whether `history` holds turns rather than chat messages.
 *
 * @example
 * ```ts
 * isTurnList([{ input: 'Make a counter' }]); // true
 * ```
 */
export function isTurnList(
  history: readonly ModelMessage[] | readonly ConversationTurn[],
): history is ConversationTurn[] {
  return history.length > 0 && !('role' in history[0]!);
}

function parseFragment(content: string): TurnFragment | undefined {
  if (!content.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(content);
    if (typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string') {
      return value as TurnFragment;
    }
  } catch {
    // Not JSON after all: an answer in prose that happens to start with a brace.
  }
  return undefined;
}
