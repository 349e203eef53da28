/**
 * One line of a unified diff as `<DiffView>` shows it: a file header, a hunk header, an added,
 * removed or unchanged line, or a note such as `\ No newline at end of file`.
 *
 * @example
 * ```ts
 * const added = diffLines(diff).filter((line: DiffLine) => line.kind === 'add').length;
 * ```
 */
export interface DiffLine {
  kind: 'file' | 'hunk' | 'add' | 'remove' | 'context' | 'note';
  /** The line without its one-character prefix (headers keep theirs). */
  text: string;
}

/**
 * Splits a unified diff into typed lines for display.
 *
 * @example
 * ```ts
 * import { diffLines } from '@fragmentkit/react';
 * diffLines('@@ -1 +1 @@\n-a\n+b'); // [{ kind: 'hunk', … }, { kind: 'remove', text: 'a' }, { kind: 'add', text: 'b' }]
 * ```
 */
export function diffLines(diff: string): DiffLine[] {
  const lines = diff.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  let inHunk = false;
  return lines.map((line): DiffLine => {
    if (line.startsWith('@@')) {
      inHunk = true;
      return { kind: 'hunk', text: line };
    }
    if (!inHunk || line.startsWith('diff --git') || line.startsWith('+++ ') || line.startsWith('--- ')) {
      if (line.startsWith('diff --git') || line.startsWith('--- ')) inHunk = false;
      return { kind: 'file', text: line };
    }
    if (line.startsWith('+')) return { kind: 'add', text: line.slice(1) };
    if (line.startsWith('-')) return { kind: 'remove', text: line.slice(1) };
    if (line.startsWith('\\')) return { kind: 'note', text: line };
    return { kind: 'context', text: line.slice(1) };
  });
}
