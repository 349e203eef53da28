import { describe, expect, it, vi } from 'vitest';
import { fitLeadingLines, lineCount } from './fitLeadingLines.js';
import { estimateTokenizer, estimateTokens } from './tokenizer.js';

const lines = Array.from({ length: 400 }, (_, index) => `  total += values[${index}] * weights.get("w${index}") ?? 0;`);
const text = lines.join('\n');
const render = (kept: string, note?: string) => `Block:\n\`\`\`ts\n${kept}\n\`\`\`${note ? `\n${note}` : ''}`;

function fit(limit: number, tokenizer = estimateTokenizer) {
  return fitLeadingLines({
    text,
    limit,
    tokenizer,
    frameTokens: tokenizer.count(render('')) + 1,
    noteTokens: tokenizer.count('[cut]') + 1,
    renderWhole: () => render(text),
    renderPart: (keptText) => render(keptText, '[cut]'),
  });
}

describe('fitLeadingLines', () => {
  it('keeps everything, counted whole, when it fits', () => {
    const fitted = fit(Number.POSITIVE_INFINITY);
    expect(fitted).toMatchObject({ kept: 400, whole: true, keptText: text, tokens: estimateTokens(render(text)) });
  });

  it('keeps the longest run of leading lines that fits by the sum of its pieces, an upper bound of the whole count', () => {
    for (const limit of [60, 500, 1234, 5000]) {
      const fitted = fit(limit)!;
      expect(fitted.whole).toBe(false);
      expect(fitted.keptText).toBe(lines.slice(0, fitted.kept).join('\n'));
      expect(fitted.rendered).toBe(render(fitted.keptText, '[cut]'));
      expect(fitted.tokens).toBeLessThanOrEqual(limit);
      expect(fitted.tokens).toBeGreaterThanOrEqual(estimateTokens(fitted.rendered));
      // Runs of 1, 2, 4, 8, then 16 lines, each rounded up once.
      expect(fitted.tokens).toBeLessThanOrEqual(estimateTokens(fitted.rendered) + Math.ceil(fitted.kept / 16) + 6);
      expect(fitted.tokens + estimateTokens(`${lines[fitted.kept]}\n`) + 1).toBeGreaterThan(limit);
    }
  });

  it('counts only about what fits', () => {
    const count = vi.fn((value: string) => estimateTokens(value));
    fit(500, { name: 'spy', count });
    const counted = count.mock.calls.reduce((sum, [value]) => sum + value.length, 0);
    expect(counted).toBeLessThan(text.length / 5);
  });

  it('gives up when not even the frame or the first line fits', () => {
    expect(fit(10)).toBeUndefined();
    expect(fit(estimateTokens(render('')) + 1)).toBeUndefined();
  });
});

describe('lineCount', () => {
  it('counts lines as one more than line breaks', () => {
    expect([lineCount(''), lineCount('a'), lineCount('a\n'), lineCount('a\nb\nc')]).toEqual([1, 1, 2, 3]);
  });
});
