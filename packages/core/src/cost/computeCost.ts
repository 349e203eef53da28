import { FragmentkitError } from '../errors.js';
import type { Usage } from '../usage.js';
import { type ModelPrice, toMicroUsdPrice } from './modelPrice.js';
import type { ModelReference, PriceTable } from './priceTable.js';

/**
 * What one model call cost, in USD, split like {@link Usage}.
 *
 * @example
 * ```ts
 * import type { Cost } from '@fragmentkit/core';
 *
 * const cost: Cost = { inputUsd: 0.0003, outputUsd: 0.012, cachedInputUsd: 0.015, cacheWriteUsd: 0.0075, totalUsd: 0.0348 };
 * ```
 */
export interface Cost {
  /** Input tokens at the normal rate. */
  inputUsd: number;
  outputUsd: number;
  /** Input tokens read from the provider's prompt cache. */
  cachedInputUsd: number;
  /** Input tokens written to the provider's prompt cache. */
  cacheWriteUsd: number;
  /** The sum of the four parts, summed exactly before conversion (not the float sum of the fields). */
  totalUsd: number;
}

const picoUsdPerUsd = 1e12;

/**
 * Prices a call's {@link Usage} with a {@link ModelPrice}, or with a {@link PriceTable} for a
 * model. The arithmetic is exact: rates become whole micro-dollars per million tokens (that
 * is, pico-dollars per token), token counts multiply them as big integers, and each amount is
 * divided into dollars once, at the end. So every field is the float nearest to the exact
 * decimal amount, and `totalUsd` is the nearest float to the exact sum (0.1 + 0.2 drift cannot
 * happen). Add many costs up in integer units (e.g. micro-dollars) rather than as floats.
 *
 * With a table, a model the table does not know costs `undefined`, never a guess; free models
 * (e.g. Ollama's) are in the table at 0 and cost 0.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when a token count is not a whole number of at
 * least 0, or a rate is not valid (see {@link ModelPrice}).
 *
 * @example
 * ```ts
 * import { computeCost, createPriceTable } from '@fragmentkit/core';
 *
 * const usage = { inputTokens: 1_200, outputTokens: 800, cachedInputTokens: 50_000 };
 * computeCost(usage, { input: 3, output: 15, cachedInput: 0.3 }).totalUsd; // 0.0306
 *
 * const prices = createPriceTable();
 * const cost = computeCost(usage, { provider: 'anthropic', modelId: 'claude-sonnet-4-5-20250929' }, prices);
 * if (cost === undefined) logger.warn('no price for this model; add it with createPriceTable({ ... })');
 * ```
 */
export function computeCost(usage: Usage, price: ModelPrice): Cost;
export function computeCost(usage: Usage, model: ModelReference, table: PriceTable): Cost | undefined;
export function computeCost(usage: Usage, priceOrModel: ModelPrice | ModelReference, table?: PriceTable) {
  if (table === undefined) return costWithPrice(usage, priceOrModel as ModelPrice, 'price');
  const match = table.lookup(priceOrModel as ModelReference);
  return match === undefined ? undefined : costWithPrice(usage, match.price, match.key);
}

function costWithPrice(usage: Usage, price: ModelPrice, name: string): Cost {
  const rates = toMicroUsdPrice(price, name);
  const input = tokenCount(usage.inputTokens, 'inputTokens') * rates.input;
  const output = tokenCount(usage.outputTokens, 'outputTokens') * rates.output;
  const cachedInput = tokenCount(usage.cachedInputTokens ?? 0, 'cachedInputTokens') * rates.cachedInput;
  const cacheWrite = tokenCount(usage.cacheWriteTokens ?? 0, 'cacheWriteTokens') * rates.cacheWrite;
  return {
    inputUsd: toUsd(input),
    outputUsd: toUsd(output),
    cachedInputUsd: toUsd(cachedInput),
    cacheWriteUsd: toUsd(cacheWrite),
    totalUsd: toUsd(input + output + cachedInput + cacheWrite),
  };
}

function tokenCount(value: unknown, field: keyof Usage): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw new FragmentkitError(
    'INVALID_REQUEST',
    `Usage field ${field} must be a whole number of tokens, at least 0; got ${String(value)}.`,
    { details: { field, value: typeof value === 'number' ? value : String(value) } },
  );
}

function toUsd(picoUsd: bigint): number {
  return Number(picoUsd) / picoUsdPerUsd;
}
