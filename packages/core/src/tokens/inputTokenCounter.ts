import type { ModelMessage } from '../prompt/types.js';

/**
 * What a provider's token-counting endpoint is asked about: a prompt as `buildPrompt` makes it.
 *
 * @example
 * ```ts
 * const request: TokenCountRequest = { system: built.system, messages: built.messages };
 * ```
 */
export interface TokenCountRequest {
  system: string;
  systemCacheBreakpoints?: number[];
  messages: ModelMessage[];
  signal?: AbortSignal;
}

/**
 * Counts a prompt's input tokens the way the model will, through the provider's own endpoint
 * (e.g. `createAnthropicTokenCounter` from `@fragmentkit/core/providers`). It costs a network
 * round trip, so `createContextEngine` calls it once per request, after the prompt is built.
 *
 * @example
 * ```ts
 * import type { InputTokenCounter } from '@fragmentkit/core';
 *
 * const countTokens: InputTokenCounter = async ({ system, messages }) =>
 *   (await client.messages.countTokens({ model, system, messages })).input_tokens;
 * ```
 */
export type InputTokenCounter = (request: TokenCountRequest) => Promise<number>;
