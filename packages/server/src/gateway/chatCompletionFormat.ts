import type { FinishReason, Usage } from '@fragmentkit/core';

/**
 * Token usage in OpenAI's shape. `prompt_tokens` counts every input token, cache reads and
 * writes included, as OpenAI does; `cached_tokens` is the part read from the prompt cache.
 *
 * @example
 * ```ts
 * const usage: OpenAIUsage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 0 } };
 * ```
 */
export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

/**
 * What every response of one completion shares.
 *
 * @example
 * ```ts
 * const identity: CompletionIdentity = { id: `chatcmpl-${requestId}`, created: Math.floor(Date.now() / 1000) };
 * ```
 */
export interface CompletionIdentity {
  id: string;
  /** Unix time in seconds. */
  created: number;
}

/**
 * fragmentkit usage as OpenAI reports it.
 *
 * @example
 * ```ts
 * toOpenAIUsage({ inputTokens: 10, outputTokens: 5, cachedInputTokens: 2 }).prompt_tokens; // 12
 * ```
 */
export function toOpenAIUsage(usage: Usage): OpenAIUsage {
  const cached = usage.cachedInputTokens ?? 0;
  const prompt = usage.inputTokens + cached + (usage.cacheWriteTokens ?? 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.outputTokens,
    total_tokens: prompt + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

/**
 * A finish reason as OpenAI names it; `other` has no counterpart and becomes `stop`.
 *
 * @example
 * ```ts
 * toOpenAIFinishReason('content-filter'); // 'content_filter'
 * ```
 */
export function toOpenAIFinishReason(reason: FinishReason): 'stop' | 'length' | 'content_filter' | 'tool_calls' {
  if (reason === 'length') return 'length';
  if (reason === 'content-filter') return 'content_filter';
  if (reason === 'tool-calls') return 'tool_calls';
  return 'stop';
}

/**
 * The body of a non-streamed answer, `object: 'chat.completion'`.
 *
 * @example
 * ```ts
 * const body = chatCompletion(identity, { model: 'gpt-4o-mini', text: 'Hi', finishReason: 'stop', usage });
 * ```
 */
export function chatCompletion(
  identity: CompletionIdentity,
  answer: { model: string; text: string; finishReason: FinishReason; usage: Usage },
) {
  return {
    id: identity.id,
    object: 'chat.completion' as const,
    created: identity.created,
    model: answer.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: answer.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: toOpenAIFinishReason(answer.finishReason),
      },
    ],
    usage: toOpenAIUsage(answer.usage),
  };
}

/**
 * One chunk of a streamed answer, `object: 'chat.completion.chunk'`. With `include_usage`
 * every chunk carries `usage: null` but the last, which has no choices and the usage.
 *
 * @example
 * ```ts
 * const chunk = chatCompletionChunk(identity, 'gpt-4o-mini', { choice: { delta: { content: 'Hi' }, finishReason: null } });
 * ```
 */
export function chatCompletionChunk(
  identity: CompletionIdentity,
  model: string,
  part:
    | {
        choice: { delta: { role?: 'assistant'; content?: string }; finishReason: FinishReason | null };
        includeUsage?: boolean;
      }
    | { usage: Usage },
) {
  const base = {
    id: identity.id,
    object: 'chat.completion.chunk' as const,
    created: identity.created,
    model,
    system_fingerprint: null,
  };
  if ('usage' in part) return { ...base, choices: [], usage: toOpenAIUsage(part.usage) };
  const { delta, finishReason } = part.choice;
  return {
    ...base,
    choices: [
      {
        index: 0,
        delta,
        logprobs: null,
        finish_reason: finishReason === null ? null : toOpenAIFinishReason(finishReason),
      },
    ],
    ...(part.includeUsage ? { usage: null } : {}),
  };
}
