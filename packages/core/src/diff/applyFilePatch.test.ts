import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { counterSource, duplicatedBlocks } from './__fixtures__/sourceFiles.js';
import { type ApplyFilePatchOptions, type ApplyFilePatchResult, applyFilePatch } from './applyFilePatch.js';
import { createUnifiedDiff } from './createUnifiedDiff.js';
import { parseUnifiedDiff } from './parseUnifiedDiff.js';

function applyDiff(original: string | null, diff: string, options?: ApplyFilePatchOptions): ApplyFilePatchResult {
  const patches = parseUnifiedDiff(diff);
  expect(patches).toHaveLength(1);
  return applyFilePatch(original, patches[0]!, options);
}

function applied(result: ApplyFilePatchResult): Extract<ApplyFilePatchResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected the patch to apply, got ${result.reason}: ${result.message}`);
  return result;
}

function failed(result: ApplyFilePatchResult): Extract<ApplyFilePatchResult, { ok: false }> {
  if (result.ok) throw new Error(`expected the patch to fail, got ${JSON.stringify(result.content)}`);
  return result;
}

const incrementByTwo = (start: number) => `--- a/src/Counter.tsx
+++ b/src/Counter.tsx
@@ -${start},3 +${start},3 @@
   function increment() {
-    setCount((value) => value + step);
+    setCount((value) => value + step * 2);
   }
`;
const counterIncrementingByTwo = counterSource.replace('value + step)', 'value + step * 2)');

describe('applyFilePatch', () => {
  it('applies a hunk exactly where its header says', () => {
    const result = applied(applyDiff(counterSource, incrementByTwo(11)));
    expect(result.content).toBe(counterIncrementingByTwo);
    expect(result.repaired).toBe(false);
    expect(result.hunks).toEqual([
      { index: 0, appliedAt: 11, offset: 0, strategy: 'exact', fuzz: 0, whitespaceIgnored: false },
    ]);
  });

  it('repairs line numbers that are a little off as an offset', () => {
    const result = applied(applyDiff(counterSource, incrementByTwo(14)));
    expect(result.content).toBe(counterIncrementingByTwo);
    expect(result.repaired).toBe(true);
    expect(result.hunks[0]).toMatchObject({ appliedAt: 11, offset: -3, strategy: 'offset' });
  });

  it('re-anchors a hunk whose line numbers point somewhere else entirely', () => {
    const result = applied(applyDiff(counterSource, incrementByTwo(240)));
    expect(result.content).toBe(counterIncrementingByTwo);
    expect(result.hunks[0]).toMatchObject({ appliedAt: 11, offset: -229, strategy: 're-anchored' });
  });

  it('re-anchors hunks without line numbers by their content', () => {
    const result = applied(
      applyDiff(
        counterSource,
        '--- a/src/Counter.tsx\n+++ b/src/Counter.tsx\n@@\n   function increment() {\n-    setCount((value) => value + step);\n+    setCount((value) => value + step * 2);\n',
      ),
    );
    expect(result.content).toBe(counterIncrementingByTwo);
    expect(result.hunks[0]).toMatchObject({ appliedAt: 11, offset: null, strategy: 're-anchored' });
  });

  it('follows context that drifted: the file gained lines above the change since the diff was made', () => {
    const before = counterSource;
    const after = counterSource.replace('<span>{count}</span>', '<output>{count}</output>');
    const diff = createUnifiedDiff('src/Counter.tsx', before, after);
    const drifted = `// Copyright 2025\n// Licensed MIT\n\n${before}`;

    const result = applied(applyDiff(drifted, diff));
    expect(result.content).toBe(`// Copyright 2025\n// Licensed MIT\n\n${after}`);
    expect(result.hunks[0]).toMatchObject({ strategy: 'offset', offset: 3 });
  });

  it('refuses to choose between two places a hunk matches, and says where they are', () => {
    const diff = `--- a/src/text.ts
+++ b/src/text.ts
@@ -30,4 +30,4 @@
   if (input === null) {
-    return '';
+    return 'empty';
   }
`;
    const result = failed(applyDiff(duplicatedBlocks, diff));
    expect(result).toMatchObject({
      reason: 'ambiguous-anchor',
      hunkIndex: 0,
      details: { candidateLines: [2, 9], statedLine: 30 },
    });
    expect(result.message).toContain('lines 2, 9');
  });

  it('applies a hunk whose content occurs twice when its line numbers pick one of the places', () => {
    const diff = `--- a/src/text.ts
+++ b/src/text.ts
@@ -9,3 +9,3 @@
   if (input === null) {
-    return '';
+    return 'empty';
   }
`;
    const result = applied(applyDiff(duplicatedBlocks, diff));
    expect(result.content).toBe(duplicatedBlocks.replace(/(second[\s\S]*?)return '';/, "$1return 'empty';"));
    expect(result.hunks[0]).toMatchObject({ appliedAt: 9, strategy: 'exact' });
  });

  it('fails on context that is not in the file and points at the closest line that differs', () => {
    const diff = `--- a/src/Counter.tsx
+++ b/src/Counter.tsx
@@ -11,3 +11,3 @@
   function increment() {
-    setCount((value) => value + 1);
+    setCount((value) => value + 2);
   }
`;
    const result = failed(applyDiff(counterSource, diff));
    expect(result).toMatchObject({
      reason: 'context-not-found',
      hunkIndex: 0,
      details: {
        statedLine: 11,
        closestMatch: {
          line: 11,
          matchingLines: 2,
          mismatch: {
            line: 12,
            expected: '    setCount((value) => value + 1);',
            found: '    setCount((value) => value + step);',
          },
        },
      },
    });
    expect(result.message).toMatch(/^Hunk 1 of src\/Counter.tsx: .*line 12/);
  });

  it('never applies part of a patch: one failing hunk fails the file', () => {
    const diff = `--- a/src/Counter.tsx
+++ b/src/Counter.tsx
@@ -11,3 +11,3 @@
   function increment() {
-    setCount((value) => value + step);
+    setCount((value) => value + step * 2);
   }
@@ -22,1 +22,1 @@
-      <span>{total}</span>
+      <strong>{total}</strong>
`;
    expect(failed(applyDiff(counterSource, diff))).toMatchObject({ reason: 'context-not-found', hunkIndex: 1 });
  });

  it('applies hunks that come out of order', () => {
    const diff = `--- a/src/Counter.tsx
+++ b/src/Counter.tsx
@@ -21,3 +21,3 @@
       <button onClick={decrement}>-</button>
-      <span>{count}</span>
+      <output>{count}</output>
       <button onClick={increment}>+</button>
@@ -1,1 +1,1 @@
-import { useState } from 'react';
+import { useState, type ReactElement } from 'react';
`;
    const result = applied(applyDiff(counterSource, diff));
    expect(result.content).toBe(
      counterSource
        .replace('<span>{count}</span>', '<output>{count}</output>')
        .replace("import { useState } from 'react';", "import { useState, type ReactElement } from 'react';"),
    );
    expect(result.hunks.map((hunk) => [hunk.index, hunk.appliedAt, hunk.strategy])).toEqual([
      [0, 21, 'exact'],
      [1, 1, 'exact'],
    ]);
  });

  it('fails when two hunks change the same lines', () => {
    const diff = `--- a/src/Counter.tsx
+++ b/src/Counter.tsx
@@ -11,2 +11,2 @@
   function increment() {
-    setCount((value) => value + step);
+    setCount((value) => value + 2);
@@ -12,2 +12,2 @@
-    setCount((value) => value + step);
+    setCount((value) => value + 3);
   }
`;
    expect(failed(applyDiff(counterSource, diff))).toMatchObject({ reason: 'overlapping-hunks', hunkIndex: 1 });
  });

  it('leaves context at the ends of a hunk unmatched only with fuzz', () => {
    const edited = counterSource.replace('  function increment() {', '  function increase() {');
    expect(failed(applyDiff(edited, incrementByTwo(11))).reason).toBe('context-not-found');

    const result = applied(applyDiff(edited, incrementByTwo(11), { fuzz: 1 }));
    expect(result.content).toBe(counterIncrementingByTwo.replace('function increment()', 'function increase()'));
    expect(result.repaired).toBe(true);
    expect(result.hunks[0]).toMatchObject({ appliedAt: 12, fuzz: 1, strategy: 'exact' });
  });

  it('tolerates trailing whitespace differences only when asked, keeping the file’s own lines', () => {
    const withTrailingSpaces = counterSource.replace('  function increment() {', '  function increment() {  ');
    expect(failed(applyDiff(withTrailingSpaces, incrementByTwo(11))).reason).toBe('context-not-found');

    const result = applied(applyDiff(withTrailingSpaces, incrementByTwo(11), { ignoreTrailingWhitespace: true }));
    expect(result.content).toBe(
      counterIncrementingByTwo.replace('  function increment() {', '  function increment() {  '),
    );
    expect(result.hunks[0]).toMatchObject({ whitespaceIgnored: true, strategy: 'exact' });
    expect(result.repaired).toBe(true);
  });

  it('creates a new file from /dev/null', () => {
    const diff =
      '--- /dev/null\n+++ b/src/new.ts\n@@ -0,0 +1,2 @@\n+export const created = true;\n+export default created;\n';
    expect(applied(applyDiff(null, diff)).content).toBe('export const created = true;\nexport default created;\n');
    expect(applied(applyDiff('', diff)).content).toBe('export const created = true;\nexport default created;\n');
    expect(failed(applyDiff('already here\n', diff))).toMatchObject({ reason: 'file-exists', hunkIndex: null });
  });

  it('deletes a file only when its hunks remove all of it', () => {
    const file = 'a\nb\n';
    expect(applied(applyDiff(file, '--- a/x.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n')).content).toBeNull();
    expect(failed(applyDiff('a\nb\nc\n', '--- a/x.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n'))).toMatchObject({
      reason: 'delete-incomplete',
    });
    expect(failed(applyDiff(null, '--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n')).reason).toBe('file-not-found');
  });

  it('keeps CRLF line breaks, also on added lines, when the diff uses LF', () => {
    const crlf = counterSource.replaceAll('\n', '\r\n');
    const diff = `--- a/src/Counter.tsx
+++ b/src/Counter.tsx
@@ -11,3 +11,4 @@
   function increment() {
-    setCount((value) => value + step);
+    // Steps can be negative.
+    setCount((value) => value + step * 2);
   }
`;
    const result = applied(applyDiff(crlf, diff));
    expect(result.content).toBe(
      counterSource
        .replace(
          '    setCount((value) => value + step);',
          '    // Steps can be negative.\n    setCount((value) => value + step * 2);',
        )
        .replaceAll('\n', '\r\n'),
    );
  });

  it('keeps a missing final newline when the diff has no markers', () => {
    const result = applied(applyDiff('a\nb\nlast', '--- a/x\n+++ b/x\n@@ -2,2 +2,3 @@\n b\n last\n+appended\n'));
    expect(result.content).toBe('a\nb\nlast\nappended');
  });

  it('follows "\\ No newline at end of file" markers', () => {
    const addsNewline = applied(
      applyDiff('a\nlast', '--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-last\n\\ No newline at end of file\n+last\n'),
    );
    expect(addsNewline.content).toBe('a\nlast\n');

    const dropsNewline = applied(
      applyDiff('a\nlast\n', '--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-last\n+last\n\\ No newline at end of file\n'),
    );
    expect(dropsNewline.content).toBe('a\nlast');
  });

  it('inserts lines without context at the line the header names', () => {
    const result = applied(applyDiff('one\ntwo\nthree\n', '--- a/x\n+++ b/x\n@@ -2,0 +3,1 @@\n+two and a half\n'));
    expect(result.content).toBe('one\ntwo\ntwo and a half\nthree\n');
    expect(failed(applyDiff('one\n', '--- a/x\n+++ b/x\n@@ -9,0 +10,1 @@\n+far\n')).reason).toBe('out-of-range');
  });

  it('rejects options out of range and values that are not patches with a typed error', () => {
    const [patch] = parseUnifiedDiff(incrementByTwo(11));
    expect(() => applyFilePatch(counterSource, patch!, { fuzz: 7 })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    try {
      applyFilePatch(counterSource, { path: 'x' } as never);
      expect.unreachable();
    } catch (error) {
      expect(FragmentkitError.isInstance(error) && error.code).toBe('INVALID_REQUEST');
    }
  });
});
