import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { renderAttachment } from '../prompt/renderAttachment.js';
import { estimateTokens, type Tokenizer } from '../tokens/tokenizer.js';
import type { Attachment } from './attachment.js';
import { budgetAttachments } from './budget.js';
import { createAttachment } from './createAttachment.js';

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
      },
      {
        id: b.id,
        filePath: 'src/b.py',
        range: { startLine: 1, endLine: 1 },
        tokens: budget.included[1]?.tokens,
        truncated: false,
        dropped: false,
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
    expect(entry.tokens).toBe(estimateTokens(entry.rendered));
    expect(entry.tokens).toBeLessThanOrEqual(4000);

    // One more line would not have fitted.
    const oneMore = lines.slice(0, kept.length + 1).join('\n');
    const oneMoreNote = note.replace(`lines ${120 + kept.length}-`, `lines ${121 + kept.length}-`);
    expect(estimateTokens(renderAttachment(big, oneMore, oneMoreNote))).toBeGreaterThan(4000);

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
    expect(cut.tokens).toBe(cut.rendered.length);
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

  it('counts with the given tokenizer, on the rendered blocks only', () => {
    const counted: string[] = [];
    const words: Tokenizer = {
      name: 'words',
      count: (text) => {
        counted.push(text);
        return text.split(/\s+/).filter(Boolean).length;
      },
    };
    const big = snippet('src/words.ts', 1, codeLines(50));
    const budget = budgetAttachments([big], { tokenizer: words, maxTokensPerAttachment: 120 });

    const [entry] = budget.included;
    expect(entry?.truncated).toBe(true);
    expect(entry?.tokens).toBe(entry?.rendered.split(/\s+/).filter(Boolean).length);
    expect(entry?.tokens).toBeLessThanOrEqual(120);
    expect(counted.length).toBeGreaterThan(1);
    expect(counted.every((text) => text.startsWith('File: src/words.ts (lines 1-'))).toBe(true);
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
