import Anthropic from '@anthropic-ai/sdk';
import type { Usage } from '../usage.js';
import { createModelStream, incompleteStreamError, type StreamChunkMapper, tokenCount } from './modelStream.js';
import { createSdkClient, requireOption } from './providerConfig.js';
import { toProviderError } from './providerErrors.js';
import type { FinishReason, LanguageModel, ModelRequest, ModelStreamEvent } from './types.js';

const defaultBaseURL = 'https://api.anthropic.com';
const defaultMaxOutputTokens = 8192;

/**
 * Options for {@link createAnthropicModel}.
 *
 * @example
 * ```ts
 * const options: AnthropicModelOptions = { apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' };
 * ```
 */
export interface AnthropicModelOptions {
  apiKey: string;
  /** Model id, e.g. `claude-sonnet-4-5`. */
  model: string;
  /** Defaults to `https://api.anthropic.com`; the `ANTHROPIC_BASE_URL` variable is deliberately not read. */
  baseURL?: string;
  /** Output limit when a request sets none. Defaults to 8192; Anthropic requires one on every request. */
  maxOutputTokens?: number;
  /** Custom `fetch`, e.g. to add tracing or run behind a proxy. */
  fetch?: typeof fetch;
  /** Extra headers on every request, e.g. `anthropic-beta`. */
  headers?: Record<string, string>;
  /** Name reported as {@link LanguageModel.provider} and in errors. Defaults to `anthropic`. */
  provider?: string;
}

/**
 * A {@link LanguageModel} backed by the Anthropic Messages API, streamed over SSE. The SDK
 * does not retry (retries and fallback belong to the router); aborting `request.signal` or
 * cancelling the returned stream cancels the HTTP request.
 *
 * @example
 * ```ts
 * import { createAnthropicModel } from '@fragmentkit/core/providers';
 *
 * const model = createAnthropicModel({ apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' });
 * const stream = await model.stream({ system: 'You write React.', messages: [{ role: 'user', content: 'A counter' }] });
 * for await (const event of stream) {
 *   if (event.type === 'text-delta') process.stdout.write(event.text);
 * }
 * ```
 */
export function createAnthropicModel(options: AnthropicModelOptions): LanguageModel {
  const provider = options.provider ?? 'anthropic';
  requireOption(options.apiKey, 'apiKey', provider, 'Pass the API key, e.g. process.env.ANTHROPIC_API_KEY.');
  requireOption(options.model, 'model', provider, 'Pass a model id such as claude-sonnet-4-5.');
  const client = createSdkClient(
    provider,
    () =>
      new Anthropic({
        apiKey: options.apiKey,
        // An explicit null keeps ANTHROPIC_AUTH_TOKEN from the environment out of the request.
        authToken: null,
        baseURL: options.baseURL ?? defaultBaseURL,
        maxRetries: 0,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.headers ? { defaultHeaders: options.headers } : {}),
      }),
  );
  const errorOptions = { apiKey: options.apiKey };

  return {
    provider,
    modelId: options.model,
    async stream(request: ModelRequest): Promise<ReadableStream<ModelStreamEvent>> {
      const upstream = await client.messages
        .create(
          {
            model: options.model,
            max_tokens: request.maxOutputTokens ?? options.maxOutputTokens ?? defaultMaxOutputTokens,
            ...(request.system ? { system: toSystemParameter(request.system, request.systemCacheBreakpoints) } : {}),
            messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
            ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
            stream: true,
          },
          request.signal ? { signal: request.signal } : undefined,
        )
        .catch((error: unknown) => {
          throw toProviderError(error, provider, errorOptions);
        });
      return createModelStream({
        provider,
        upstream,
        abortUpstream: () => upstream.controller.abort(),
        mapper: createAnthropicChunkMapper(provider),
        signal: request.signal,
        errorOptions,
      });
    },
  };
}

/** Anthropic caches at most four prefixes per request; the longest ones are kept. */
const maxCacheBreakpoints = 4;

/**
 * The system prompt as the API takes it: a plain string without breakpoints; with them, one
 * text block per stable segment, each marked `cache_control` so its prefix is cached, and the
 * rest (e.g. the per-request canary) in a final unmarked block.
 */
function toSystemParameter(
  system: string,
  breakpoints: readonly number[] | undefined,
): string | Anthropic.TextBlockParam[] {
  const offsets = [...new Set(breakpoints ?? [])]
    .filter((offset) => Number.isInteger(offset) && offset > 0 && offset <= system.length)
    .sort((left, right) => left - right)
    .slice(-maxCacheBreakpoints);
  if (offsets.length === 0) return system;
  const blocks: Anthropic.TextBlockParam[] = [];
  let start = 0;
  for (const offset of offsets) {
    const text = system.slice(start, offset);
    // The API rejects blank text blocks; a blank segment adds nothing to cache anyway.
    if (text.trim() !== '') {
      blocks.push({ type: 'text', text, cache_control: { type: 'ephemeral' } });
      start = offset;
    }
  }
  const rest = system.slice(start);
  if (rest.trim() !== '') blocks.push({ type: 'text', text: rest });
  return blocks;
}

/**
 * Reads Anthropic's raw stream events. Usage arrives in two halves: input and cache counts in
 * `message_start`, cumulative output counts in `message_delta`; `message_stop` is the only
 * proof that the answer is complete.
 */
function createAnthropicChunkMapper(provider: string): StreamChunkMapper<Anthropic.RawMessageStreamEvent> {
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let finishReason: FinishReason = 'other';

  const readUsage = (reported: Partial<Record<string, unknown>> | null | undefined) => {
    if (!reported) return;
    const input = tokenCount(reported.input_tokens);
    const output = tokenCount(reported.output_tokens);
    const cacheRead = tokenCount(reported.cache_read_input_tokens);
    const cacheWrite = tokenCount(reported.cache_creation_input_tokens);
    if (input !== undefined) usage.inputTokens = input;
    if (output !== undefined) usage.outputTokens = output;
    if (cacheRead) usage.cachedInputTokens = cacheRead;
    if (cacheWrite) usage.cacheWriteTokens = cacheWrite;
  };

  return {
    map(event) {
      switch (event?.type) {
        case 'message_start':
          readUsage(event.message?.usage as unknown as Record<string, unknown> | undefined);
          return [];
        case 'content_block_delta':
          if (event.delta?.type === 'text_delta' && typeof event.delta.text === 'string' && event.delta.text) {
            return [{ type: 'text-delta', text: event.delta.text }];
          }
          return [];
        case 'message_delta':
          readUsage(event.usage as unknown as Record<string, unknown> | undefined);
          if (event.delta?.stop_reason) finishReason = toFinishReason(event.delta.stop_reason);
          return [];
        case 'message_stop':
          return [{ type: 'finish', finishReason, usage: { ...usage } }];
        default:
          return [];
      }
    },
    end() {
      throw incompleteStreamError(provider);
    },
  };
}

function toFinishReason(stopReason: string): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'refusal':
      return 'content-filter';
    case 'tool_use':
      return 'tool-calls';
    default:
      return 'other';
  }
}
