import { FragmentkitError } from '../errors.js';
import { defaultPrices } from './defaultPrices.js';
import { type ModelPrice, toMicroUsdPrice } from './modelPrice.js';

/**
 * A model to price: its id alone, or with the provider that serves it (the
 * {@link LanguageModel} `provider` and `modelId`), which lets provider-scoped entries such as
 * `ollama:*` apply.
 *
 * @example
 * ```ts
 * import type { ModelReference } from '@fragmentkit/core';
 *
 * const byId: ModelReference = 'gpt-4o-mini';
 * const byTarget: ModelReference = { provider: model.provider, modelId: model.modelId };
 * ```
 */
export type ModelReference = string | { provider?: string; modelId: string };

/**
 * The entry of a {@link PriceTable} that priced a model.
 *
 * @example
 * ```ts
 * const match = prices.lookup('claude-sonnet-4-5-20250929');
 * match?.key; // 'claude-sonnet-4-5'
 * ```
 */
export interface PriceMatch {
  /** The table key that matched, e.g. `claude-sonnet-4-5` or `ollama:*`. */
  key: string;
  price: Readonly<ModelPrice>;
}

/**
 * Prices by model, as made by {@link createPriceTable}. Pass it to `computeCost`.
 *
 * @example
 * ```ts
 * const prices = createPriceTable();
 * prices.lookup({ provider: 'ollama', modelId: 'qwen2.5-coder:7b' }); // { key: 'ollama:*', price: { input: 0, output: 0 } }
 * prices.lookup('some-new-model'); // undefined
 * ```
 */
export interface PriceTable {
  /** Every entry, keys in lower case. */
  readonly prices: Readonly<Record<string, Readonly<ModelPrice>>>;
  /** The entry for `model` (see {@link createPriceTable} for the order of matching), or `undefined` when none applies. */
  lookup(model: ModelReference): PriceMatch | undefined;
}

/**
 * Options of {@link createPriceTable}.
 *
 * @example
 * ```ts
 * import { createPriceTable, type PriceTableOptions } from '@fragmentkit/core';
 * const options: PriceTableOptions = { base: {} }; // only the overrides, no built-in prices
 * const prices = createPriceTable({ 'my-finetune': { input: 1, output: 4 } }, options);
 * ```
 */
export interface PriceTableOptions {
  /** The prices the overrides apply to. Defaults to {@link defaultPrices}; pass `{}` to start empty. */
  base?: Readonly<Record<string, ModelPrice>>;
}

/*
 * A suffix that names a snapshot of the same model: a date (`-20250929`, `-2024-08-06`,
 * Vertex's `@20250929`), Mistral's `-2411`, or `-latest`. Nothing else is stripped, because a
 * general longest-prefix match would price `gpt-5-nano` as `gpt-5` (25 times too much) or
 * `claude-opus-4-6` as `claude-opus-4` (three times too much).
 */
const snapshotSuffix = /(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-\d{4}|-latest)$/;

/**
 * Makes a {@link PriceTable}: {@link defaultPrices} (or `options.base`) with `overrides`
 * on top. Keys are matched without regard to case and take three forms:
 *
 * - `model-id`: the model, whichever provider serves it;
 * - `provider:model-id`: the model only when that provider serves it;
 * - `provider:*`: every model of that provider, e.g. `ollama:*` at 0 for local models.
 *
 * A model is looked up in this order, the first hit winning: `provider:model-id`, the same
 * with a snapshot suffix removed, `provider:*`, `model-id`, then `model-id` with a snapshot
 * suffix removed. A snapshot suffix is a date (`claude-sonnet-4-5-20250929` matches
 * `claude-sonnet-4-5`; `gpt-4o-2024-08-06` matches `gpt-4o`), Vertex's `@20250929`, Mistral's
 * `-2411` or `-latest`. Other differences never match: an unknown model gets no price rather
 * than the price of a similar name. An exact key wins over a suffix match, which is how a
 * snapshot priced differently from its family (such as `gpt-4o-2024-05-13`) gets its own
 * price.
 *
 * Prices change: check {@link defaultPricesAsOf} and override what your contracts differ on
 * (batch or regional rates, long-context surcharges, negotiated discounts).
 *
 * @throws FragmentkitError `INVALID_REQUEST` when a rate is not valid (see {@link ModelPrice}).
 *
 * @example
 * ```ts
 * import { computeCost, createPriceTable } from '@fragmentkit/core';
 *
 * const prices = createPriceTable({
 *   'gpt-4o': { input: 2.25, output: 9, cachedInput: 1.125 }, // a negotiated rate
 *   'groq:qwen/qwen3-32b': { input: 0.29, output: 0.59 },
 * });
 * const cost = computeCost(usage, { provider: 'groq', modelId: 'qwen/qwen3-32b' }, prices);
 * ```
 */
export function createPriceTable(
  overrides: Readonly<Record<string, ModelPrice>> = {},
  options: PriceTableOptions = {},
): PriceTable {
  const prices: Record<string, Readonly<ModelPrice>> = {};
  for (const [key, price] of [...Object.entries(options.base ?? defaultPrices), ...Object.entries(overrides)]) {
    const normalisedKey = key.trim().toLowerCase();
    if (normalisedKey === '') {
      throw new FragmentkitError('INVALID_REQUEST', 'A price table key must not be empty.', {
        details: { key },
      });
    }
    toMicroUsdPrice(price, normalisedKey);
    prices[normalisedKey] = Object.freeze({ ...price });
  }
  Object.freeze(prices);

  function find(key: string): PriceMatch | undefined {
    const price = Object.hasOwn(prices, key) ? prices[key] : undefined;
    return price === undefined ? undefined : { key, price };
  }

  function findModel(prefix: string, modelId: string): PriceMatch | undefined {
    return (
      find(prefix + modelId) ??
      (snapshotSuffix.test(modelId) ? find(prefix + modelId.replace(snapshotSuffix, '')) : undefined)
    );
  }

  return {
    prices,
    lookup(model) {
      const { provider, modelId } = typeof model === 'string' ? { provider: undefined, modelId: model } : model;
      const id = modelId.trim().toLowerCase();
      const scope = provider?.trim().toLowerCase();
      const scoped = scope ? (findModel(`${scope}:`, id) ?? find(`${scope}:*`)) : undefined;
      return scoped ?? findModel('', id);
    },
  };
}
