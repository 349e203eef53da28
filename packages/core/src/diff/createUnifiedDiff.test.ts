import { describe, expect, it } from 'vitest';
import { counterSource } from './__fixtures__/sourceFiles.js';
import { applyFilePatch } from './applyFilePatch.js';
import { createUnifiedDiff } from './createUnifiedDiff.js';
import { parseUnifiedDiff } from './parseUnifiedDiff.js';

function roundTrip(before: string | null, after: string | null): string | null {
  const [patch] = parseUnifiedDiff(createUnifiedDiff('src/file.ts', before, after));
  const result = applyFilePatch(before, patch!);
  if (!result.ok) throw new Error(result.message);
  return result.content;
}

describe('createUnifiedDiff', () => {
  it('writes a git-style diff with a/ and b/ prefixes and three lines of context', () => {
    expect(createUnifiedDiff('src/a.ts', 'one\ntwo\nthree\n', 'one\n2\nthree\n')).toBe(
      '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n',
    );
  });

  it('uses /dev/null for created and deleted files and gives nothing for equal contents', () => {
    expect(createUnifiedDiff('new.ts', null, 'x\n')).toBe('--- /dev/null\n+++ b/new.ts\n@@ -0,0 +1,1 @@\n+x\n');
    expect(createUnifiedDiff('old.ts', 'x\n', null)).toBe('--- a/old.ts\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x\n');
    expect(createUnifiedDiff('same.ts', 'x\n', 'x\n')).toBe('');
  });

  it('round-trips through parseUnifiedDiff and applyFilePatch', () => {
    const edited = counterSource
      .replace("import { useState } from 'react';", "import { useCallback, useState } from 'react';")
      .replace('<span>{count}</span>', '<output aria-live="polite">{count}</output>')
      .replace('export default Counter;\n', 'export default Counter;');
    expect(roundTrip(counterSource, edited)).toBe(edited);
    expect(roundTrip(counterSource.replaceAll('\n', '\r\n'), edited.replaceAll('\n', '\r\n'))).toBe(
      edited.replaceAll('\n', '\r\n'),
    );
    expect(roundTrip(null, counterSource)).toBe(counterSource);
    expect(roundTrip(counterSource, null)).toBeNull();
    expect(roundTrip('no newline', 'no newline\nnow two lines')).toBe('no newline\nnow two lines');
  });

  it('rejects calls without a path or without any side with a typed error', () => {
    expect(() => createUnifiedDiff('', 'a', 'b')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => createUnifiedDiff('a.ts', null, null)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => createUnifiedDiff('a.ts', 'a', 'b', { context: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});
