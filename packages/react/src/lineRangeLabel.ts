import type { LineRange } from '@fragmentkit/core';

/**
 * Human wording of a line range: `line 3` or `lines 3–5` (with an en dash).
 *
 * @example
 * ```ts
 * import { lineRangeLabel } from '@fragmentkit/react';
 * lineRangeLabel({ startLine: 3, endLine: 5 }); // 'lines 3–5'
 * ```
 */
export function lineRangeLabel(range: LineRange): string {
  return range.startLine === range.endLine ? `line ${range.startLine}` : `lines ${range.startLine}–${range.endLine}`;
}
