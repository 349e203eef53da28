import OpenAI from 'openai';
import type { Usage } from '../usage.js';
import { createModelStream, incompleteStreamError, type StreamChunkMapper, tokenCount } from './modelStream.js';
import { createSdkClient, requireOption } from './providerConfig.js';
import { toProviderError } from './providerErrors.js';
import type { FinishReason, LanguageModel, ModelRequest, ModelStreamEvent } from './types.js';

const defaultBaseURL = 'https://api.openai.com/v1';
/** Sent when no key is given: local servers such as Ollama ignore it, but the SDK requires one. */
const placeholderApiKey = 'not-needed';

/**
 * Options for {@link createOpenAIModel}.
 *
 * @example
 * ```ts
 * const options: OpenAIModelOptions = { apiKey: process.env.OPENAI_API_KEY, model: 'gpt-4o-mini' };
 * ```
 */
export interface OpenAIModelOptions {
  /**
   * Sent as `Authorization: Bearer <apiKey>`. Servers that need no key (a local Ollama) can
   * omit it; the placeholder `not-needed` is sent instead because the SDK requires a value.
   */
  apiKey?: string;
  /** Model id, e.g. `gpt-4o-mini`, or `qwen2.5-coder` on Ollama. */
  model: string;
  /**
   * Any OpenAI-compatible endpoint, e.g. `http://localhost:11434/v1` (Ollama) or
   * `https://api.groq.com/openai/v1`. Defaults to `https://api.openai.com/v1`; the
   * `OPENAI_BASE_URL` variable is deliberately not read.
   */
  baseURL?: string;
  /** Name reported as {@link LanguageModel.provider} and in errors, e.g. `ollama`, `groq`. Defaults to `openai`. */
  provider?: string;
  /** Output limit when a request sets none. Unset means the server's default. */
  maxOutputTokens?: number;
  /** Custom `fetch`, e.g. to add tracing or run behind a proxy. */
  fetch?: typeof fetch;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

/**
 * Options for {@link createOpenAICompatibleModel}: like {@link OpenAIModelOptions}, but
 * `baseURL` is required.
 *
 * @example
 * ```ts
 * const options: OpenAICompatibleModelOptions = { baseURL: 'http://localhost:11434/v1', model: 'qwen2.5-coder', provider: 'ollama' };
 * ```
 */
export interface OpenAICompatibleModelOptions extends Omit<OpenAIModelOptions, 'baseURL'> {
  baseURL: string;
}

/**
 * A {@link LanguageModel} backed by the OpenAI Chat Completions API, or any server that
 * speaks it. Streams with `stream_options.include_usage` so token usage arrives at the end.
 * The SDK does not retry (retries and fallback belong to the router); aborting
 * `request.signal` or cancelling the returned stream cancels the HTTP request. The output
 * limit goes out as `max_completion_tokens` to api.openai.com and as `max_tokens`, which
 * compatible servers understand, everywhere else.
 *
 * @example
 * ```ts
 * import { createOpenAIModel } from '@fragmentkit/core/providers';
 *
 * const model = createOpenAIModel({ apiKey: process.env.OPENAI_API_KEY, model: 'gpt-4o-mini' });
 * const stream = await model.stream({ system: 'You write React.', messages: [{ role: 'user', content: 'A counter' }] });
 * for await (const event of stream) {
 *   if (event.type === 'finish') console.log(event.finishReason, event.usage);
 * }
 * ```
 */
export function createOpenAIModel(options: OpenAIModelOptions): LanguageModel {
  const provider = options.provider ?? 'openai';
  requireOption(options.model, 'model', provider, 'Pass a model id such as gpt-4o-mini.');
  const baseURL = options.baseURL ?? defaultBaseURL;
  const apiKey = options.apiKey || placeholderApiKey;
  const client = createSdkClient(
    provider,
    () =>
      new OpenAI({
        apiKey,
        baseURL,
        // Explicit nulls keep OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment out of the request.
        organization: null,
        project: null,
        maxRetries: 0,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.headers ? { defaultHeaders: options.headers } : {}),
      }),
  );
  const maxTokensField = isOfficialEndpoint(baseURL) ? 'max_completion_tokens' : 'max_tokens';
  const errorOptions = { apiKey };

  return {
    provider,
    modelId: options.model,
    async stream(request: ModelRequest): Promise<ReadableStream<ModelStreamEvent>> {
      const maxOutputTokens = request.maxOutputTokens ?? options.maxOutputTokens;
      const upstream = await client.chat.completions
        .create(
          {
            model: options.model,
            messages: [
              ...(request.system ? [{ role: 'system' as const, content: request.system }] : []),
              ...request.messages.map((message) => ({ role: message.role, content: message.content })),
            ],
            ...(maxOutputTokens === undefined ? {} : { [maxTokensField]: maxOutputTokens }),
            ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
            stream: true,
            stream_options: { include_usage: true },
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
        mapper: createOpenAIChunkMapper(provider),
        signal: request.signal,
        errorOptions,
      });
    },
  };
}

/**
 * A {@link LanguageModel} for any OpenAI-compatible server (Ollama, Groq, vLLM, LM Studio,
 * a gateway). The same as {@link createOpenAIModel}, but the base URL is required and the
 * provider name defaults to `openai-compatible`.
 *
 * @example
 * ```ts
 * import { createOpenAICompatibleModel } from '@fragmentkit/core/providers';
 *
 * // A local Ollama needs no API key.
 * const model = createOpenAICompatibleModel({
 *   baseURL: 'http://localhost:11434/v1',
 *   model: 'qwen2.5-coder:7b',
 *   provider: 'ollama',
 * });
 * ```
 */
export function createOpenAICompatibleModel(options: OpenAICompatibleModelOptions): LanguageModel {
  const provider = options.provider ?? 'openai-compatible';
  requireOption(options.baseURL, 'baseURL', provider, 'Pass the server URL, e.g. http://localhost:11434/v1.');
  return createOpenAIModel({ ...options, provider });
}

/**
 * Reads chat completion chunks. The `finish_reason` chunk is not the end: with
 * `include_usage` a usage chunk with no choices follows it, so `finish` goes out only once
 * the stream has ended.
 */
function createOpenAIChunkMapper(provider: string): StreamChunkMapper<OpenAI.ChatCompletionChunk> {
  // Servers that ignore include_usage never report usage; zero is the honest "unknown" here.
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let finishReason: FinishReason | undefined;

  return {
    map(chunk) {
      if (chunk?.usage) readUsage(usage, chunk.usage);
      const choices = Array.isArray(chunk?.choices) ? chunk.choices : [];
      const choice = choices.find((candidate) => candidate?.index === 0) ?? choices[0];
      if (!choice) return [];
      if (choice.finish_reason) finishReason = toFinishReason(choice.finish_reason);
      const text = choice.delta?.content;
      return typeof text === 'string' && text ? [{ type: 'text-delta', text }] : [];
    },
    end() {
      if (finishReason === undefined) throw incompleteStreamError(provider);
      return { type: 'finish', finishReason, usage: { ...usage } };
    },
  };
}

/** OpenAI counts cached tokens inside `prompt_tokens`; {@link Usage.inputTokens} excludes them. */
function readUsage(usage: Usage, reported: OpenAI.CompletionUsage): void {
  const prompt = tokenCount(reported.prompt_tokens) ?? 0;
  const cached = tokenCount(reported.prompt_tokens_details?.cached_tokens) ?? 0;
  usage.inputTokens = Math.max(0, prompt - cached);
  usage.outputTokens = tokenCount(reported.completion_tokens) ?? 0;
  if (cached > 0) usage.cachedInputTokens = cached;
}

function toFinishReason(reason: string): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    default:
      return 'other';
  }
}

function isOfficialEndpoint(baseURL: string): boolean {
  try {
    return new URL(baseURL).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}
