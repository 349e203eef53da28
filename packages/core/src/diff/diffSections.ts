import { invalidDiffError } from './invalidDiffError.js';

/**
 * One hunk as {@link readDiffSections} found it, with a header whose counts match its body.
 *
 * @example
 * ```ts
 * const hunk: ScannedHunk = { header: '@@ -1,1 +1,1 @@', body: ['-a', '+b'], lineNumbersKnown: true };
 * ```
 */
export interface ScannedHunk {
  header: string;
  /** The hunk's lines; blank context lines that lost their leading space have it back. */
  body: string[];
  lineNumbersKnown: boolean;
}

/**
 * The lines of one file's diff: its headers (`diff --git`, git's extended headers, `Index:`,
 * `---`/`+++`) and its hunks.
 *
 * @example
 * ```ts
 * const [section] = readDiffSections('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n', 'fenced');
 * section.headerLines; // ['--- a/x', '+++ b/x']
 * ```
 */
export interface DiffSection {
  headerLines: string[];
  hunks: ScannedHunk[];
  /** 0-based indexes of the section's first and last line in the text read. */
  firstLine: number;
  lastLine: number;
}

/**
 * How strictly to read: `fenced` text is all diff, so a stray line after the first file is an
 * error (it is most likely part of a hunk that lost its prefix); `prose` text mixes diffs with
 * explanation, whose lines are skipped.
 *
 * @example
 * ```ts
 * const mode: DiffReadingMode = block.closed ? 'fenced' : 'prose';
 * ```
 */
export type DiffReadingMode = 'fenced' | 'prose';

const gitExtendedHeader =
  /^(old mode|new mode|deleted file mode|new file mode|copy from|copy to|rename from|rename to|similarity index|dissimilarity index|index |Binary files|GIT binary patch)/;
const numberedHunkHeader = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

interface DeclaredRange {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
}

interface LineCounts {
  old: number;
  new: number;
}

/**
 * Splits text into the per-file sections of the unified diffs in it, tolerating what models
 * get wrong: hunk headers whose line counts disagree with their bodies (the counts are
 * recomputed), bare `@@` headers without line numbers, blank context lines without their
 * leading space, `\r\n` line ends, and prose around the diff (`prose` mode). A hunk whose body
 * is cut short by a line that is not a diff line is an error rather than a shorter hunk:
 * applying half a change is worse than asking again.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` with `details.reason` and the 1-based `details.line`
 * (counted from `firstLineNumber`).
 *
 * @example
 * ```ts
 * const sections = readDiffSections(block.content, 'fenced', block.startLine + 2);
 * ```
 */
export function readDiffSections(text: string, mode: DiffReadingMode, firstLineNumber = 1): DiffSection[] {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  // The text's final line break ends its last line; it does not start an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  const lineNumber = (index: number) => index + firstLineNumber;
  const sections: DiffSection[] = [];
  let index = 0;
  while (index < lines.length) {
    if (startsSection(lines, index)) {
      const { section, next } = readSection(lines, index, lineNumber);
      sections.push(section);
      index = next;
      continue;
    }
    const line = lines[index]!;
    if (line.startsWith('@@')) {
      throw invalidDiffError(
        'missing-file-header',
        `The hunk at line ${lineNumber(index)} has no file header: start each file's diff with "--- a/<path>" and "+++ b/<path>".`,
        lineNumber(index),
      );
    }
    if (mode === 'fenced' && sections.length > 0 && line.trim() !== '') {
      throw invalidDiffError(
        'unexpected-line',
        `Line ${lineNumber(index)} is not part of a hunk: ${JSON.stringify(line.slice(0, 120))}. Prefix context lines with a space, removed lines with "-" and added lines with "+", and start every hunk with an "@@" header.`,
        lineNumber(index),
      );
    }
    index += 1;
  }
  return sections;
}

function isFileHeaderPair(lines: string[], index: number): boolean {
  return lines[index]!.startsWith('--- ') && (lines[index + 1]?.startsWith('+++ ') ?? false);
}

function startsSection(lines: string[], index: number): boolean {
  const line = lines[index]!;
  return line.startsWith('diff --git ') || isIndexHeader(lines, index) || isFileHeaderPair(lines, index);
}

/** `Index: <path>` (svn, jsdiff) counts only above its file headers: in prose it may be a sentence. */
function isIndexHeader(lines: string[], index: number): boolean {
  if (!lines[index]!.startsWith('Index: ')) return false;
  const next = /^=+$/.test(lines[index + 1] ?? '') ? index + 2 : index + 1;
  return next < lines.length && isFileHeaderPair(lines, next);
}

function readSection(
  lines: string[],
  start: number,
  lineNumber: (index: number) => number,
): { section: DiffSection; next: number } {
  const headerLines: string[] = [];
  let index = start;
  if (lines[index]!.startsWith('diff --git ')) {
    headerLines.push(lines[index]!);
    index += 1;
    while (index < lines.length && gitExtendedHeader.test(lines[index]!)) {
      headerLines.push(lines[index]!);
      index += 1;
    }
  } else if (isIndexHeader(lines, index)) {
    headerLines.push(lines[index]!);
    index += 1;
    if (/^=+$/.test(lines[index] ?? '')) {
      headerLines.push(lines[index]!);
      index += 1;
    }
  }
  if (index < lines.length && isFileHeaderPair(lines, index)) {
    headerLines.push(lines[index]!, lines[index + 1]!);
    index += 2;
  }
  const hunks: ScannedHunk[] = [];
  while (index < lines.length && lines[index]!.startsWith('@@')) {
    const { hunk, next } = readHunk(lines, index, lineNumber);
    hunks.push(hunk);
    index = next;
    // Blank lines between two hunks of one file separate them; they are not context.
    let following = index;
    while (following < lines.length && lines[following]!.trim() === '') following += 1;
    if (lines[following]?.startsWith('@@')) index = following;
  }
  let lastLine = index - 1;
  while (lastLine > start && lines[lastLine]!.trim() === '') lastLine -= 1;
  return { section: { headerLines, hunks, firstLine: start, lastLine }, next: index };
}

function readHunk(
  lines: string[],
  start: number,
  lineNumber: (index: number) => number,
): { hunk: ScannedHunk; next: number } {
  const declared = readDeclaredRange(lines[start]!);
  const body: string[] = [];
  const counts: LineCounts = { old: 0, new: 0 };
  let index = start + 1;
  while (index < lines.length) {
    const line = lines[index]!;
    if (line.startsWith('@@') || line.startsWith('diff --git ') || isIndexHeader(lines, index)) break;
    // `--- x` right above `+++ y` is a removed "-- x" line as long as the hunk still owes lines.
    const owesLines = declared !== undefined && (counts.old < declared.oldLines || counts.new < declared.newLines);
    if (!owesLines && isFileHeaderPair(lines, index)) break;
    const kind = line[0];
    if (line !== '' && kind !== ' ' && kind !== '+' && kind !== '-' && kind !== '\\') break;
    body.push(line);
    count(counts, line);
    index += 1;
  }
  const stoppedByForeignLine = index < lines.length && !lines[index]!.startsWith('@@') && !startsSection(lines, index);

  let length = declared ? declaredLength(body, declared) : undefined;
  if (length === undefined) {
    const lastLine = body[body.length - 1];
    const cutShort =
      declared !== undefined &&
      stoppedByForeignLine &&
      lastLine !== undefined &&
      lastLine.trim() !== '' &&
      (counts.old < declared.oldLines || counts.new < declared.newLines);
    if (cutShort) {
      throw invalidDiffError(
        'malformed-hunk',
        `The hunk at line ${lineNumber(start)} stops at line ${lineNumber(index)}, which is not a context, added or removed line: ${JSON.stringify(lines[index]!.slice(0, 120))}.`,
        lineNumber(index),
      );
    }
    length = body.length;
    // Blank lines after the last change are what separates the diff from what follows.
    while (length > 0 && body[length - 1]!.trim() === '') length -= 1;
  }

  const kept = body.slice(0, length).map((line) => (line === '' ? ' ' : line));
  const keptCounts: LineCounts = { old: 0, new: 0 };
  for (const line of kept) count(keptCounts, line);
  return {
    hunk: {
      header: `@@ -${rangeStart(declared?.oldStart, declared?.oldLines, keptCounts.old)},${keptCounts.old} +${rangeStart(declared?.newStart, declared?.newLines, keptCounts.new)},${keptCounts.new} @@`,
      body: kept,
      lineNumbersKnown: declared !== undefined,
    },
    next: start + 1 + length,
  };
}

function readDeclaredRange(header: string): DeclaredRange | undefined {
  const match = numberedHunkHeader.exec(header);
  if (!match) return undefined;
  return {
    oldStart: Number(match[1]),
    oldLines: match[2] === undefined ? 1 : Number(match[2]),
    newStart: Number(match[3]),
    newLines: match[4] === undefined ? 1 : Number(match[4]),
  };
}

function count(counts: LineCounts, line: string): void {
  const kind = line[0];
  if (kind === '\\') return;
  if (kind !== '+') counts.old += 1;
  if (kind !== '-') counts.new += 1;
}

/**
 * How many body lines the declared counts cover, when they are an exact prefix of the body
 * followed by nothing or a blank line; undefined when the counts are wrong.
 */
function declaredLength(body: string[], declared: DeclaredRange): number | undefined {
  const counts: LineCounts = { old: 0, new: 0 };
  let length = 0;
  while (length < body.length && (counts.old < declared.oldLines || counts.new < declared.newLines)) {
    count(counts, body[length]!);
    length += 1;
  }
  if (counts.old !== declared.oldLines || counts.new !== declared.newLines) return undefined;
  while (body[length]?.startsWith('\\')) length += 1;
  if (length === body.length) return length;
  // More diff lines right after the declared end mean the counts were wrong, not that the hunk ended.
  return body[length]!.trim() === '' ? length : undefined;
}

/**
 * The start to write for a range whose count may have been corrected. In unified diffs a range
 * of zero lines names the line before it, any other range its first line.
 */
function rangeStart(declaredStart: number | undefined, declaredCount: number | undefined, actualCount: number): number {
  if (declaredStart === undefined || declaredCount === undefined) return actualCount === 0 ? 0 : 1;
  if (declaredCount === 0 && actualCount > 0) return declaredStart + 1;
  if (declaredCount > 0 && actualCount === 0) return Math.max(0, declaredStart - 1);
  return declaredStart;
}
