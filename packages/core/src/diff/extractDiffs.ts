import { readDiffSections } from './diffSections.js';
import { findFencedBlocks } from './fencedBlocks.js';
import type { FilePatch } from './filePatch.js';
import { invalidDiffError } from './invalidDiffError.js';
import { isDiffBlock, parseDiffBlock, toFilePatch } from './parseUnifiedDiff.js';

/**
 * A model's answer to a patch task, split by {@link extractDiffs}.
 *
 * @example
 * ```ts
 * const { diffs, explanation }: ExtractedDiffs = extractDiffs(answer);
 * ```
 */
export interface ExtractedDiffs {
  /** One patch per changed file, in answer order. */
  diffs: FilePatch[];
  /** The answer without its diff blocks: what the model says it changed and why. */
  explanation: string;
}

/**
 * The answer format {@link extractDiffs} reads, worded as an instruction a prompt can include
 * verbatim in a patch task.
 *
 * @example
 * ```ts
 * import { patchAnswerFormat } from '@fragmentkit/core';
 *
 * const system = `You fix bugs in the attached files.\n\n${patchAnswerFormat}`;
 * ```
 */
export const patchAnswerFormat = `Answer in this format:
1. A short explanation of what you change and why, in plain prose.
2. For each file you change, one fenced code block tagged diff holding a unified diff of that file:
   - first line "--- a/<path>", second line "+++ b/<path>"; use "--- /dev/null" for a new file and "+++ /dev/null" for a deleted file;
   - then one or more hunks, each starting with "@@ -<old start>,<old count> +<new start>,<new count> @@";
   - in a hunk, prefix unchanged lines with a space, removed lines with "-", added lines with "+";
   - include 3 unchanged lines before and after each change, copied exactly from the file, so the hunk matches one place only;
   - never shorten with "..." or comments such as "rest unchanged": every line of a hunk must be real.
Example:
\`\`\`diff
--- a/src/counter.ts
+++ b/src/counter.ts
@@ -1,3 +1,3 @@
 export function increment(count: number): number {
-  return count - 1;
+  return count + 1;
 }
\`\`\``;

/**
 * Splits a model's answer to a patch task into its diffs and its explanation (see
 * {@link patchAnswerFormat}). Fenced blocks tagged `diff`, `patch` or `udiff`, or untagged
 * blocks that start like a diff, are diffs; everything else is explanation. An answer without
 * fenced diffs is read as a bare diff with prose around it.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` with `details.reason` (an {@link InvalidDiffReason})
 * when a diff block is malformed or never closed (a cut-off answer).
 *
 * @example
 * ```ts
 * import { applyPatchSet, extractDiffs } from '@fragmentkit/core';
 *
 * const { diffs, explanation } = extractDiffs(answer);
 * if (diffs.length === 0) console.log('no change proposed:', explanation);
 * const outcome = applyPatchSet(files, diffs);
 * ```
 */
export function extractDiffs(modelAnswer: string): ExtractedDiffs {
  if (typeof modelAnswer !== 'string') throw invalidDiffError('not-text', 'The model answer must be a string.');
  const lines = modelAnswer.split('\n');
  const blocks = findFencedBlocks(modelAnswer).filter(isDiffBlock);
  if (blocks.length > 0) {
    return {
      diffs: blocks.flatMap((block) => parseDiffBlock(block)),
      explanation: explanationWithout(
        lines,
        blocks.map((block) => [block.startLine, block.endLine]),
      ),
    };
  }
  const sections = readDiffSections(modelAnswer, 'prose');
  return {
    diffs: sections.map((section) => toFilePatch(section, 1)),
    explanation: explanationWithout(
      lines,
      sections.map((section) => [section.firstLine, section.lastLine]),
    ),
  };
}

function explanationWithout(lines: readonly string[], spans: ReadonlyArray<readonly [number, number]>): string {
  const kept = lines.filter((_, index) => !spans.some(([first, last]) => index >= first && index <= last));
  return kept
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
