import { describe, expect, it } from 'vitest';
import { counterSource } from './__fixtures__/sourceFiles.js';
import { applyPatchSet } from './applyPatchSet.js';
import { extractDiffs, patchAnswerFormat } from './extractDiffs.js';

const modelAnswer = `The decrement button subtracted twice the step because \`decrement\` reused \`increment\`'s setter.

\`\`\`diff
--- a/src/Counter.tsx
+++ b/src/Counter.tsx
@@ -15,3 +15,3 @@
   function decrement() {
-    setCount((value) => value - step);
+    setCount((value) => Math.max(0, value - step));
   }
\`\`\`

I also added a test:

\`\`\`diff
--- /dev/null
+++ b/src/Counter.test.tsx
@@ -0,0 +1,1 @@
+it('never goes below zero', () => {});
\`\`\`

\`\`\`ts
// usage stays the same
<Counter start={1} />
\`\`\`
`;

describe('extractDiffs', () => {
  it('splits an answer into its diff blocks and the explanation around them', () => {
    const { diffs, explanation } = extractDiffs(modelAnswer);
    expect(diffs.map((diff) => [diff.type, diff.path])).toEqual([
      ['modify', 'src/Counter.tsx'],
      ['add', 'src/Counter.test.tsx'],
    ]);
    expect(explanation).toBe(
      "The decrement button subtracted twice the step because `decrement` reused `increment`'s setter.\n\nI also added a test:\n\n```ts\n// usage stays the same\n<Counter start={1} />\n```",
    );

    const outcome = applyPatchSet([{ path: 'src/Counter.tsx', content: counterSource }], diffs);
    expect(outcome.ok).toBe(true);
    expect(outcome.files.map((file) => file.path)).toEqual(['src/Counter.tsx', 'src/Counter.test.tsx']);
  });

  it('treats untagged fences that start like a diff as diffs, and ```patch as well', () => {
    const { diffs } = extractDiffs(
      'Fix:\n```\n--- a/a.ts\n+++ b/a.ts\n@@ -1 +1 @@\n-a\n+b\n```\nand\n~~~patch\n--- a/b.ts\n+++ b/b.ts\n@@ -1 +1 @@\n-c\n+d\n~~~\n',
    );
    expect(diffs.map((diff) => diff.path)).toEqual(['a.ts', 'b.ts']);
  });

  it('reads a diff of a Markdown file whose context holds a fence', () => {
    const { diffs } = extractDiffs(
      '```diff\n--- a/README.md\n+++ b/README.md\n@@ -1,3 +1,3 @@\n ```sh\n-npm i\n+pnpm add fragmentkit\n ```\n```\n',
    );
    expect(diffs[0]!.hunks[0]!.lines).toEqual([' ```sh', '-npm i', '+pnpm add fragmentkit', ' ```']);
  });

  it('reads an answer with a bare diff and no fences', () => {
    const { diffs, explanation } = extractDiffs(
      'Change the greeting:\n\n--- a/a.ts\n+++ b/a.ts\n@@ -1 +1 @@\n-hello\n+hi\n\nThat is all.\n',
    );
    expect(diffs).toHaveLength(1);
    expect(explanation).toBe('Change the greeting:\n\nThat is all.');
  });

  it('returns no diffs for an answer that proposes no change', () => {
    expect(extractDiffs('The code is already correct.')).toEqual({
      diffs: [],
      explanation: 'The code is already correct.',
    });
  });

  it('rejects a cut-off answer whose diff block never closes', () => {
    expect(() => extractDiffs('Fix:\n```diff\n--- a/a.ts\n+++ b/a.ts\n@@ -1 +1 @@\n-a\n+b\n')).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', details: { reason: 'unterminated-fence', line: 2 } }),
    );
  });

  it('documents a format whose own example it can read', () => {
    const example = patchAnswerFormat.slice(patchAnswerFormat.indexOf('```diff'));
    const { diffs } = extractDiffs(example);
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatchObject({ type: 'modify', path: 'src/counter.ts' });
  });
});
