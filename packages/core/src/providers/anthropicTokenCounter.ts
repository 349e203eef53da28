import Anthropic from '@anthropic-ai/sdk';
import type { InputTokenCounter } from '../tokens/inputTokenCounter.js';
import type { AnthropicModelOptions } from './anthropic.js';
import { createSdkClient, requireOption } from './providerConfig.js';
import { toProviderError } from './providerErrors.js';

/**
 * Options for {@link createAnthropicTokenCounter}: the connection settings of the model whose
 * tokens are counted.
 *
 * @example
 * ```ts
 * const options: AnthropicTokenCounterOptions = { apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' };
 * ```
 */
export type AnthropicTokenCounterOptions = Pick<
  AnthropicModelOptions,
  'apiKey' | 'model' | 'baseURL' | 'fetch' | 'headers' | 'provider'
>;

/**
 * An {@link InputTokenCounter} backed by Anthropic's free token-counting endpoint
 * (`POST /v1/messages/count_tokens`): the exact input tokens of a prompt for a Claude model,
 * whose tokenizer is not public. Pass it to `createContextEngine` as `countTokens`.
 *
 * @example
 * ```ts
 * import { createAnthropicTokenCounter } from '@fragmentkit/core/providers';
 * import { createContextEngine } from '@fragmentkit/core';
 *
 * const engine = createContextEngine({
 *   countTokens: createAnthropicTokenCounter({ apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' }),
 * });
 * ```
 */
export function createAnthropicTokenCounter(options: AnthropicTokenCounterOptions): InputTokenCounter {
  const provider = options.provider ?? 'anthropic';
  requireOption(options.apiKey, 'apiKey', provider, 'Pass the API key, e.g. process.env.ANTHROPIC_API_KEY.');
  requireOption(options.model, 'model', provider, 'Pass a model id such as claude-sonnet-4-5.');
  const client = createSdkClient(
    provider,
    () =>
      new Anthropic({
        apiKey: options.apiKey,
        authToken: null,
        baseURL: options.baseURL ?? 'https://api.anthropic.com',
        maxRetries: 0,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.headers ? { defaultHeaders: options.headers } : {}),
      }),
  );
  return async (request) => {
    const counted = await client.messages
      .countTokens(
        {
          model: options.model,
          ...(request.system ? { system: request.system } : {}),
          messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
        },
        request.signal ? { signal: request.signal } : undefined,
      )
      .catch((error: unknown) => {
        throw toProviderError(error, provider, { apiKey: options.apiKey });
      });
    return counted.input_tokens;
  };
}
