import { FragmentkitError } from '../errors.js';
import type { Tokenizer } from './tokenizer.js';

/**
 * The OpenAI encodings {@link loadGptTokenizer} can load.
 *
 * @example
 * ```ts
 * const encoding: GptEncodingName = 'cl100k_base';
 * ```
 */
export type GptEncodingName = 'o200k_base' | 'cl100k_base';

type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;

const loading = new Map<GptEncodingName, Promise<Tokenizer>>();

/**
 * Loads an exact {@link Tokenizer} for an OpenAI encoding from the optional peer dependency
 * `gpt-tokenizer`: `o200k_base` (GPT-4o, GPT-4.1, GPT-5, o-series) or `cl100k_base` (GPT-4,
 * GPT-3.5). The vocabulary (a few MB) is imported on first use and shared afterwards, so
 * nobody pays for it who does not ask. Special tokens such as `<|endoftext|>` in attached code
 * are counted as the plain text they are, never rejected.
 *
 * @throws {FragmentkitError} `INTERNAL` (rejects) when `gpt-tokenizer` is not installed; install it
 * next to `@fragmentkit/core`.
 *
 * @example
 * ```ts
 * import { buildPrompt, loadGptTokenizer } from '@fragmentkit/core';
 *
 * const tokenizer = await loadGptTokenizer('o200k_base');
 * const { report } = buildPrompt({ input, attachments, tokenizer, model: 'gpt-4o' });
 * ```
 */
export function loadGptTokenizer(encoding: GptEncodingName = 'o200k_base'): Promise<Tokenizer> {
  if (encoding !== 'o200k_base' && encoding !== 'cl100k_base') {
    return Promise.reject(
      new FragmentkitError('INVALID_REQUEST', `Unknown encoding "${String(encoding)}": use o200k_base or cl100k_base.`),
    );
  }
  let tokenizer = loading.get(encoding);
  if (!tokenizer) {
    tokenizer = importEncoding(encoding).then(
      (countTokens): Tokenizer => ({
        name: encoding,
        count: (text) => countTokens(text, { disallowedSpecial: noSpecialTokens }),
      }),
      (error: unknown) => {
        loading.delete(encoding);
        throw new FragmentkitError(
          'INTERNAL',
          `Could not load the ${encoding} tokenizer: install the optional peer dependency gpt-tokenizer (pnpm add gpt-tokenizer).`,
          { cause: error },
        );
      },
    );
    loading.set(encoding, tokenizer);
  }
  return tokenizer;
}

const noSpecialTokens = new Set<string>();

// Literal specifiers, so bundlers can split each vocabulary into its own chunk.
async function importEncoding(encoding: GptEncodingName): Promise<CountTokens> {
  const module =
    encoding === 'o200k_base'
      ? await import('gpt-tokenizer/encoding/o200k_base')
      : await import('gpt-tokenizer/encoding/cl100k_base');
  return module.countTokens;
}
