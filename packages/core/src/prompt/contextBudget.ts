import { FragmentkitError } from '../errors.js';
import { defaultModelLimits, findModelLimits, type ModelLimits } from '../tokens/modelLimits.js';
import type { ContextBudgetReport } from './types.js';

/**
 * Options for {@link resolveContextBudget}.
 *
 * @example
 * ```ts
 * const options: ContextBudgetOptions = { model: 'llama3.1:8b', contextWindow: 8192, maxOutputTokens: 1024 };
 * ```
 */
export interface ContextBudgetOptions {
  /** Model id, looked up in `modelLimits` for its context window and output limit. */
  model?: string;
  /** The model table. Defaults to {@link defaultModelLimits}. */
  modelLimits?: Readonly<Record<string, Readonly<ModelLimits>>>;
  /** The context window, for models the table does not know (or to override it). */
  contextWindow?: number;
  /**
   * Tokens kept free for the answer; pass the same number as the request's `maxOutputTokens`.
   * Defaults to the model's output limit, at most 8192 (what the Anthropic provider asks for
   * when a request sets no limit) and at most a quarter of the window.
   */
  maxOutputTokens?: number;
}

/** The answer size reserved when the request does not say, as the Anthropic provider's default. */
const defaultOutputReserve = 8192;

/**
 * The token budget of a prompt: the model's context window less the answer's tokens and a
 * safety margin of min(1000 tokens, 2% of the window) for counting error and message framing.
 * `undefined` when the window is unknown (no `contextWindow`, and `model` missing or not in the
 * table): the prompt is then limited by the attachment caps only.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` when a number is invalid or the answer's reserve
 * leaves no room for a prompt.
 *
 * @example
 * ```ts
 * import { resolveContextBudget } from '@fragmentkit/core';
 * resolveContextBudget({ model: 'gpt-4o' });
 * // { model: 'gpt-4o', contextWindow: 128000, reservedOutputTokens: 8192, safetyMarginTokens: 1000, availableTokens: 118808 }
 * ```
 */
export function resolveContextBudget(options: ContextBudgetOptions): ContextBudgetReport | undefined {
  const limits =
    options.model === undefined ? undefined : findModelLimits(options.model, options.modelLimits ?? defaultModelLimits);
  const contextWindow = options.contextWindow ?? limits?.contextWindow;
  if (contextWindow === undefined) return undefined;
  assertCount('contextWindow', contextWindow, 1);
  if (options.maxOutputTokens !== undefined) assertCount('maxOutputTokens', options.maxOutputTokens, 0);
  const reservedOutputTokens =
    options.maxOutputTokens ??
    Math.min(limits?.maxOutputTokens ?? defaultOutputReserve, defaultOutputReserve, Math.floor(contextWindow / 4));
  const safetyMarginTokens = Math.min(1000, Math.floor(contextWindow * 0.02));
  const availableTokens = contextWindow - reservedOutputTokens - safetyMarginTokens;
  if (availableTokens <= 0) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `A context window of ${contextWindow} tokens leaves no room for a prompt after reserving ${reservedOutputTokens} tokens for the answer and ${safetyMarginTokens} as a margin. Lower maxOutputTokens.`,
      { details: { contextWindow, reservedOutputTokens, safetyMarginTokens } },
    );
  }
  return {
    ...(limits && options.model !== undefined ? { model: options.model } : {}),
    contextWindow,
    reservedOutputTokens,
    safetyMarginTokens,
    availableTokens,
  };
}

/**
 * The error for a prompt whose parts that may not be cut (system prompt, the user's input and
 * the notice of what was attached) need more than the budget allows.
 */
export function contextTooLargeError(
  budget: ContextBudgetReport,
  protectedParts: Record<string, number>,
): FragmentkitError {
  const requiredTokens = Object.values(protectedParts).reduce((sum, tokens) => sum + tokens, 0);
  const overflowTokens = requiredTokens - budget.availableTokens;
  const model = budget.model ? ` of ${budget.model}` : '';
  return new FragmentkitError(
    'CONTEXT_TOO_LARGE',
    `The prompt does not fit the context window${model}: the system prompt and the input alone need ${requiredTokens} tokens, ` +
      `${overflowTokens} more than the ${budget.availableTokens} available (${budget.contextWindow} in the window, less ` +
      `${budget.reservedOutputTokens} for the answer and ${budget.safetyMarginTokens} as a margin). Shorten the input by at least ${overflowTokens} tokens.`,
    { details: { overflowTokens, requiredTokens, ...budget, parts: protectedParts } },
  );
}

function assertCount(name: string, value: number, minimum: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new FragmentkitError('INVALID_REQUEST', `${name} must be an integer >= ${minimum}, got ${String(value)}.`, {
      details: { [name]: value },
    });
  }
}
