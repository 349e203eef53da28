import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { withTokenCorrection } from './correctedTokenizer.js';
import { estimateTokenizer, estimateTokens, type Tokenizer } from './tokenizer.js';

describe('withTokenCorrection', () => {
  it('multiplies counts by the factor, rounding up, and names the correction', () => {
    const claude = withTokenCorrection(estimateTokenizer, 1.3);
    const text = 'const answer = 42;';
    expect(claude.name).toBe('estimate*1.3');
    expect(claude.count(text)).toBe(Math.ceil(estimateTokens(text) * 1.3));
    const words: Tokenizer = { name: 'words', count: (value) => value.split(' ').length };
    expect(withTokenCorrection(words, 0.5).count('a b c')).toBe(2);
  });

  it('returns the tokenizer itself for a factor of 1', () => {
    expect(withTokenCorrection(estimateTokenizer, 1)).toBe(estimateTokenizer);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the factor %s', (factor) => {
    try {
      withTokenCorrection(estimateTokenizer, factor);
      expect.unreachable();
    } catch (error) {
      expect(FragmentkitError.isInstance(error) && error.code).toBe('INVALID_REQUEST');
    }
  });
});
