import { FragmentkitError, isAbortError } from '../errors.js';
import { withTokenCorrection } from '../tokens/correctedTokenizer.js';
import type { InputTokenCounter } from '../tokens/inputTokenCounter.js';
import { estimateTokenizer } from '../tokens/tokenizer.js';
import { type BuildPromptOptions, type BuiltPrompt, buildPrompt, defaultKeepTurns } from './buildPrompt.js';
import { isTurnList, turnsFromMessages } from './conversationTurn.js';
import { type SummarySource, summarizeOlderTurns } from './historySummary.js';
import { numberTurns } from './renderTurn.js';
import { createMemorySummaryCache, type SummaryCache } from './summaryCache.js';
import type { Summarizer } from './summaryRequest.js';

/**
 * Options for {@link createContextEngine}.
 *
 * @example
 * ```ts
 * const options: ContextEngineOptions = { summarize, onError: (error, stage) => logger.warn({ stage, error }) };
 * ```
 */
export interface ContextEngineOptions {
  /** Summarises turns older than `keepTurns`, e.g. with a cheap model through the router. Without it, summaries are deterministic. */
  summarize?: Summarizer;
  /** Keeps each conversation's summary between requests. Defaults to {@link createMemorySummaryCache}. */
  summaryCache?: SummaryCache;
  /** Counts the built prompt through the provider's endpoint, for an exact report and a re-fit when estimates fell short. */
  countTokens?: InputTokenCounter;
  /** Told about a summariser or token-count failure; the request goes on with the fallback. */
  onError?: (error: unknown, stage: 'summarize' | 'count-tokens') => void;
}

/**
 * Options for {@link ContextEngine.prepare}: those of `buildPrompt`, plus the conversation.
 *
 * @example
 * ```ts
 * const options: PrepareContextOptions = { input, history, conversationId: `${teamId}:${conversationId}`, model: 'gpt-4o' };
 * ```
 */
export interface PrepareContextOptions extends BuildPromptOptions {
  /** Keys the cached summary; scope it to the tenant. Without it, nothing is cached. */
  conversationId?: string;
  /** Aborts the summariser and the token count. */
  signal?: AbortSignal;
}

/**
 * A built prompt, and where its summary came from.
 *
 * @example
 * ```ts
 * const { system, systemCacheBreakpoints, messages, report, summarySource } = await engine.prepare(options);
 * ```
 */
export interface PreparedContext extends BuiltPrompt {
  /** `none` when no turn was old enough to summarise or the caller passed `summary`. */
  summarySource: SummarySource | 'none';
}

/**
 * Builds prompts with the parts that need I/O: a model-made summary of older turns, cached per
 * conversation, and an optional exact count from the provider. See {@link createContextEngine}.
 *
 * @example
 * ```ts
 * const built = await engine.prepare({ input, history, conversationId });
 * await model.stream({ system: built.system, systemCacheBreakpoints: built.systemCacheBreakpoints, messages: built.messages });
 * ```
 */
export interface ContextEngine {
  /**
   * Summarises what is older than `keepTurns` (reusing the cached summary, growing it by the
   * turns that aged out since), builds the prompt with `buildPrompt`, and counts it with
   * `countTokens` when configured. When the provider's count is over the budget, the prompt is
   * built once more with counts scaled by the provider's ratio, so the cuts happen here rather
   * than as a provider error.
   *
   * @throws {FragmentkitError} what `buildPrompt` throws, and `ABORTED` when `signal` aborts.
   */
  prepare(options: PrepareContextOptions): Promise<PreparedContext>;
}

/**
 * Creates a {@link ContextEngine}, the asynchronous front of `buildPrompt`.
 *
 * @example
 * ```ts
 * import { buildSummaryRequest, createContextEngine } from '@fragmentkit/core';
 *
 * const engine = createContextEngine({
 *   summarize: async (request) => (await router.generate('summarize', buildSummaryRequest(request))).text,
 * });
 * const built = await engine.prepare({ input, attachments, history, conversationId, model: 'claude-sonnet-4-5' });
 * ```
 */
export function createContextEngine(options: ContextEngineOptions = {}): ContextEngine {
  const cache = options.summaryCache ?? createMemorySummaryCache();
  const report = options.onError ?? (() => {});

  return {
    async prepare(prepareOptions) {
      try {
        return await prepare(prepareOptions);
      } catch (error) {
        if (prepareOptions.signal?.aborted || isAbortError(error)) {
          throw new FragmentkitError('ABORTED', 'The request was aborted while its context was prepared.', {
            cause: error,
          });
        }
        throw error;
      }
    },
  };

  async function prepare(prepareOptions: PrepareContextOptions): Promise<PreparedContext> {
    const { conversationId, signal, ...buildOptions } = prepareOptions;
    signal?.throwIfAborted();
    const history = buildOptions.history ?? [];
    const turns = numberTurns(isTurnList(history) ? history : turnsFromMessages(history));
    const keepTurns = buildOptions.keepTurns ?? defaultKeepTurns;
    const olderTurns =
      Number.isInteger(keepTurns) && keepTurns >= 0 ? turns.slice(0, Math.max(0, turns.length - keepTurns)) : [];

    let summarySource: PreparedContext['summarySource'] = 'none';
    let summary = buildOptions.summary;
    if (summary === undefined && olderTurns.length > 0) {
      const resolved = await summarizeOlderTurns({
        turns: olderTurns,
        conversationId,
        cache,
        summarize: options.summarize,
        signal,
        onError: (error) => report(error, 'summarize'),
      });
      summary = resolved.text;
      summarySource = resolved.source;
    }

    const settings: BuildPromptOptions = {
      ...buildOptions,
      history: turns,
      ...(summary === undefined ? {} : { summary }),
    };
    let built = withSummarySource(buildPrompt(settings), summarySource);
    if (!options.countTokens) return built;

    const counted = await countOrSkip(options.countTokens, built, signal, report);
    if (counted === undefined) return built;
    const available = built.report.budget?.availableTokens;
    if (available !== undefined && counted > available && built.report.totalTokens > 0) {
      const tokenizer = withTokenCorrection(
        buildOptions.tokenizer ?? estimateTokenizer,
        Math.ceil((counted / built.report.totalTokens) * 100) / 100,
      );
      built = withSummarySource(buildPrompt({ ...settings, tokenizer, canary: built.canary ?? false }), summarySource);
      const recounted = await countOrSkip(options.countTokens, built, signal, report);
      return recounted === undefined ? built : withProviderCount(built, recounted);
    }
    return withProviderCount(built, counted);
  }
}

function withSummarySource(built: BuiltPrompt, source: PreparedContext['summarySource']): PreparedContext {
  const history = built.report.history;
  if (history && history.summary !== 'none' && source !== 'none') {
    history.summary = source === 'fallback' ? 'fallback' : 'model';
  }
  return { ...built, summarySource: source };
}

function withProviderCount(built: PreparedContext, counted: number): PreparedContext {
  return { ...built, report: { ...built.report, providerInputTokens: counted } };
}

async function countOrSkip(
  countTokens: InputTokenCounter,
  built: BuiltPrompt,
  signal: AbortSignal | undefined,
  report: (error: unknown, stage: 'count-tokens') => void,
): Promise<number | undefined> {
  try {
    return await countTokens({
      system: built.system,
      systemCacheBreakpoints: built.systemCacheBreakpoints,
      messages: built.messages,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted || isAbortError(error)) throw error;
    report(error, 'count-tokens');
    return undefined;
  }
}
