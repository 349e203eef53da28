import { withTokenCorrection } from './correctedTokenizer.js';
import { loadGptTokenizer } from './gptTokenizer.js';
import { defaultModelLimits, findModelLimits, type ModelLimits } from './modelLimits.js';
import { estimateTokenizer, type Tokenizer } from './tokenizer.js';

/**
 * Options for {@link tokenizerForModel} and {@link loadTokenizerForModel}.
 *
 * @example
 * ```ts
 * const options: TokenizerForModelOptions = { modelLimits: { 'my-model': { contextWindow: 32_768, maxOutputTokens: 4096, tokenCorrection: 1.2 } } };
 * ```
 */
export interface TokenizerForModelOptions {
  /** Where the model's correction factor and encoding are looked up. Defaults to {@link defaultModelLimits}. */
  modelLimits?: Readonly<Record<string, Readonly<ModelLimits>>>;
}

/**
 * The conservative tokenizer for `model`, without loading anything: the default estimator,
 * multiplied by the model's `tokenCorrection` when it has no public tokenizer (Claude counts
 * about 1.3 tokens per `o200k_base` token). The estimator already runs 10-30% above the OpenAI
 * encodings, so budgets built with it stay inside the window.
 *
 * @example
 * ```ts
 * import { buildPrompt, tokenizerForModel } from '@fragmentkit/core';
 *
 * const model = 'claude-sonnet-4-5';
 * const built = buildPrompt({ input, model, tokenizer: tokenizerForModel(model) });
 * ```
 */
export function tokenizerForModel(model: string, options: TokenizerForModelOptions = {}): Tokenizer {
  const limits = findModelLimits(model, options.modelLimits ?? defaultModelLimits);
  return withTokenCorrection(estimateTokenizer, limits?.tokenCorrection ?? 1);
}

/**
 * The most exact tokenizer available for `model`: its OpenAI encoding through the optional
 * peer dependency `gpt-tokenizer` when it has one (GPT-4o, GPT-4.1, GPT-5, o-series use
 * `o200k_base`; GPT-4 and GPT-3.5 `cl100k_base`), else {@link tokenizerForModel}. For exact
 * counts of models without a public tokenizer, ask the provider (see `createContextEngine`'s
 * `countTokens`).
 *
 * @throws {FragmentkitError} `INTERNAL` (rejects) when the model needs `gpt-tokenizer` and it is not installed.
 *
 * @example
 * ```ts
 * import { loadTokenizerForModel } from '@fragmentkit/core';
 * const tokenizer = await loadTokenizerForModel('gpt-4o-mini'); // name: 'o200k_base'
 * ```
 */
export async function loadTokenizerForModel(model: string, options: TokenizerForModelOptions = {}): Promise<Tokenizer> {
  const limits = findModelLimits(model, options.modelLimits ?? defaultModelLimits);
  if (limits?.encoding) {
    return withTokenCorrection(await loadGptTokenizer(limits.encoding), limits.tokenCorrection ?? 1);
  }
  return tokenizerForModel(model, options);
}
