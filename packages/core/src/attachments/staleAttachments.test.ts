import { describe, expect, it } from 'vitest';
import type { ErrorAttachment } from './attachment.js';
import { createAttachment, sliceLines } from './createAttachment.js';
import { createErrorAttachment } from './createErrorAttachment.js';
import { createFileAttachment } from './createFileAttachment.js';
import { detectStale, refreshAttachment } from './staleAttachments.js';

const source = Array.from({ length: 40 }, (_, index) => `export const value${index + 1} = ${index + 1};`).join('\n');
const range = { startLine: 10, endLine: 12 };
const snippet = createAttachment({ filePath: 'src/values.ts', text: sliceLines(source, range), range });

describe('detectStale', () => {
  it('flags attachments whose lines changed, and only those', () => {
    const untouched = createAttachment({
      filePath: 'src/values.ts',
      text: sliceLines(source, { startLine: 1, endLine: 2 }),
      range: { startLine: 1, endLine: 2 },
    });
    const edited = source.replace('value11 = 11', 'value11 = 110');
    expect(detectStale([untouched, snippet], { 'src/values.ts': edited })).toEqual([snippet.id]);
    expect(detectStale([untouched, snippet], { 'src/values.ts': source })).toEqual([]);
  });

  it('flags lines that moved, a file that shrank below the range, and a whole file that changed anywhere', () => {
    expect(detectStale([snippet], { 'src/values.ts': `// header\n${source}` })).toEqual([snippet.id]);
    expect(detectStale([snippet], { 'src/values.ts': sliceLines(source, { startLine: 1, endLine: 11 }) })).toEqual([
      snippet.id,
    ]);
    const file = createFileAttachment({ filePath: 'src/values.ts', text: source });
    expect(detectStale([file], { 'src/values.ts': `${source}\n` })).toEqual([]);
    expect(detectStale([file], { 'src/values.ts': `${source}\nexport {};` })).toEqual([file.id]);
  });

  it('ignores line-ending differences and files it was not given', () => {
    expect(detectStale([snippet], { 'src/values.ts': source.replaceAll('\n', '\r\n') })).toEqual([]);
    expect(detectStale([snippet], { 'src/other.ts': '' })).toEqual([]);
  });
});

describe('refreshAttachment', () => {
  it('follows lines that moved, to the occurrence nearest their old place', () => {
    const moved = `// one\n// two\n${source}`;
    const refreshed = refreshAttachment(snippet, moved);
    expect(refreshed).toEqual(
      createAttachment({ filePath: 'src/values.ts', text: snippet.text, range: { startLine: 12, endLine: 14 } }),
    );
    expect(detectStale([refreshed], { 'src/values.ts': moved })).toEqual([]);
  });

  it('re-reads the same range when the lines themselves changed, clamped to the end of the file', () => {
    const edited = source.replace('value11 = 11', 'value11 = 110');
    expect(refreshAttachment(snippet, edited)).toEqual(
      createAttachment({ filePath: 'src/values.ts', text: sliceLines(edited, range), range }),
    );
    const short = sliceLines(source, { startLine: 1, endLine: 5 }).replace('value5 = 5', 'value5 = 50');
    expect(refreshAttachment(snippet, short).range).toEqual({ startLine: 3, endLine: 5 });
  });

  it('takes the whole new contents of a file attachment', () => {
    const file = createFileAttachment({ filePath: 'src/values.ts', text: source });
    expect(refreshAttachment(file, 'export {};\n')).toEqual(
      createFileAttachment({ filePath: 'src/values.ts', text: 'export {};' }),
    );
  });

  it('moves an error with its code, keeping message, frames and id', () => {
    const error = createErrorAttachment({
      message: 'boom',
      filePath: 'src/values.ts',
      source,
      line: 20,
      contextLines: 2,
    });
    const refreshed = refreshAttachment(error, `// added\n${source}`) as ErrorAttachment;
    expect(refreshed).toMatchObject({
      id: error.id,
      message: 'boom',
      failingLine: 21,
      range: { startLine: 19, endLine: 23 },
      text: error.text,
    });
  });
});
