import type { ModelPrice } from './modelPrice.js';

/**
 * When {@link defaultPrices} were last checked against the providers' published list prices
 * (ISO date). Prices change and new models appear: hosts that bill users should pass their
 * own rates to `createPriceTable`.
 *
 * @example
 * ```ts
 * import { defaultPricesAsOf } from '@fragmentkit/core';
 * console.info(`using list prices as of ${defaultPricesAsOf}`);
 * ```
 */
export const defaultPricesAsOf = '2026-11-01';

const opus4: ModelPrice = { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 };
const opus45: ModelPrice = { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 };
const sonnet4: ModelPrice = { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 };
const gpt5: ModelPrice = { input: 1.25, output: 10, cachedInput: 0.125 };

/**
 * Built-in list prices in USD per million tokens, as of {@link defaultPricesAsOf}: standard
 * rates only, not batch, regional or priority tiers. See `createPriceTable` for how ids match.
 *
 * - Anthropic: `cacheWrite` is the 5-minute cache write; 1-hour writes cost twice the input
 *   rate, and Sonnet 4 and 4.5 prompts over 200K tokens cost $6 / $22.50. Override if you use
 *   either.
 * - OpenAI: no charge for cache writes, so they bill as input.
 * - Groq's Llama models are scoped to the `groq` provider, because other hosts of the same
 *   open weights charge differently.
 * - Local models served by Ollama (`ollama:*`) cost 0.
 * - DeepSeek is left out on purpose: its rates depend on the time of day, which one price per
 *   token cannot express. Add your own `deepseek:...` entries if an estimate is good enough.
 *
 * @example
 * ```ts
 * import { defaultPrices } from '@fragmentkit/core';
 * defaultPrices['claude-sonnet-4-5']; // { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 }
 * ```
 */
export const defaultPrices: Readonly<Record<string, Readonly<ModelPrice>>> = freezeEach({
  'claude-opus-5': opus45,
  'claude-opus-4-8': opus45,
  'claude-opus-4-7': opus45,
  'claude-opus-4-6': opus45,
  'claude-opus-4-5': opus45,
  'claude-opus-4-1': opus4,
  'claude-opus-4': opus4,
  'claude-opus-4-0': opus4,
  'claude-sonnet-5': { input: 2, output: 10, cachedInput: 0.2, cacheWrite: 2.5 },
  'claude-sonnet-4-6': sonnet4,
  'claude-sonnet-4-5': sonnet4,
  'claude-sonnet-4': sonnet4,
  'claude-sonnet-4-0': sonnet4,
  'claude-3-7-sonnet': sonnet4,
  'claude-haiku-4-5': { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cachedInput: 0.08, cacheWrite: 1 },
  'claude-3-haiku': { input: 0.25, output: 1.25, cachedInput: 0.03, cacheWrite: 0.3 },

  'gpt-5.2': { input: 1.75, output: 14, cachedInput: 0.175 },
  'gpt-5.1': gpt5,
  'gpt-5': gpt5,
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-2024-05-13': { input: 5, output: 15 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  o3: { input: 2, output: 8, cachedInput: 0.5 },
  'o3-mini': { input: 1.1, output: 4.4, cachedInput: 0.55 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },

  'groq:llama-3.3-70b-versatile': { input: 0.59, output: 0.79 },
  'groq:llama-3.1-8b-instant': { input: 0.05, output: 0.08 },
  'groq:meta-llama/llama-4-scout-17b-16e-instruct': { input: 0.11, output: 0.34 },
  'groq:meta-llama/llama-4-maverick-17b-128e-instruct': { input: 0.2, output: 0.6 },

  'mistral-large-2411': { input: 2, output: 6 },
  'mistral-small-2503': { input: 0.1, output: 0.3 },
  'codestral-2501': { input: 0.3, output: 0.9 },

  'ollama:*': { input: 0, output: 0 },
});

function freezeEach(prices: Record<string, ModelPrice>): Readonly<Record<string, Readonly<ModelPrice>>> {
  return Object.freeze(
    Object.fromEntries(Object.entries(prices).map(([key, price]) => [key, Object.freeze({ ...price })])),
  );
}
