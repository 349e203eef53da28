import { FragmentkitError } from '../errors.js';
import type { Tokenizer } from './tokenizer.js';

/**
 * A {@link Tokenizer} that counts like `base` times `factor`, rounded up. Models without a
 * public tokenizer (Claude, Gemini, most open-weight models) split text into more or fewer
 * tokens than the OpenAI encodings; a factor measured against a known encoding keeps budgets
 * on the safe side. The name records the correction, e.g. `estimate*1.3`.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` when `factor` is not a positive finite number.
 *
 * @example
 * ```ts
 * import { estimateTokenizer, withTokenCorrection } from '@fragmentkit/core';
 *
 * const claude = withTokenCorrection(estimateTokenizer, 1.3);
 * claude.count('const answer = 42;'); // ceil(7 * 1.3) = 10
 * ```
 */
export function withTokenCorrection(base: Tokenizer, factor: number): Tokenizer {
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 0) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `A token correction factor must be a positive number, got ${factor}.`,
      {
        details: { factor },
      },
    );
  }
  if (factor === 1) return base;
  return {
    name: `${base.name}*${factor}`,
    count: (text) => Math.ceil(base.count(text) * factor),
  };
}
