import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { FragmentkitError } from '../errors.js';

/**
 * Options of {@link createUnifiedDiff}.
 *
 * @example
 * ```ts
 * const options: CreateUnifiedDiffOptions = { context: 5 };
 * ```
 */
export interface CreateUnifiedDiffOptions {
  /** Unchanged lines shown around each change. Default 3, as git does. */
  context?: number;
}

/**
 * Writes the change from `before` to `after` as a git-style unified diff (`--- a/<path>`,
 * `+++ b/<path>`, hunks), to show an accepted change or to build test input. `before` null
 * means the file is created, `after` null that it is deleted (`/dev/null` on that side).
 * Identical contents give `''`.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` when both sides are null, a side is neither a
 * string nor null, or `context` is not a non-negative integer.
 *
 * @example
 * ```ts
 * import { createUnifiedDiff } from '@fragmentkit/core';
 *
 * createUnifiedDiff('src/counter.ts', 'let count = 0;\n', 'let count = 1;\n');
 * // '--- a/src/counter.ts\n+++ b/src/counter.ts\n@@ -1,1 +1,1 @@\n-let count = 0;\n+let count = 1;\n'
 * ```
 */
export function createUnifiedDiff(
  path: string,
  before: string | null,
  after: string | null,
  options: CreateUnifiedDiffOptions = {},
): string {
  const context = options.context ?? 3;
  const sidesValid = [before, after].every((side) => side === null || typeof side === 'string');
  if (typeof path !== 'string' || path === '' || !sidesValid || (before === null && after === null)) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      'createUnifiedDiff needs a path and at least one of before and after as a string (null for a missing file).',
    );
  }
  if (!Number.isInteger(context) || context < 0) {
    throw new FragmentkitError('INVALID_REQUEST', `context must be a non-negative integer, not ${String(context)}.`);
  }
  if (before === after) return '';
  return createTwoFilesPatch(
    before === null ? '/dev/null' : `a/${path}`,
    after === null ? '/dev/null' : `b/${path}`,
    before ?? '',
    after ?? '',
    undefined,
    undefined,
    { context, headerOptions: FILE_HEADERS_ONLY },
  );
}
