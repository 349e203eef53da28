import { FragmentkitError } from '../errors.js';
import { type FileLine, joinFileLines, splitFileLines } from './fileLines.js';
import type { FilePatch } from './filePatch.js';
import { type HunkFailureReason, type HunkPlacement, type HunkStrategy, locateHunk } from './locateHunk.js';

/**
 * Options of {@link applyFilePatch} and {@link applyPatchSet}.
 *
 * @example
 * ```ts
 * const options: ApplyFilePatchOptions = { fuzz: 1, ignoreTrailingWhitespace: true };
 * ```
 */
export interface ApplyFilePatchOptions {
  /**
   * How many context lines at each end of a hunk may be left unmatched, like `patch --fuzz`.
   * Tried only after an exact match failed. 0 to 3; default 0.
   */
  fuzz?: number;
  /** Accept lines that differ from the hunk only in whitespace at their ends. Default false. */
  ignoreTrailingWhitespace?: boolean;
}

/**
 * How one hunk was applied.
 *
 * @example
 * ```ts
 * for (const hunk of result.hunks) console.log(`hunk ${hunk.index} at line ${hunk.appliedAt} (${hunk.strategy})`);
 * ```
 */
export interface AppliedHunk {
  /** Position of the hunk in `patch.hunks`. */
  index: number;
  /** 1-based line of the original file where the hunk's (matched) old lines start. */
  appliedAt: number;
  /** `appliedAt` minus the line the header named; null when the hunk had no line numbers. */
  offset: number | null;
  strategy: HunkStrategy;
  /** Context lines left unmatched at an end of the hunk (see `fuzz`). */
  fuzz: number;
  /** True when lines only matched without their trailing whitespace. */
  whitespaceIgnored: boolean;
}

/**
 * Why a file patch did not apply: a hunk's {@link HunkFailureReason}, or
 * - `file-exists`: the patch creates a file that already has content;
 * - `file-not-found`: the patch changes a file that does not exist;
 * - `overlapping-hunks`: two hunks change the same lines;
 * - `delete-incomplete`: the patch deletes the file but its hunks do not remove all of it.
 *
 * @example
 * ```ts
 * if (!result.ok && result.reason === ('file-not-found' satisfies ApplyFailureReason)) createItFirst();
 * ```
 */
export type ApplyFailureReason =
  | HunkFailureReason
  | 'file-exists'
  | 'file-not-found'
  | 'overlapping-hunks'
  | 'delete-incomplete';

/**
 * What {@link applyFilePatch} answers. On failure nothing was applied, and `message` says what
 * to fix in words a model can act on.
 *
 * @example
 * ```ts
 * const result: ApplyFilePatchResult = applyFilePatch(original, patch);
 * if (result.ok) save(result.content);
 * else retryWith(`Hunk ${result.hunkIndex}: ${result.message}`);
 * ```
 */
export type ApplyFilePatchResult =
  | {
      ok: true;
      /** The patched content; null when the patch deletes the file. */
      content: string | null;
      /** True when some hunk was not applied exactly where and as its header says. */
      repaired: boolean;
      hunks: AppliedHunk[];
    }
  | {
      ok: false;
      reason: ApplyFailureReason;
      /** The hunk at fault, or null when the failure is about the file. */
      hunkIndex: number | null;
      message: string;
      details: Record<string, unknown>;
    };

interface Placed {
  index: number;
  placement: HunkPlacement;
}

/**
 * Applies one file's patch to its content, all hunks or none. Each hunk is placed on the
 * original file independently (so hunks may come in any order): where its header says when
 * its old lines are there, else at the one place in the file where they are (a repair: models
 * miscount lines, and files change between reading and patching). Two candidate places are a
 * failure, never a guess. Unchanged lines keep their bytes and line breaks; added lines get the
 * file's prevailing line break, so CRLF files stay CRLF. A file without a final newline keeps
 * lacking one unless the patch says otherwise with `\ No newline at end of file` markers.
 *
 * `original` is null for a file that does not exist; a patch that creates a file also accepts
 * an empty string.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` for options out of range or a patch that is not a
 * {@link FilePatch}.
 *
 * @example
 * ```ts
 * import { applyFilePatch, parseUnifiedDiff } from '@fragmentkit/core';
 *
 * const [patch] = parseUnifiedDiff(modelAnswer);
 * const result = applyFilePatch(files.get(patch.path) ?? null, patch);
 * if (result.ok) {
 *   files.set(patch.path, result.content);
 *   if (result.repaired) console.log('line numbers were off', result.hunks);
 * } else {
 *   console.log(result.reason, result.message); // e.g. 'ambiguous-anchor'
 * }
 * ```
 */
export function applyFilePatch(
  original: string | null,
  patch: FilePatch,
  options: ApplyFilePatchOptions = {},
): ApplyFilePatchResult {
  const { fuzz, ignoreTrailingWhitespace } = checkOptions(options);
  checkPatch(patch);
  if (original !== null && typeof original !== 'string') {
    throw new FragmentkitError('INVALID_REQUEST', 'The original content must be a string, or null for a missing file.');
  }
  if (patch.type === 'add' && original !== null && original !== '') {
    return fileFailure('file-exists', `${patch.path} already exists; the patch creates it.`, patch);
  }
  if (patch.type !== 'add' && original === null) {
    return fileFailure('file-not-found', `${patch.oldPath ?? patch.path} does not exist; the patch changes it.`, patch);
  }

  const { lines, lineBreak } = splitFileLines(original ?? '');
  const placed: Placed[] = [];
  for (const [index, hunk] of patch.hunks.entries()) {
    const located = locateHunk(lines, hunk, { fuzz, ignoreTrailingWhitespace });
    if (!located.ok) {
      return {
        ok: false,
        reason: located.reason,
        hunkIndex: index,
        message: `Hunk ${index + 1} of ${patch.path}: ${located.message}`,
        details: located.details,
      };
    }
    placed.push({ index, placement: located.placement });
  }
  placed.sort((a, b) => a.placement.start - b.placement.start || a.index - b.index);
  for (let position = 1; position < placed.length; position += 1) {
    const before = placed[position - 1]!;
    const after = placed[position]!;
    if (after.placement.start < before.placement.start + before.placement.oldLineCount) {
      return {
        ok: false,
        reason: 'overlapping-hunks',
        hunkIndex: after.index,
        message: `Hunks ${before.index + 1} and ${after.index + 1} of ${patch.path} change the same lines (${before.placement.start + 1} to ${before.placement.start + before.placement.oldLineCount}); merge them into one hunk.`,
        details: { otherHunkIndex: before.index, line: after.placement.start + 1 },
      };
    }
  }

  const patched = splice(lines, placed, lineBreak);
  if (patch.type === 'delete') {
    if (patch.hunks.length > 0 && patched.length > 0) {
      return fileFailure(
        'delete-incomplete',
        `The patch deletes ${patch.path} but its hunks leave ${patched.length} of its lines; remove all of them or give no hunks.`,
        patch,
      );
    }
    return { ok: true, content: null, repaired: placed.some(isRepair), hunks: placed.map(toAppliedHunk) };
  }
  settleLineBreaks(patched, lineBreak, finalLineBreak(lines, placed, lineBreak, patch.type === 'add'));
  return {
    ok: true,
    content: joinFileLines(patched),
    repaired: placed.some(isRepair),
    hunks: placed.sort((a, b) => a.index - b.index).map(toAppliedHunk),
  };
}

function checkOptions(options: ApplyFilePatchOptions): { fuzz: number; ignoreTrailingWhitespace: boolean } {
  const fuzz = options.fuzz ?? 0;
  if (!Number.isInteger(fuzz) || fuzz < 0 || fuzz > 3) {
    throw new FragmentkitError('INVALID_REQUEST', `fuzz must be an integer from 0 to 3, not ${String(fuzz)}.`, {
      details: { option: 'fuzz' },
    });
  }
  return { fuzz, ignoreTrailingWhitespace: options.ignoreTrailingWhitespace === true };
}

function checkPatch(patch: FilePatch): void {
  const valid =
    typeof patch === 'object' &&
    patch !== null &&
    typeof patch.path === 'string' &&
    Array.isArray(patch.hunks) &&
    patch.hunks.every((hunk) => Array.isArray(hunk?.lines) && Number.isInteger(hunk.oldStart));
  if (!valid) {
    throw new FragmentkitError('INVALID_REQUEST', 'The patch is not a FilePatch; create it with parseUnifiedDiff.');
  }
}

function fileFailure(reason: ApplyFailureReason, message: string, patch: FilePatch): ApplyFilePatchResult {
  return { ok: false, reason, hunkIndex: null, message, details: { path: patch.path } };
}

function isRepair({ placement }: Placed): boolean {
  return placement.strategy !== 'exact' || placement.fuzz > 0 || placement.whitespaceIgnored;
}

function toAppliedHunk({ index, placement }: Placed): AppliedHunk {
  const appliedAt = placement.start + 1;
  return {
    index,
    appliedAt,
    offset: placement.statedStart === null ? null : placement.start - placement.statedStart,
    strategy: placement.strategy,
    fuzz: placement.fuzz,
    whitespaceIgnored: placement.whitespaceIgnored,
  };
}

/** Builds the new lines: context lines keep the file's own text and line break. */
function splice(lines: readonly FileLine[], placed: readonly Placed[], lineBreak: FileLine['lineBreak']): FileLine[] {
  const result: FileLine[] = [];
  let cursor = 0;
  for (const { placement } of placed) {
    result.push(...lines.slice(cursor, placement.start));
    cursor = placement.start;
    for (const line of placement.lines) {
      if (line.kind === 'add') {
        result.push({ text: line.text, lineBreak });
      } else {
        if (line.kind === 'context') result.push(lines[cursor]!);
        cursor += 1;
      }
    }
  }
  result.push(...lines.slice(cursor));
  return result;
}

/**
 * Whether the patched file ends with a line break. Markers decide when the hunk at the end of
 * the file has any; without them the file keeps what it had, since models drop the markers.
 */
function finalLineBreak(
  lines: readonly FileLine[],
  placed: readonly Placed[],
  lineBreak: FileLine['lineBreak'],
  created: boolean,
): FileLine['lineBreak'] {
  const last = placed[placed.length - 1]?.placement;
  const touchesEnd = last !== undefined && last.start + last.oldLineCount === lines.length;
  if (touchesEnd) {
    const newSide = last.lines.filter((line) => line.kind !== 'remove');
    const oldSide = last.lines.filter((line) => line.kind !== 'add');
    if (newSide[newSide.length - 1]?.noNewlineAfter) return '';
    if (oldSide[oldSide.length - 1]?.noNewlineAfter) return lineBreak;
  }
  if (created || lines.length === 0) return lineBreak;
  return lines[lines.length - 1]!.lineBreak === '' ? '' : lineBreak;
}

function settleLineBreaks(lines: FileLine[], lineBreak: FileLine['lineBreak'], final: FileLine['lineBreak']): void {
  for (const [index, line] of lines.entries()) {
    const isLast = index === lines.length - 1;
    if (isLast) {
      if ((line.lineBreak === '') !== (final === '')) lines[index] = { text: line.text, lineBreak: final };
    } else if (line.lineBreak === '') {
      lines[index] = { text: line.text, lineBreak };
    }
  }
}
