import { describe, expect, it } from 'vitest';
import { counterSource, duplicatedBlocks } from './__fixtures__/sourceFiles.js';
import { applyPatchSet, type FileContent } from './applyPatchSet.js';
import { extractDiffs } from './extractDiffs.js';

/* Answers written the way models write them, end to end: extract, parse, apply. */

const files: FileContent[] = [
  { path: 'src/Counter.tsx', content: counterSource },
  { path: 'src/text.ts', content: duplicatedBlocks },
];

function applyAnswer(answer: string) {
  const { diffs, explanation } = extractDiffs(answer);
  return { explanation, outcome: applyPatchSet(files, diffs) };
}

describe('model answers', () => {
  it('applies a git-style answer with function headings in hunk headers and miscounted hunks, over two files', () => {
    const { explanation, outcome } = applyAnswer(`I'll make the step configurable per click and trim in both helpers.

\`\`\`diff
diff --git a/src/Counter.tsx b/src/Counter.tsx
index 5d2c1a0..9e8f7b3 100644
--- a/src/Counter.tsx
+++ b/src/Counter.tsx
@@ -11,7 +11,7 @@ export function Counter({ start = 0, step = 1 }: CounterProps) {
   function increment() {
-    setCount((value) => value + step);
+    setCount((value) => Math.min(value + step, 99));
   }
 
   function decrement() {
\`\`\`

\`\`\`diff
diff --git a/src/text.ts b/src/text.ts
--- a/src/text.ts
+++ b/src/text.ts
@@ -12,2 +12,2 @@ export function second(input: string | null) {
-  return input.toUpperCase();
+  return input.trim().toUpperCase();
 }
\`\`\``);
    expect(explanation).toBe("I'll make the step configurable per click and trim in both helpers.");
    expect(outcome.ok).toBe(true);
    expect(outcome.files[0]!.content).toContain('setCount((value) => Math.min(value + step, 99));');
    expect(outcome.files[1]!.content).toContain('return input.trim().toUpperCase();');
  });

  it('repairs line numbers counted from a different version of the file and blank lines without their space', () => {
    const { outcome } = applyAnswer(`\`\`\`diff
--- a/src/Counter.tsx
+++ b/src/Counter.tsx
@@ -24,6 +24,7 @@
   function decrement() {
     setCount((value) => value - step);
   }

+  const reset = () => setCount(start);
   return (
     <div className="counter">
\`\`\``);
    expect(outcome.ok).toBe(true);
    const result = outcome.results[0]!.result;
    expect(result).toMatchObject({
      ok: true,
      repaired: true,
      hunks: [{ appliedAt: 15, offset: -9, strategy: 'offset' }],
    });
    expect(outcome.files[0]!.content).toContain('  }\n\n  const reset = () => setCount(start);\n  return (\n');
  });

  it('fails an answer that elides unchanged code with "...", naming the line it could not find', () => {
    const { outcome } = applyAnswer(`\`\`\`diff
--- a/src/Counter.tsx
+++ b/src/Counter.tsx
@@ -19,7 +19,7 @@
   return (
     <div className="counter">
-      <button onClick={decrement}>-</button>
+      <button onClick={decrement} aria-label="decrement">-</button>
       // ... rest unchanged
     </div>
   );
\`\`\``);
    expect(outcome.ok).toBe(false);
    expect(outcome.files).toEqual(files);
    const result = outcome.results[0]!.result;
    expect(result).toMatchObject({
      ok: false,
      reason: 'context-not-found',
      details: { closestMatch: { line: 19, mismatch: { line: 22, expected: '      // ... rest unchanged' } } },
    });
  });

  it('refuses a hunk without line numbers that fits two places', () => {
    const { outcome } = applyAnswer(`--- a/src/text.ts
+++ b/src/text.ts
@@
   if (input === null) {
-    return '';
+    return null;
   }
`);
    expect(outcome.results[0]!.result).toMatchObject({
      ok: false,
      reason: 'ambiguous-anchor',
      details: { candidateLines: [2, 9], statedLine: null },
    });
  });

  it('applies a hunk whose line numbers are missing but whose context is unique', () => {
    const { outcome } = applyAnswer(`--- a/src/text.ts
+++ b/src/text.ts
@@
 export function second(input: string | null) {
   if (input === null) {
-    return '';
+    return 'EMPTY';
`);
    expect(outcome.ok).toBe(true);
    expect(outcome.files[1]!.content).toBe(duplicatedBlocks.replace(/(second[\s\S]*?)return '';/, "$1return 'EMPTY';"));
  });
});
