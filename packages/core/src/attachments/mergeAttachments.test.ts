import { describe, expect, it } from 'vitest';
import type { Attachment, LineRange } from './attachment.js';
import { contentHash } from './contentHash.js';
import { createAttachment, sliceLines } from './createAttachment.js';
import { createErrorAttachment } from './createErrorAttachment.js';
import { createFileAttachment } from './createFileAttachment.js';
import { mergeAttachments } from './mergeAttachments.js';

const source = Array.from({ length: 60 }, (_, index) => `const line${index + 1} = ${index + 1};`).join('\n');

function lines(startLine: number, endLine: number, filePath = 'src/App.tsx', from = source): Attachment {
  const range: LineRange = { startLine, endLine };
  return createAttachment({ filePath, text: sliceLines(from, range), range });
}

describe('mergeAttachments', () => {
  it('merges overlapping ranges of one file without repeating the shared lines', () => {
    const [merged, ...rest] = mergeAttachments([lines(10, 20), lines(15, 30)]);
    expect(rest).toEqual([]);
    expect(merged).toEqual(lines(10, 30));
    expect(merged?.id).toBe('src/App.tsx#L10-L30');
    expect(merged?.contentHash).toBe(contentHash(sliceLines(source, { startLine: 10, endLine: 30 })));
  });

  it('merges adjacent ranges', () => {
    expect(mergeAttachments([lines(21, 30), lines(10, 20)])).toEqual([lines(10, 30)]);
  });

  it('drops a range contained in another', () => {
    const outer = lines(5, 40);
    expect(mergeAttachments([lines(10, 12), outer])).toEqual([outer]);
    expect(mergeAttachments([outer, lines(5, 40)])).toEqual([outer]);
  });

  it('keeps ranges of different files, and ranges with a gap, apart', () => {
    const other = lines(10, 20, 'src/other.ts');
    expect(mergeAttachments([lines(10, 20), other, lines(22, 30)])).toEqual([lines(10, 20), other, lines(22, 30)]);
  });

  it('merges three ranges into one when the third bridges the other two', () => {
    const unrelated = lines(1, 3, 'src/b.ts');
    expect(mergeAttachments([lines(1, 10), unrelated, lines(20, 30), lines(8, 22)])).toEqual([lines(1, 30), unrelated]);
  });

  it('treats the same id as one attachment, the later copy winning in place', () => {
    const old = createAttachment({ filePath: 'src/a.ts', text: 'old', range: { startLine: 1, endLine: 1 } });
    const fresh = createAttachment({ filePath: 'src/a.ts', text: 'new', range: { startLine: 1, endLine: 1 } });
    const other = lines(1, 2, 'src/z.ts');
    expect(mergeAttachments([old, other, fresh])).toEqual([fresh, other]);
  });

  it('keeps overlapping ranges apart when their shared lines differ: they come from different versions', () => {
    const edited = source.replace('const line15 = 15;', 'const line15 = 150;');
    const before = lines(10, 20);
    const after = lines(15, 30, 'src/App.tsx', edited);
    expect(mergeAttachments([before, after])).toEqual([before, after]);
  });

  it('folds snippets into an attached whole file, and joins a file with a snippet that runs past it', () => {
    const file = createFileAttachment({ filePath: 'src/App.tsx', text: source });
    expect(mergeAttachments([lines(3, 9), file, lines(50, 60)])).toEqual([file]);
    const short = createFileAttachment({
      filePath: 'src/App.tsx',
      text: sliceLines(source, { startLine: 1, endLine: 10 }),
    });
    expect(mergeAttachments([short, lines(5, 15)])).toEqual([lines(1, 15)]);
  });

  it('only deduplicates error attachments', () => {
    const error = createErrorAttachment({ message: 'boom', filePath: 'src/App.tsx', source, line: 12 });
    expect(mergeAttachments([error, lines(10, 14), error])).toEqual([error, lines(10, 14)]);
  });

  it('returns an empty list for no attachments', () => {
    expect(mergeAttachments([])).toEqual([]);
  });
});
