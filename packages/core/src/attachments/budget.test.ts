import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { renderAttachment } from '../prompt/renderAttachment.js';
import { estimateTokens, type Tokenizer } from '../tokens/tokenizer.js';
import type { Attachment } from './attachment.js';
import { budgetAttachments } from './budget.js';
import { createAttachment } from './createAttachment.js';
import { createFileAttachment } from './createFileAttachment.js';

/** Counts characters: easy to reason about, and not the default tokenizer. */
const characters: Tokenizer = { name: 'characters', count: (text) => text.length };

function snippet(filePath: string, startLine: number, lines: string[]): Attachment {
  return createAttachment({
    filePath,
    text: lines.join('\n'),
    range: { startLine, endLine: startLine + lines.length - 1 },
  });
}

/** `count` lines of realistic code, numbered from `first`. */
function codeLines(count: number, first = 1): string[] {
  return Array.from(
    { length: count },
    (_, index) => `  const value${first + index} = compute(${first + index}, options.scale) * ratio; // step ${index}`,
  );
}

describe('budgetAttachments', () => {
  it('includes snippets that fit, in order, counting their rendered blocks', () => {
    const a = snippet('src/a.ts', 3, codeLines(3));
    const b = snippet('src/b.py', 1, ['print("hi")']);
    const budget = budgetAttachments([a, b]);

    expect(budget.included.map((entry) => entry.attachment.id)).toEqual([a.id, b.id]);
    expect(budget.included[0]).toEqual({
      attachment: a,
      text: a.text,
      rendered: renderAttachment(a),
      tokens: estimateTokens(renderAttachment(a)),
      truncated: false,
    });
    expect(budget.truncated).toEqual([]);
    expect(budget.dropped).toEqual([]);
    expect(budget.totalTokens).toBe(estimateTokens(renderAttachment(a)) + estimateTokens(renderAttachment(b)));
    expect(budget.reports).toEqual([
      {
        id: a.id,
        filePath: 'src/a.ts',
        range: { startLine: 3, endLine: 5 },
        tokens: budget.included[0]?.tokens,
        truncated: false,
        dropped: false,
        stale: false,
      },
      {
        id: b.id,
        filePath: 'src/b.py',
        range: { startLine: 1, endLine: 1 },
        tokens: budget.included[1]?.tokens,
        truncated: false,
        dropped: false,
        stale: false,
      },
    ]);
  });

  it('cuts a snippet over the per-snippet cap to the first whole lines that fit, with a note', () => {
    const lines = codeLines(300, 120);
    const big = snippet('src/App.tsx', 120, lines);
    expect(estimateTokens(renderAttachment(big))).toBeGreaterThan(4000);

    const budget = budgetAttachments([big]);
    const [entry] = budget.included;
    if (!entry) throw new Error('expected the snippet to be included');
    const kept = entry.text.split('\n');

    expect(entry.truncated).toBe(true);
    expect(kept).toEqual(lines.slice(0, kept.length));
    expect(kept.length).toBeGreaterThan(10);
    expect(entry.omitted).toEqual({ startLine: 120 + kept.length, endLine: 419 });
    const note = `[fragmentkit: lines ${120 + kept.length}-419 of src/App.tsx omitted: over the 4000-token budget for one snippet]`;
    expect(entry.rendered).toBe(renderAttachment(big, entry.text, note));
    expect(entry.rendered.endsWith(`\`\`\`\n${note}`)).toBe(true);
    // Counted in pieces: never below the count of the block, at most about a token per run of lines above it.
    expect(entry.tokens).toBeGreaterThanOrEqual(estimateTokens(entry.rendered));
    expect(entry.tokens).toBeLessThanOrEqual(estimateTokens(entry.rendered) + Math.ceil(kept.length / 16) + 6);
    expect(entry.tokens).toBeLessThanOrEqual(4000);

    // One more line would not have fitted.
    expect(entry.tokens + estimateTokens(`${lines[kept.length]}\n`) + 1).toBeGreaterThan(4000);

    expect(budget.truncated).toEqual([entry]);
    expect(budget.reports).toEqual([
      {
        id: big.id,
        filePath: 'src/App.tsx',
        range: { startLine: 120, endLine: 419 },
        tokens: entry.tokens,
        omitted: { startLine: 120 + kept.length, endLine: 419 },
        truncated: true,
        dropped: false,
        stale: false,
      },
    ]);
  });

  it('cuts the snippet that exhausts the total cap, then drops the ones that no longer fit', () => {
    const first = snippet('src/first.ts', 1, codeLines(10));
    const second = snippet('src/second.ts', 1, codeLines(40));
    const third = snippet('src/third.ts', 1, codeLines(5));
    const firstTokens = characters.count(renderAttachment(first));
    const maxTotalTokens = firstTokens + 1500;

    const budget = budgetAttachments([first, second, third], {
      tokenizer: characters,
      maxTokensPerAttachment: 100_000,
      maxTotalTokens,
    });

    expect(budget.included.map((entry) => entry.attachment.id)).toEqual([first.id, second.id]);
    const cut = budget.included[1];
    if (!cut) throw new Error('expected the second snippet');
    const kept = cut.text.split('\n').length;
    expect(cut.truncated).toBe(true);
    expect(cut.rendered).toContain(
      `[fragmentkit: lines ${kept + 1}-40 of src/second.ts omitted: the ${maxTotalTokens}-token budget for attached code ran out]`,
    );
    // A cut snippet is counted in pieces, with room held for the widest line numbers its note could have.
    expect(cut.tokens - cut.rendered.length).toBeGreaterThanOrEqual(0);
    expect(cut.tokens - cut.rendered.length).toBeLessThanOrEqual(6);
    expect(budget.totalTokens).toBe(firstTokens + cut.tokens);
    expect(budget.totalTokens).toBeLessThanOrEqual(maxTotalTokens);
    expect(budget.dropped).toEqual([third]);
    expect(budget.reports.map((report) => [report.id, report.truncated, report.dropped, report.tokens])).toEqual([
      [first.id, false, false, firstTokens],
      [second.id, true, false, cut.tokens],
      [third.id, false, true, 0],
    ]);
  });

  it('drops a snippet whose first line alone does not fit, rather than splitting the line', () => {
    const minified = snippet('dist/app.min.js', 1, ['x'.repeat(5000), 'short']);
    const small = snippet('src/small.ts', 1, ['export {};']);
    const budget = budgetAttachments([minified, small], { tokenizer: characters, maxTokensPerAttachment: 1000 });

    expect(budget.dropped).toEqual([minified]);
    expect(budget.included.map((entry) => entry.attachment.id)).toEqual([small.id]);
    expect(budget.reports[0]).toMatchObject({ id: minified.id, dropped: true, truncated: false, tokens: 0 });
    expect(budget.reports[0]).not.toHaveProperty('omitted');
  });

  it('drops a one-line snippet over the cap', () => {
    const line = snippet('data.json', 7, [`{"payload": "${'a'.repeat(400)}"}`]);
    const budget = budgetAttachments([line], { tokenizer: characters, maxTokensPerAttachment: 100 });
    expect(budget.dropped).toEqual([line]);
    expect(budget.totalTokens).toBe(0);
  });

  it('counts a repeated attachment once and reports each occurrence in input order', () => {
    const a = snippet('src/a.ts', 1, codeLines(2));
    const b = snippet('src/b.ts', 1, codeLines(2));
    const budget = budgetAttachments([a, b, { ...a }], { tokenizer: characters });

    expect(budget.included.map((entry) => entry.attachment.id)).toEqual([a.id, b.id]);
    expect(budget.reports.map((report) => report.id)).toEqual([a.id, b.id, a.id]);
    expect(budget.reports[2]).toEqual({ ...budget.reports[0], tokens: 0 });
    expect(budget.totalTokens).toBe(budget.reports.reduce((sum, report) => sum + report.tokens, 0));
  });

  it('handles no attachments and empty snippets', () => {
    expect(budgetAttachments([])).toEqual({ included: [], truncated: [], dropped: [], totalTokens: 0, reports: [] });

    const empty = snippet('src/empty.ts', 4, ['']);
    const budget = budgetAttachments([empty]);
    expect(budget.included).toHaveLength(1);
    expect(budget.included[0]?.rendered).toBe('File: src/empty.ts (lines 4-4)\n```typescript\n\n```');
  });

  it('keeps reports in input order when some attachments are dropped', () => {
    const attachments = [
      snippet('a.ts', 1, ['x'.repeat(300)]),
      snippet('b.ts', 1, ['ok']),
      snippet('c.ts', 1, ['y'.repeat(300)]),
      snippet('d.ts', 1, ['ok']),
    ];
    const budget = budgetAttachments(attachments, { tokenizer: characters, maxTokensPerAttachment: 200 });
    expect(budget.reports.map((report) => [report.filePath, report.dropped])).toEqual([
      ['a.ts', true],
      ['b.ts', false],
      ['c.ts', true],
      ['d.ts', false],
    ]);
    expect(budget.dropped.map((attachment) => attachment.filePath)).toEqual(['a.ts', 'c.ts']);
  });

  it('counts with the given tokenizer, and a cut attachment only as far as the budget goes', () => {
    let countedCharacters = 0;
    const words: Tokenizer = {
      name: 'words',
      count: (text) => {
        countedCharacters += text.length;
        return text.split(/\s+/).filter(Boolean).length;
      },
    };
    const big = snippet('src/words.ts', 1, codeLines(2000));
    const budget = budgetAttachments([big], { tokenizer: words, maxTokensPerAttachment: 120 });

    const [entry] = budget.included;
    expect(entry?.truncated).toBe(true);
    expect(entry?.tokens).toBeGreaterThanOrEqual(entry?.rendered.split(/\s+/).filter(Boolean).length ?? 0);
    expect(entry?.tokens).toBeLessThanOrEqual(120);
    // 2000 lines of about 80 characters; the 120 tokens that fit are a few lines of them.
    expect(countedCharacters).toBeLessThan(big.text.length / 20);
  });

  it('flags stale attachments in their reports', () => {
    const a = snippet('src/a.ts', 1, codeLines(2));
    const b = snippet('src/b.ts', 1, codeLines(2));
    const budget = budgetAttachments([a, b], { staleIds: [b.id] });
    expect(budget.reports.map((report) => [report.id, report.stale])).toEqual([
      [a.id, false],
      [b.id, true],
    ]);
  });

  it('says when the context window, not the cap, cut an attachment', () => {
    const big = snippet('src/App.tsx', 1, codeLines(100));
    const budget = budgetAttachments([big], {
      tokenizer: characters,
      maxTokensPerAttachment: 100_000,
      contextWindowTokens: 900,
    });
    expect(budget.included[0]?.rendered).toMatch(/omitted: the model's context window ran out\]$/);
    expect(budget.totalTokens).toBeLessThanOrEqual(900);
  });

  it('names the kind of attachment in the per-attachment note', () => {
    const file = createFileAttachment({ filePath: 'src/theme.ts', text: codeLines(200).join('\n') });
    const budget = budgetAttachments([file], { maxTokensPerAttachment: 500 });
    expect(budget.included[0]?.rendered).toMatch(/omitted: over the 500-token budget for one file\]$/);
  });

  it.each([{ maxTotalTokens: -1 }, { maxTokensPerAttachment: Number.NaN }])('rejects the caps %j', (options) => {
    expect(() => budgetAttachments([], options)).toThrow(FragmentkitError);
    try {
      budgetAttachments([], options);
    } catch (error) {
      expect((error as FragmentkitError).code).toBe('INVALID_REQUEST');
    }
  });
});
