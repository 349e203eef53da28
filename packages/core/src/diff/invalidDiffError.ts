import { FragmentkitError } from '../errors.js';

/**
 * Why a text could not be read as a unified diff; `details.reason` of the `INVALID_REQUEST`
 * error {@link parseUnifiedDiff} and {@link extractDiffs} throw.
 *
 * @example
 * ```ts
 * try {
 *   parseUnifiedDiff(text);
 * } catch (error) {
 *   if (FragmentkitError.isInstance(error) && error.details?.reason === ('malformed-hunk' satisfies InvalidDiffReason)) {
 *     askTheModelAgain(error.message);
 *   }
 * }
 * ```
 */
export type InvalidDiffReason =
  | 'not-text'
  | 'unterminated-fence'
  | 'missing-file-header'
  | 'malformed-hunk'
  | 'unexpected-line'
  | 'binary-patch'
  | 'unsupported-copy';

/**
 * The error of a diff that cannot be read. `line` is 1-based in the text the caller passed, so
 * the message can go back to a model as is.
 *
 * @example
 * ```ts
 * throw invalidDiffError('malformed-hunk', 'Line 7 is not a context, added or removed line.', 7);
 * ```
 */
export function invalidDiffError(reason: InvalidDiffReason, message: string, line?: number): FragmentkitError {
  return new FragmentkitError('INVALID_REQUEST', message, {
    details: { reason, ...(line === undefined ? {} : { line }) },
  });
}
