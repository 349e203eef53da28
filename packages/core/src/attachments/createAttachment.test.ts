import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { attachmentSchema } from './attachment.js';
import { contentHash } from './contentHash.js';
import { createAttachment, languageFromPath, sliceLines } from './createAttachment.js';

const source = ['import React from "react";', '', 'export function App() {', '  return <h1>Hi</h1>;', '}', ''].join(
  '\n',
);

function expectInvalidRequest(run: () => unknown): FragmentkitError {
  try {
    run();
  } catch (error) {
    expect(FragmentkitError.isInstance(error)).toBe(true);
    expect((error as FragmentkitError).code).toBe('INVALID_REQUEST');
    return error as FragmentkitError;
  }
  throw new Error('expected an INVALID_REQUEST error');
}

describe('createAttachment', () => {
  it('builds a schema-valid attachment identified by file and range', () => {
    const range = { startLine: 3, endLine: 5 };
    const attachment = createAttachment({ filePath: 'src/App.tsx', text: sliceLines(source, range), range });
    expect(attachment).toEqual({
      id: 'src/App.tsx#L3-L5',
      kind: 'snippet',
      filePath: 'src/App.tsx',
      language: 'tsx',
      text: 'export function App() {\n  return <h1>Hi</h1>;\n}',
      range: { startLine: 3, endLine: 5 },
      contentHash: contentHash('export function App() {\n  return <h1>Hi</h1>;\n}'),
    });
    expect(attachmentSchema.parse(attachment)).toEqual(attachment);
  });

  it('gives the same id and hash for the same lines attached twice', () => {
    const range = { startLine: 1, endLine: 1 };
    const first = createAttachment({ filePath: 'a.py', text: 'print(1)', range });
    const second = createAttachment({ filePath: 'a.py', text: 'print(1)\n', range });
    expect(second.id).toBe(first.id);
    expect(second.contentHash).toBe(first.contentHash);
  });

  it('normalises CRLF and drops one trailing line break', () => {
    const attachment = createAttachment({
      filePath: 'a.ts',
      text: 'a\r\nb\r\n',
      range: { startLine: 7, endLine: 8 },
    });
    expect(attachment.text).toBe('a\nb');
    expect(attachment.contentHash).toBe(contentHash('a\nb'));
  });

  it('keeps a range whose last line is empty, as sliceLines returns it', () => {
    const source = 'const a = 1;\nconst b = 2;\n\nconst c = 3;\n';
    const range = { startLine: 2, endLine: 3 };
    const attachment = createAttachment({ filePath: 'a.ts', text: sliceLines(source, range), range });
    expect(attachment.text).toBe('const b = 2;\n');
    expect(attachment.range).toEqual(range);
  });

  it('keeps an explicit language', () => {
    expect(
      createAttachment({ filePath: 'notes.txt', text: 'x', range: { startLine: 1, endLine: 1 }, language: 'text' })
        .language,
    ).toBe('text');
  });

  it.each([
    [{ startLine: 0, endLine: 1 }],
    [{ startLine: 3, endLine: 2 }],
    [{ startLine: 1.5, endLine: 2 }],
    [{ startLine: Number.NaN, endLine: 2 }],
  ])('rejects the range %j', (range) => {
    expectInvalidRequest(() => createAttachment({ filePath: 'a.ts', text: 'a\nb', range }));
  });

  it('rejects an empty path', () => {
    expectInvalidRequest(() => createAttachment({ filePath: ' ', text: 'a', range: { startLine: 1, endLine: 1 } }));
  });

  it('rejects text whose line count does not match the range, with details', () => {
    const error = expectInvalidRequest(() =>
      createAttachment({ filePath: 'a.ts', text: 'one\ntwo', range: { startLine: 10, endLine: 12 } }),
    );
    expect(error.details).toEqual({ filePath: 'a.ts', range: { startLine: 10, endLine: 12 }, lineCount: 2 });
    expect(error.message).toContain('sliceLines');
  });
});

describe('languageFromPath', () => {
  it.each([
    ['src/App.tsx', 'tsx'],
    ['src/index.ts', 'typescript'],
    ['lib/util.mjs', 'javascript'],
    ['components/Button.jsx', 'jsx'],
    ['script.py', 'python'],
    ['styles/main.css', 'css'],
    ['index.html', 'html'],
    ['package.json', 'json'],
    ['README.md', 'markdown'],
    ['app.vue', 'vue'],
    ['Counter.svelte', 'svelte'],
    ['main.go', 'go'],
    ['src/lib.rs', 'rust'],
    ['Main.java', 'java'],
    ['scripts/setup.sh', 'bash'],
    ['.github/workflows/ci.yml', 'yaml'],
    ['db/schema.sql', 'sql'],
    ['C:\\project\\App.TSX', 'tsx'],
    ['Dockerfile', 'dockerfile'],
    ['README', ''],
    ['.gitignore', ''],
    ['archive.tar.unknown', ''],
  ])('%s -> %j', (filePath, language) => {
    expect(languageFromPath(filePath)).toBe(language);
  });
});

describe('sliceLines', () => {
  it('returns the whole lines of a 1-based inclusive range', () => {
    expect(sliceLines('a\nb\nc\nd', { startLine: 2, endLine: 3 })).toBe('b\nc');
    expect(sliceLines('a\r\nb\r\nc', { startLine: 1, endLine: 2 })).toBe('a\nb');
  });

  it('clamps a range that runs past the end of the file', () => {
    expect(sliceLines('a\nb', { startLine: 2, endLine: 50 })).toBe('b');
    expect(sliceLines('a\nb', { startLine: 9, endLine: 12 })).toBe('');
  });

  it('rejects an invalid range', () => {
    expectInvalidRequest(() => sliceLines('a', { startLine: 0, endLine: 1 }));
  });
});
