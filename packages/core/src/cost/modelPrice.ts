import { FragmentkitError } from '../errors.js';

/**
 * What a model costs, in USD per million tokens, for each kind of token in {@link Usage}.
 * A rate that is left out bills its tokens at the `input` rate: never less than the provider
 * could charge, so an incomplete price errs on the expensive side.
 *
 * Rates may have at most six decimals (a millionth of a dollar per million tokens), which
 * every published price has; finer rates are rejected rather than rounded.
 *
 * @example
 * ```ts
 * import type { ModelPrice } from '@fragmentkit/core';
 *
 * const sonnet: ModelPrice = { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 };
 * ```
 */
export interface ModelPrice {
  /** USD per million input tokens billed at the normal rate. */
  input: number;
  /** USD per million output tokens (reasoning tokens included). */
  output: number;
  /** USD per million input tokens read from the provider's prompt cache. Defaults to `input`. */
  cachedInput?: number;
  /** USD per million input tokens written to the provider's prompt cache. Defaults to `input`. */
  cacheWrite?: number;
}

/** A {@link ModelPrice} as whole micro-dollars per million tokens, which is also pico-dollars per token. */
export interface MicroUsdPrice {
  input: bigint;
  output: bigint;
  cachedInput: bigint;
  cacheWrite: bigint;
}

const microUsdPerUsd = 1_000_000;

/**
 * Converts a price to exact integers, or throws `INVALID_REQUEST` naming the bad rate.
 * `name` identifies the price in the message (a price table key, or `price`).
 */
export function toMicroUsdPrice(price: ModelPrice, name: string): MicroUsdPrice {
  const input = rateInMicroUsd(price.input, 'input', name);
  return {
    input,
    output: rateInMicroUsd(price.output, 'output', name),
    cachedInput: price.cachedInput === undefined ? input : rateInMicroUsd(price.cachedInput, 'cachedInput', name),
    cacheWrite: price.cacheWrite === undefined ? input : rateInMicroUsd(price.cacheWrite, 'cacheWrite', name),
  };
}

function rateInMicroUsd(rate: unknown, field: keyof ModelPrice, name: string): bigint {
  if (typeof rate === 'number' && Number.isFinite(rate) && rate >= 0) {
    const microUsd = Math.round(rate * microUsdPerUsd);
    // The product of a six-decimal rate and 1e6 lands within float noise of a whole number.
    if (Math.abs(microUsd - rate * microUsdPerUsd) < 1e-6 * Math.max(1, microUsd) && Number.isSafeInteger(microUsd)) {
      return BigInt(microUsd);
    }
  }
  throw new FragmentkitError(
    'INVALID_REQUEST',
    `The ${field} rate of ${name} must be a number of USD per million tokens, at least 0 and with at most 6 decimals; got ${String(rate)}.`,
    { details: { price: name, field, value: typeof rate === 'number' ? rate : String(rate) } },
  );
}
