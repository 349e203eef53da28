/**
 * What a {@link FilePatch} does to its file.
 *
 * @example
 * ```ts
 * const created = patches.filter((patch) => patch.type === ('add' satisfies FilePatchType));
 * ```
 */
export type FilePatchType = 'modify' | 'add' | 'delete' | 'rename';

/**
 * One hunk of a unified diff. `lines` keep their one-character prefix, as in the `diff`
 * package's `StructuredPatchHunk`: `' '` context, `'-'` removed, `'+'` added, and
 * `'\ No newline at end of file'` after the line it is about.
 *
 * @example
 * ```ts
 * const hunk: PatchHunk = {
 *   oldStart: 3, oldLines: 2, newStart: 3, newLines: 2, lineNumbersKnown: true,
 *   lines: [' const a = 1;', '-const b = 2;', '+const b = 3;'],
 * };
 * ```
 */
export interface PatchHunk {
  /**
   * 1-based line of the first old line. For a hunk without old lines, the line it inserts
   * before (1 for the start of the file).
   */
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
  /**
   * False when the hunk header carried no line numbers (a bare `@@`): the hunk can then only be
   * placed by finding its old lines in the file.
   */
  lineNumbersKnown: boolean;
}

/**
 * The changes a unified diff makes to one file.
 *
 * @example
 * ```ts
 * import { parseUnifiedDiff, type FilePatch } from '@fragmentkit/core';
 *
 * const [patch]: FilePatch[] = parseUnifiedDiff(modelDiff);
 * console.log(patch.type, patch.path, patch.hunks.length);
 * ```
 */
export interface FilePatch {
  type: FilePatchType;
  /** The path the file has after the patch (the old path for a deletion), without `a/`/`b/`. */
  path: string;
  /** The path before the patch, or null when the patch creates the file. */
  oldPath: string | null;
  /** The path after the patch, or null when the patch deletes the file. */
  newPath: string | null;
  hunks: PatchHunk[];
}
