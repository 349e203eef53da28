import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { parseUnifiedDiff } from './parseUnifiedDiff.js';

function invalidReason(run: () => unknown): { reason: unknown; line: unknown; message: string } {
  try {
    run();
  } catch (error) {
    expect(FragmentkitError.isInstance(error)).toBe(true);
    const fragmentkitError = error as FragmentkitError;
    expect(fragmentkitError.code).toBe('INVALID_REQUEST');
    return {
      reason: fragmentkitError.details?.reason,
      line: fragmentkitError.details?.line,
      message: fragmentkitError.message,
    };
  }
  throw new Error('expected an INVALID_REQUEST error');
}

describe('parseUnifiedDiff', () => {
  it('reads a git diff with extended headers and strips the a/ and b/ prefixes', () => {
    const patches = parseUnifiedDiff(`diff --git a/src/counter.tsx b/src/counter.tsx
index 83db48f..bf269f4 100644
--- a/src/counter.tsx
+++ b/src/counter.tsx
@@ -11,3 +11,3 @@ export function Counter({ start = 0, step = 1 }: CounterProps) {
   function increment() {
-    setCount((value) => value + step);
+    setCount((value) => value + step * 2);
   }
`);
    expect(patches).toEqual([
      {
        type: 'modify',
        path: 'src/counter.tsx',
        oldPath: 'src/counter.tsx',
        newPath: 'src/counter.tsx',
        hunks: [
          {
            oldStart: 11,
            oldLines: 3,
            newStart: 11,
            newLines: 3,
            lineNumbersKnown: true,
            lines: [
              '   function increment() {',
              '-    setCount((value) => value + step);',
              '+    setCount((value) => value + step * 2);',
              '   }',
            ],
          },
        ],
      },
    ]);
  });

  it('reads plain ---/+++ headers without prefixes, with timestamps, and several files', () => {
    const patches = parseUnifiedDiff(`--- README.md\t2025-01-01 10:00:00.000000000 +0000
+++ README.md\t2025-01-02 10:00:00.000000000 +0000
@@ -1 +1 @@
-# Old
+# New
--- src/a.ts
+++ src/a.ts
@@ -2,2 +2,3 @@
 const a = 1;
+const b = 2;
 export { a };
`);
    expect(patches.map((patch) => [patch.type, patch.path, patch.hunks.length])).toEqual([
      ['modify', 'README.md', 1],
      ['modify', 'src/a.ts', 1],
    ]);
    expect(patches[1]!.hunks[0]).toMatchObject({ oldStart: 2, oldLines: 2, newStart: 2, newLines: 3 });
  });

  it('reads created and deleted files from /dev/null and from git mode headers', () => {
    const patches = parseUnifiedDiff(`diff --git a/src/new.ts b/src/new.ts
new file mode 100644
index 0000000..3b18e51
--- /dev/null
+++ b/src/new.ts
@@ -0,0 +1,2 @@
+export const created = true;
+export default created;
diff --git a/src/old.ts b/src/old.ts
deleted file mode 100644
index 3b18e51..0000000
--- a/src/old.ts
+++ /dev/null
@@ -1 +0,0 @@
-export const gone = true;
diff --git a/empty.txt b/empty.txt
new file mode 100644
index 0000000..e69de29
`);
    expect(patches.map(({ type, path, oldPath, newPath }) => ({ type, path, oldPath, newPath }))).toEqual([
      { type: 'add', path: 'src/new.ts', oldPath: null, newPath: 'src/new.ts' },
      { type: 'delete', path: 'src/old.ts', oldPath: 'src/old.ts', newPath: null },
      { type: 'add', path: 'empty.txt', oldPath: null, newPath: 'empty.txt' },
    ]);
    expect(patches[0]!.hunks[0]).toMatchObject({ oldStart: 1, oldLines: 0, newStart: 1, newLines: 2 });
    expect(patches[2]!.hunks).toEqual([]);
  });

  it('reads renames, with and without content changes', () => {
    const patches = parseUnifiedDiff(`diff --git a/src/util.ts b/src/format.ts
similarity index 100%
rename from src/util.ts
rename to src/format.ts
diff --git a/src/a.ts b/src/b.ts
similarity index 80%
rename from src/a.ts
rename to src/b.ts
--- a/src/a.ts
+++ b/src/b.ts
@@ -1 +1 @@
-export const name = 'a';
+export const name = 'b';
`);
    expect(patches.map(({ type, oldPath, newPath, hunks }) => [type, oldPath, newPath, hunks.length])).toEqual([
      ['rename', 'src/util.ts', 'src/format.ts', 0],
      ['rename', 'src/a.ts', 'src/b.ts', 1],
    ]);
  });

  it('drops a prefix on one side only when that makes both sides name the same file', () => {
    const [patch] = parseUnifiedDiff('--- a/src/x.ts\n+++ src/x.ts\n@@ -1 +1 @@\n-a\n+b\n');
    expect(patch).toMatchObject({ type: 'modify', path: 'src/x.ts' });
  });

  it('keeps the no-newline marker with the line it is about', () => {
    const [patch] = parseUnifiedDiff(
      '--- a/x.txt\n+++ b/x.txt\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n',
    );
    expect(patch!.hunks[0]!.lines).toEqual([' a', '-b', '\\ No newline at end of file', '+b']);
  });

  it('reads the diff inside a ```diff fence and ignores the prose around it', () => {
    const patches = parseUnifiedDiff(`The counter went the wrong way. Here is the fix:

\`\`\`diff
--- a/src/counter.ts
+++ b/src/counter.ts
@@ -1,3 +1,3 @@
 export function increment(count: number) {
-  return count - 1;
+  return count + 1;
 }
\`\`\`

Let me know if you want tests too.`);
    expect(patches).toHaveLength(1);
    expect(patches[0]!.hunks[0]!.lines).toEqual([
      ' export function increment(count: number) {',
      '-  return count - 1;',
      '+  return count + 1;',
      ' }',
    ]);
  });

  it('reads a bare diff with prose before and after it, even when the prose has dashes', () => {
    const patches = parseUnifiedDiff(`I changed one line:
--- a/src/a.ts
+++ b/src/a.ts
@@ -1,2 +1,2 @@
-const a = 1;
+const a = 2;
 export { a };

- this bullet is prose, not a removed line
That is all.`);
    expect(patches).toHaveLength(1);
    expect(patches[0]!.hunks[0]!.lines).toEqual(['-const a = 1;', '+const a = 2;', ' export { a };']);
  });

  it('recomputes hunk counts that disagree with the hunk body', () => {
    const [patch] = parseUnifiedDiff(`\`\`\`diff
--- a/src/a.ts
+++ b/src/a.ts
@@ -10,3 +10,9 @@
 const a = 1;
-const b = 2;
+const b = 3;
+const c = 4;
 export { a, b };
\`\`\``);
    expect(patch!.hunks[0]).toMatchObject({ oldStart: 10, oldLines: 3, newStart: 10, newLines: 4 });
    expect(patch!.hunks[0]!.lines).toHaveLength(5);
  });

  it('gives blank context lines that lost their leading space their prefix back', () => {
    const [patch] = parseUnifiedDiff('```diff\n--- a/a.ts\n+++ b/a.ts\n@@ -1,3 +1,3 @@\n-a\n+b\n\n c\n```\n');
    expect(patch!.hunks[0]!.lines).toEqual(['-a', '+b', ' ', ' c']);
    expect(patch!.hunks[0]).toMatchObject({ oldLines: 3, newLines: 3 });
  });

  it('accepts bare @@ headers without line numbers and marks them', () => {
    const [patch] = parseUnifiedDiff('--- a/a.ts\n+++ b/a.ts\n@@\n a\n-b\n+c\n@@ @@\n d\n+e\n');
    expect(patch!.hunks.map((hunk) => [hunk.lineNumbersKnown, hunk.oldLines, hunk.newLines])).toEqual([
      [false, 2, 2],
      [false, 1, 2],
    ]);
  });

  it('accepts blank lines between the hunks of one file', () => {
    const [patch] = parseUnifiedDiff('--- a/a.ts\n+++ b/a.ts\n@@ -1 +1 @@\n-a\n+b\n\n@@ -9 +9 @@\n-y\n+z\n');
    expect(patch!.hunks).toHaveLength(2);
  });

  it('does not mistake a removed "-- x" line above an added "++ y" line for a file header', () => {
    const [patch] = parseUnifiedDiff(
      '--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1,2 @@\n--- old comment\n+++ new comment\n SELECT 1;\n',
    );
    expect(patch!.hunks[0]!.lines).toEqual(['--- old comment', '+++ new comment', ' SELECT 1;']);
  });

  it('reads CRLF diff text', () => {
    const [patch] = parseUnifiedDiff('--- a/a.ts\r\n+++ b/a.ts\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n');
    expect(patch!.hunks[0]!.lines).toEqual(['-a', '+b']);
  });

  it('reads svn/jsdiff "Index:" headers, and takes an "Index:" sentence in prose for prose', () => {
    const patches = parseUnifiedDiff(`Index: the one file this touches

Index: src/a.ts
===================================================================
--- src/a.ts
+++ src/a.ts
@@ -1 +1 @@
-a
+b
`);
    expect(patches.map((patch) => [patch.type, patch.path, patch.hunks.length])).toEqual([['modify', 'src/a.ts', 1]]);
  });

  it('returns no patches for text without a diff', () => {
    expect(parseUnifiedDiff('Nothing to change here.')).toEqual([]);
  });

  it('rejects a hunk that is cut short by a line without a prefix', () => {
    const failure = invalidReason(() =>
      parseUnifiedDiff('```diff\n--- a/a.ts\n+++ b/a.ts\n@@ -1,3 +1,3 @@\n a\n-b\nc\n+d\n```\n'),
    );
    expect(failure).toMatchObject({ reason: 'malformed-hunk', line: 7 });
    expect(failure.message).toContain('"c"');
  });

  it('rejects stray lines after a hunk inside a diff fence', () => {
    const failure = invalidReason(() =>
      parseUnifiedDiff('```diff\n--- a/a.ts\n+++ b/a.ts\n@@ -1 +1 @@\n-a\n+b\n\nand one more thing\n```\n'),
    );
    expect(failure).toMatchObject({ reason: 'unexpected-line', line: 8 });
  });

  it('rejects a hunk without a file header', () => {
    expect(invalidReason(() => parseUnifiedDiff('@@ -1 +1 @@\n-a\n+b\n'))).toMatchObject({
      reason: 'missing-file-header',
      line: 1,
    });
  });

  it('rejects a diff fence that never closes, since the answer was cut off', () => {
    expect(
      invalidReason(() => parseUnifiedDiff('Fix:\n```diff\n--- a/a.ts\n+++ b/a.ts\n@@ -1 +1 @@\n-a\n')),
    ).toMatchObject({ reason: 'unterminated-fence', line: 2 });
  });

  it('rejects binary patches and copies', () => {
    expect(
      invalidReason(() =>
        parseUnifiedDiff(
          'diff --git a/logo.png b/logo.png\nindex 1..2 100644\nBinary files a/logo.png and b/logo.png differ\n',
        ),
      ).reason,
    ).toBe('binary-patch');
    expect(
      invalidReason(() =>
        parseUnifiedDiff('diff --git a/a.ts b/b.ts\nsimilarity index 100%\ncopy from a.ts\ncopy to b.ts\n'),
      ).reason,
    ).toBe('unsupported-copy');
  });

  it('rejects what is not a string with a typed error', () => {
    expect(invalidReason(() => parseUnifiedDiff(42 as unknown as string)).reason).toBe('not-text');
  });
});
