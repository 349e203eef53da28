import type { PatchHunk } from './filePatch.js';

/**
 * One line of a hunk without its prefix. `noNewlineAfter` carries the `\ No newline at end of
 * file` marker that followed it.
 *
 * @example
 * ```ts
 * const line: HunkLine = { kind: 'add', text: 'export const answer = 42;', noNewlineAfter: false };
 * ```
 */
export interface HunkLine {
  kind: 'context' | 'remove' | 'add';
  text: string;
  noNewlineAfter: boolean;
}

const kinds: Record<string, HunkLine['kind']> = { ' ': 'context', '-': 'remove', '+': 'add' };

/**
 * Reads a hunk's prefixed lines. A `\r` at the end of a line is dropped: whether the file uses
 * CRLF is the file's business, not the patch's.
 *
 * @example
 * ```ts
 * readHunkLines({ ...hunk, lines: ['-a', '+b', '\\ No newline at end of file'] });
 * // [{ kind: 'remove', text: 'a', noNewlineAfter: false }, { kind: 'add', text: 'b', noNewlineAfter: true }]
 * ```
 */
export function readHunkLines(hunk: PatchHunk): HunkLine[] {
  const lines: HunkLine[] = [];
  for (const raw of hunk.lines) {
    if (raw.startsWith('\\')) {
      const previous = lines[lines.length - 1];
      if (previous) previous.noNewlineAfter = true;
      continue;
    }
    const text = raw.endsWith('\r') ? raw.slice(1, -1) : raw.slice(1);
    lines.push({ kind: kinds[raw[0] ?? ' '] ?? 'context', text, noNewlineAfter: false });
  }
  return lines;
}

/**
 * The text of the lines a hunk expects in the file: its context and removed lines.
 *
 * @example
 * ```ts
 * oldSide(readHunkLines(hunk)); // ['const a = 1;', 'const b = 2;']
 * ```
 */
export function oldSide(lines: readonly HunkLine[]): string[] {
  return lines.filter((line) => line.kind !== 'add').map((line) => line.text);
}
