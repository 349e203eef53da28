import type { FileLine } from './fileLines.js';
import type { PatchHunk } from './filePatch.js';
import { type HunkLine, oldSide, readHunkLines } from './hunkLines.js';

/**
 * How a hunk was placed in the file:
 * - `exact`: at the line its header names;
 * - `offset`: its old lines were found once, within 20 lines of where the header says (a
 *   miscount, or lines added above since the model read the file);
 * - `re-anchored`: its old lines were found once, elsewhere in the file, or the hunk had no line
 *   numbers at all.
 *
 * @example
 * ```ts
 * const repaired = result.hunks.some((hunk) => hunk.strategy !== ('exact' satisfies HunkStrategy));
 * ```
 */
export type HunkStrategy = 'exact' | 'offset' | 're-anchored';

/**
 * Why a hunk could not be placed.
 * - `context-not-found`: its context and removed lines are nowhere in the file;
 * - `ambiguous-anchor`: they are in several places and the line numbers point at none of them;
 * - `out-of-range`: an insertion without context points past the end of the file;
 * - `no-anchor`: an insertion has neither context lines nor line numbers.
 *
 * @example
 * ```ts
 * if (!result.ok && result.reason === ('ambiguous-anchor' satisfies HunkFailureReason)) askForMoreContext();
 * ```
 */
export type HunkFailureReason = 'context-not-found' | 'ambiguous-anchor' | 'out-of-range' | 'no-anchor';

/**
 * Options of {@link locateHunk}.
 *
 * @example
 * ```ts
 * const options: LocateHunkOptions = { fuzz: 1, ignoreTrailingWhitespace: true };
 * ```
 */
export interface LocateHunkOptions {
  /** Context lines that may be left unmatched at each end of the hunk, like `patch --fuzz`. */
  fuzz: number;
  /** Compare lines without the whitespace at their ends. */
  ignoreTrailingWhitespace: boolean;
}

/**
 * Where a hunk goes.
 *
 * @example
 * ```ts
 * const placement: HunkPlacement = located.placement;
 * file.splice(placement.start, placement.oldLineCount, ...newLines);
 * ```
 */
export interface HunkPlacement {
  /** 0-based index of the first file line the hunk replaces (or inserts before). */
  start: number;
  /** The hunk's lines without the context lines fuzz left out. */
  lines: HunkLine[];
  oldLineCount: number;
  strategy: HunkStrategy;
  fuzz: number;
  whitespaceIgnored: boolean;
  /** 0-based index the header named for `start`, or null without line numbers. */
  statedStart: number | null;
}

/**
 * The answer of {@link locateHunk}.
 *
 * @example
 * ```ts
 * const located: LocateHunkResult = locateHunk(file, hunk, { fuzz: 0, ignoreTrailingWhitespace: false });
 * if (!located.ok) console.log(located.message);
 * ```
 */
export type LocateHunkResult =
  | { ok: true; placement: HunkPlacement }
  | { ok: false; reason: HunkFailureReason; message: string; details: Record<string, unknown> };

type LineEquality = (fileLine: string, hunkLine: string) => boolean;

const exactly: LineEquality = (fileLine, hunkLine) => fileLine === hunkLine;
const ignoringTrailingWhitespace: LineEquality = (fileLine, hunkLine) => fileLine.trimEnd() === hunkLine.trimEnd();

/** A unique match this close to the stated line counts as an offset rather than a re-anchoring. */
const nearbyLineCount = 20;
/** Enough candidate positions to show in an ambiguity report. */
const reportedCandidates = 5;

/**
 * Finds where a hunk applies. It first tries the line its header names; otherwise it searches
 * the whole file for the hunk's context and removed lines and takes the position only when it
 * is the one place they match: between two candidates it never guesses. With `fuzz`, context
 * lines at the ends of the hunk may be left out, one more per round, after exact matching
 * failed; with `ignoreTrailingWhitespace`, lines are compared without trailing whitespace, after
 * the exact comparison found nothing.
 *
 * @example
 * ```ts
 * const { lines } = splitFileLines(original);
 * const located = locateHunk(lines, patch.hunks[0], { fuzz: 0, ignoreTrailingWhitespace: false });
 * if (located.ok) console.log(located.placement.strategy);
 * ```
 */
export function locateHunk(file: readonly FileLine[], hunk: PatchHunk, options: LocateHunkOptions): LocateHunkResult {
  const allLines = readHunkLines(hunk);
  const fullOldSide = oldSide(allLines);
  if (fullOldSide.length === 0) return placeInsertion(file, hunk, allLines);

  const fileTexts = file.map((line) => line.text);
  const equalities = options.ignoreTrailingWhitespace ? [exactly, ignoringTrailingWhitespace] : [exactly];
  let previousTrim = '';
  for (let fuzz = 0; fuzz <= options.fuzz; fuzz += 1) {
    const { lines, leading, trailing } = trimContext(allLines, fuzz);
    if (`${leading}:${trailing}` === previousTrim) continue;
    previousTrim = `${leading}:${trailing}`;
    const expected = oldSide(lines);
    // Fuzz never leaves a hunk with nothing to anchor it.
    if (expected.length === 0) break;
    const statedStart = hunk.lineNumbersKnown ? hunk.oldStart - 1 + leading : null;
    for (const equal of equalities) {
      const placement = (start: number, strategy: HunkStrategy): LocateHunkResult => ({
        ok: true,
        placement: {
          start,
          lines,
          oldLineCount: expected.length,
          strategy,
          fuzz: Math.max(leading, trailing),
          whitespaceIgnored: equal !== exactly,
          statedStart,
        },
      });
      if (statedStart !== null && matchesAt(fileTexts, expected, statedStart, equal)) {
        return placement(statedStart, 'exact');
      }
      const matches = findMatches(fileTexts, expected, equal);
      if (matches.length === 1) {
        const start = matches[0]!;
        const nearby = statedStart !== null && Math.abs(start - statedStart) <= nearbyLineCount;
        return placement(start, nearby ? 'offset' : 're-anchored');
      }
      if (matches.length > 1) return ambiguous(matches, statedStart);
    }
  }
  return notFound(fileTexts, fullOldSide, hunk, options);
}

function placeInsertion(file: readonly FileLine[], hunk: PatchHunk, lines: HunkLine[]): LocateHunkResult {
  if (!hunk.lineNumbersKnown) {
    return {
      ok: false,
      reason: 'no-anchor',
      message: 'The hunk only adds lines and has no line numbers, so there is no way to tell where they go.',
      details: {},
    };
  }
  const start = hunk.oldStart - 1;
  if (start < 0 || start > file.length) {
    return {
      ok: false,
      reason: 'out-of-range',
      message: `The hunk inserts before line ${hunk.oldStart}, but the file has ${file.length} lines.`,
      details: { statedLine: hunk.oldStart, fileLines: file.length },
    };
  }
  return {
    ok: true,
    placement: {
      start,
      lines,
      oldLineCount: 0,
      strategy: 'exact',
      fuzz: 0,
      whitespaceIgnored: false,
      statedStart: start,
    },
  };
}

function trimContext(lines: HunkLine[], fuzz: number): { lines: HunkLine[]; leading: number; trailing: number } {
  let leadingContext = 0;
  while (leadingContext < lines.length && lines[leadingContext]!.kind === 'context') leadingContext += 1;
  let trailingContext = 0;
  while (
    trailingContext < lines.length - leadingContext &&
    lines[lines.length - 1 - trailingContext]!.kind === 'context'
  ) {
    trailingContext += 1;
  }
  const leading = Math.min(fuzz, leadingContext);
  const trailing = Math.min(fuzz, trailingContext);
  return { lines: lines.slice(leading, lines.length - trailing), leading, trailing };
}

function matchesAt(file: readonly string[], expected: readonly string[], start: number, equal: LineEquality): boolean {
  if (start < 0 || start + expected.length > file.length) return false;
  for (let offset = 0; offset < expected.length; offset += 1) {
    if (!equal(file[start + offset]!, expected[offset]!)) return false;
  }
  return true;
}

function findMatches(file: readonly string[], expected: readonly string[], equal: LineEquality): number[] {
  const matches: number[] = [];
  for (let start = 0; start + expected.length <= file.length; start += 1) {
    if (matchesAt(file, expected, start, equal)) {
      matches.push(start);
      if (matches.length === reportedCandidates) break;
    }
  }
  return matches;
}

function ambiguous(matches: number[], statedStart: number | null): LocateHunkResult {
  const lines = matches.map((start) => start + 1);
  const more = matches.length === reportedCandidates ? ' and more' : '';
  const stated = statedStart === null ? 'it has no line numbers' : `its header names line ${statedStart + 1}`;
  return {
    ok: false,
    reason: 'ambiguous-anchor',
    message: `The hunk's context and removed lines occur at lines ${lines.join(', ')}${more}, and ${stated}; add context lines until they occur only once.`,
    details: { candidateLines: lines, statedLine: statedStart === null ? null : statedStart + 1 },
  };
}

/** Reports the closest position, so the message can tell a model which line it got wrong. */
function notFound(
  file: readonly string[],
  expected: readonly string[],
  hunk: PatchHunk,
  options: LocateHunkOptions,
): LocateHunkResult {
  const equal = options.ignoreTrailingWhitespace ? ignoringTrailingWhitespace : exactly;
  const statedStart = hunk.lineNumbersKnown ? hunk.oldStart - 1 : 0;
  let best = { start: 0, matching: -1 };
  const lastStart = Math.max(0, file.length - expected.length);
  for (let start = 0; start <= lastStart; start += 1) {
    let matching = 0;
    for (let offset = 0; offset < expected.length; offset += 1) {
      const line = file[start + offset];
      if (line !== undefined && equal(line, expected[offset]!)) matching += 1;
    }
    const closer = Math.abs(start - statedStart) < Math.abs(best.start - statedStart);
    if (matching > best.matching || (matching === best.matching && closer)) best = { start, matching };
  }
  const mismatch = expected.findIndex((line, offset) => {
    const fileLine = file[best.start + offset];
    return fileLine === undefined || !equal(fileLine, line);
  });
  const mismatchLine = best.start + mismatch + 1;
  const found = file[best.start + mismatch];
  const closest =
    best.matching > 0
      ? ` The closest match starts at line ${best.start + 1} (${best.matching} of ${expected.length} lines match); there line ${mismatchLine} is ${found === undefined ? 'past the end of the file' : JSON.stringify(found)} where the hunk expects ${JSON.stringify(expected[mismatch])}.`
      : '';
  return {
    ok: false,
    reason: 'context-not-found',
    message: `The hunk's context and removed lines are not in the file.${closest}`,
    details: {
      statedLine: hunk.lineNumbersKnown ? hunk.oldStart : null,
      expectedLines: expected.slice(0, 20),
      ...(best.matching > 0
        ? {
            closestMatch: {
              line: best.start + 1,
              matchingLines: best.matching,
              mismatch: { line: mismatchLine, expected: expected[mismatch], found: found ?? null },
            },
          }
        : {}),
    },
  };
}
