import type { GptEncodingName } from './gptTokenizer.js';

/**
 * What a model can take and give, for the context budget.
 *
 * @example
 * ```ts
 * const limits: ModelLimits = { contextWindow: 32_768, maxOutputTokens: 4096, tokenCorrection: 1.2 };
 * ```
 */
export interface ModelLimits {
  /** Input and output tokens together. */
  contextWindow: number;
  /** Most tokens one answer may have. */
  maxOutputTokens: number;
  /** The model's public encoding, for an exact count with `loadGptTokenizer`. */
  encoding?: GptEncodingName;
  /**
   * For models without a public tokenizer: their tokens per `o200k_base` token, measured on
   * code and prose and rounded up. Budgets multiply counts by it.
   */
  tokenCorrection?: number;
}

const claude = { contextWindow: 200_000, tokenCorrection: 1.3 };
const gpt5: ModelLimits = { contextWindow: 400_000, maxOutputTokens: 128_000, encoding: 'o200k_base' };
const gpt41: ModelLimits = { contextWindow: 1_047_576, maxOutputTokens: 32_768, encoding: 'o200k_base' };
const gpt4o: ModelLimits = { contextWindow: 128_000, maxOutputTokens: 16_384, encoding: 'o200k_base' };
const reasoning: ModelLimits = { contextWindow: 200_000, maxOutputTokens: 100_000, encoding: 'o200k_base' };

/**
 * Context windows and output limits of well-known models, as the providers publish them.
 * Keys are model ids; a key also covers its snapshots (`claude-sonnet-4-5-20250929`,
 * `gpt-4o-2024-08-06`) and, failing a closer key, the ids it is a prefix of (`claude` covers
 * Claude models not listed, with the 8192-token output limit every Claude model since 3.5 allows). Pass your own table or
 * `contextWindow` to `buildPrompt` for other models, e.g. a local model whose window is its
 * `num_ctx`.
 *
 * @example
 * ```ts
 * import { defaultModelLimits } from '@fragmentkit/core';
 * defaultModelLimits['gpt-4o']; // { contextWindow: 128000, maxOutputTokens: 16384, encoding: 'o200k_base' }
 * ```
 */
export const defaultModelLimits: Readonly<Record<string, Readonly<ModelLimits>>> = Object.freeze({
  claude: { ...claude, maxOutputTokens: 8192 },
  'claude-opus-4-5': { ...claude, maxOutputTokens: 64_000 },
  'claude-opus-4-1': { ...claude, maxOutputTokens: 32_000 },
  'claude-opus-4': { ...claude, maxOutputTokens: 32_000 },
  'claude-sonnet-4-5': { ...claude, maxOutputTokens: 64_000 },
  'claude-sonnet-4': { ...claude, maxOutputTokens: 64_000 },
  'claude-haiku-4-5': { ...claude, maxOutputTokens: 64_000 },
  'claude-3-7-sonnet': { ...claude, maxOutputTokens: 64_000 },
  'claude-3-5-sonnet': { ...claude, maxOutputTokens: 8192 },
  'claude-3-5-haiku': { ...claude, maxOutputTokens: 8192 },
  'claude-3-haiku': { ...claude, maxOutputTokens: 4096 },
  'gpt-5': gpt5,
  'gpt-5.1': gpt5,
  'gpt-5-mini': gpt5,
  'gpt-5-nano': gpt5,
  'gpt-4.1': gpt41,
  'gpt-4.1-mini': gpt41,
  'gpt-4.1-nano': gpt41,
  'gpt-4o': gpt4o,
  'gpt-4o-mini': gpt4o,
  'gpt-4-turbo': { contextWindow: 128_000, maxOutputTokens: 4096, encoding: 'cl100k_base' },
  'gpt-4': { contextWindow: 8192, maxOutputTokens: 8192, encoding: 'cl100k_base' },
  'gpt-3.5-turbo': { contextWindow: 16_385, maxOutputTokens: 4096, encoding: 'cl100k_base' },
  o3: reasoning,
  'o3-mini': reasoning,
  'o4-mini': reasoning,
});

/** A snapshot of the same model: a date, Mistral's `-2411`, or `-latest`. */
const snapshotSuffix = /(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-\d{4}|-latest)$/;

/**
 * The limits of `model` in `table`: the entry for the id itself, else for the id without a
 * snapshot suffix or a `provider/` prefix, else for the longest key the id starts with (followed
 * by `-`, `.` or `:`). Matching ignores case. `undefined` for models the table does not know.
 *
 * @example
 * ```ts
 * import { findModelLimits } from '@fragmentkit/core';
 * findModelLimits('claude-sonnet-4-5-20250929')?.contextWindow; // 200000
 * findModelLimits('llama3.1:8b'); // undefined
 * ```
 */
export function findModelLimits(
  model: string,
  table: Readonly<Record<string, Readonly<ModelLimits>>> = defaultModelLimits,
): Readonly<ModelLimits> | undefined {
  const entries = new Map(Object.entries(table).map(([key, limits]) => [key.toLowerCase(), limits]));
  const id = model.trim().toLowerCase();
  const candidates = [id, id.replace(snapshotSuffix, '')];
  const slash = id.lastIndexOf('/');
  if (slash !== -1) candidates.push(id.slice(slash + 1), id.slice(slash + 1).replace(snapshotSuffix, ''));
  for (const candidate of candidates) {
    const exact = entries.get(candidate);
    if (exact) return exact;
  }
  let best: string | undefined;
  for (const key of entries.keys()) {
    for (const candidate of candidates) {
      const next = candidate.charAt(key.length);
      const isFamily = candidate.startsWith(key) && (next === '-' || next === '.' || next === ':');
      if (isFamily && (best === undefined || key.length > best.length)) best = key;
    }
  }
  return best === undefined ? undefined : entries.get(best);
}
