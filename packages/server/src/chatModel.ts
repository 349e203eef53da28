import type { ModelRequest, ModelStreamEvent, RouterStreamEvent } from '@fragmentkit/core';

/**
 * A fallback took over after part of an answer had streamed: discard what came before it.
 *
 * @example
 * ```ts
 * const restart: ChatModelRestart = { type: 'restart', reason: 'STREAM_INCOMPLETE', fromTargetId: 'primary', targetId: 'fallback', provider: 'openai', model: 'gpt-4o-mini' };
 * ```
 */
export type ChatModelRestart = Extract<RouterStreamEvent, { type: 'restart' }>;

/**
 * One event of the stream a chat answers from: a model's events, plus restarts when a router answers.
 *
 * @example
 * ```ts
 * const event: ChatModelEvent = { type: 'text-delta', text: '{"title"' };
 * ```
 */
export type ChatModelEvent = ModelStreamEvent | ChatModelRestart;

/**
 * What answers a chat: a `LanguageModel` as it is, or a router behind `createRouterChatModel`.
 * `provider` and `modelId` name who is answering; for a router they change when the answer
 * starts and on every restart, so usage is priced for the target that produced it.
 *
 * @example
 * ```ts
 * const model: ChatModel = createAnthropicModel({ apiKey, model: 'claude-sonnet-4-5' });
 * ```
 */
export interface ChatModel {
  readonly provider: string;
  readonly modelId: string;
  stream(request: ModelRequest): Promise<ReadableStream<ChatModelEvent>>;
}
