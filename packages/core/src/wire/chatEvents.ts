import type { ErrorBody } from '../errors.js';
import type { Fragment, PartialFragment } from '../fragment/schema.js';
import type { PromptReport } from '../prompt/types.js';
import type { FinishReason } from '../providers/types.js';
import type { Usage } from '../usage.js';

/** First event of every chat stream. */
export interface MetaEvent {
  type: 'meta';
  requestId: string;
  conversationId: string;
  provider: string;
  model: string;
  prompt: PromptReport;
}

/** The fragment so far, as the model streams it. Replaces the previous partial. */
export interface FragmentDeltaEvent {
  type: 'fragment-delta';
  fragment: PartialFragment;
}

/** A fallback took over: discard any partial output received so far. */
export interface RestartEvent {
  type: 'restart';
  reason: string;
  provider: string;
  model: string;
}

/** Token usage of the answer. */
export interface UsageEvent {
  type: 'usage';
  usage: Usage;
}

/** Terminal success: the final, schema-valid fragment. */
export interface DoneEvent {
  type: 'done';
  fragment: Fragment;
  finishReason: FinishReason;
}

/** Terminal failure. */
export interface ErrorEvent {
  type: 'error';
  error: ErrorBody;
}

/**
 * Every event of a chat stream. On the wire each is one Server-Sent Event whose `event:` is
 * the `type` and whose `data:` is this object as JSON. A stream always ends with `done` or
 * `error`.
 *
 * @example
 * ```ts
 * function onEvent(event: ChatStreamEvent) {
 *   if (event.type === 'fragment-delta') render(event.fragment);
 *   if (event.type === 'done') save(event.fragment);
 * }
 * ```
 */
export type ChatStreamEvent = MetaEvent | FragmentDeltaEvent | RestartEvent | UsageEvent | DoneEvent | ErrorEvent;

/** The `type` of every {@link ChatStreamEvent}. */
export type ChatStreamEventType = ChatStreamEvent['type'];

/**
 * The event types that end a chat stream.
 *
 * @example
 * ```ts
 * import { isTerminalChatEvent } from '@fragmentkit/core';
 * if (isTerminalChatEvent(event)) close();
 * ```
 */
export function isTerminalChatEvent(event: ChatStreamEvent): event is DoneEvent | ErrorEvent {
  return event.type === 'done' || event.type === 'error';
}
