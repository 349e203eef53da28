import type { LineRange } from '@fragmentkit/core';

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset; index += 1) if (text.charCodeAt(index) === 10) line += 1;
  return line;
}

/**
 * The whole lines a textarea selection (`selectionStart`, `selectionEnd`) covers, 1-based. A
 * caret is its own line; a selection that ends right after a line break does not take the
 * next line.
 */
export function linesOfTextSelection(text: string, start: number, end: number): LineRange {
  const from = Math.min(start, end);
  const to = Math.max(start, end);
  const startLine = lineAt(text, from);
  let endLine = lineAt(text, to);
  if (to > from && text.charCodeAt(to - 1) === 10) endLine -= 1;
  return { startLine, endLine: Math.max(startLine, endLine) };
}
