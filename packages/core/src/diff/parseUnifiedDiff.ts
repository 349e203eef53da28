import { parsePatch, type StructuredPatch } from 'diff';
import { type DiffSection, readDiffSections } from './diffSections.js';
import { type FencedBlock, findFencedBlocks } from './fencedBlocks.js';
import type { FilePatch, FilePatchType } from './filePatch.js';
import { invalidDiffError } from './invalidDiffError.js';

const diffInfoStrings = new Set(['diff', 'patch', 'udiff']);
const diffStart = /^(diff --git |--- |Index: |@@)/;

/**
 * Parses the unified diffs in a text into one {@link FilePatch} per file, the way models write
 * them: with or without `diff --git` and git's extended headers, `a/`/`b/` prefixes or none,
 * `/dev/null` for created and deleted files, renames, several hunks per file, `\ No newline at
 * end of file`, and inside a ```` ```diff ```` fence with prose around it. When the text has
 * fenced diff blocks only they are read; otherwise the whole text is, skipping what is not diff.
 *
 * Hunk headers are taken as hints: wrong line counts are recomputed from the hunk's lines and a
 * bare `@@` is accepted; {@link applyFilePatch} then places each hunk by its content. A text
 * without a diff gives `[]`.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` when a diff is malformed, with `details.reason`
 * (an {@link InvalidDiffReason}) and the 1-based `details.line` it is about.
 *
 * @example
 * ```ts
 * import { parseUnifiedDiff } from '@fragmentkit/core';
 *
 * const patches = parseUnifiedDiff(`Here is the fix:
 * \`\`\`diff
 * --- a/src/counter.ts
 * +++ b/src/counter.ts
 * @@ -1,3 +1,3 @@
 *  export function increment(count: number) {
 * -  return count - 1;
 * +  return count + 1;
 *  }
 * \`\`\``);
 * patches[0].path; // 'src/counter.ts'
 * ```
 */
export function parseUnifiedDiff(text: string): FilePatch[] {
  if (typeof text !== 'string') throw invalidDiffError('not-text', 'A unified diff must be a string.');
  const blocks = findFencedBlocks(text).filter(isDiffBlock);
  if (blocks.length === 0) return readDiffSections(text, 'prose').map((section) => toFilePatch(section, 1));
  return blocks.flatMap((block) => parseDiffBlock(block));
}

/**
 * True for a fenced block that holds a diff: one labelled `diff`, `patch` or `udiff`, or an
 * unlabelled one that starts like a diff.
 *
 * @example
 * ```ts
 * const diffBlocks = findFencedBlocks(answer).filter(isDiffBlock);
 * ```
 */
export function isDiffBlock(block: FencedBlock): boolean {
  const language = block.info.split(/\s/, 1)[0]!.toLowerCase();
  if (diffInfoStrings.has(language)) return true;
  if (language !== '') return false;
  const firstLine = block.content.split('\n').find((line) => line.trim() !== '');
  return firstLine !== undefined && diffStart.test(firstLine);
}

/**
 * Reads the file patches of one fenced diff block.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` (`unterminated-fence`) when the block never closes:
 * the answer was cut off, and the diff in it may be too.
 *
 * @example
 * ```ts
 * const patches = findFencedBlocks(answer).filter(isDiffBlock).flatMap(parseDiffBlock);
 * ```
 */
export function parseDiffBlock(block: FencedBlock): FilePatch[] {
  if (!block.closed) {
    throw invalidDiffError(
      'unterminated-fence',
      `The diff block that starts at line ${block.startLine + 1} is never closed; the answer may have been cut off.`,
      block.startLine + 1,
    );
  }
  const firstLineNumber = block.startLine + 2;
  return readDiffSections(block.content, 'fenced', firstLineNumber).map((section) =>
    toFilePatch(section, firstLineNumber),
  );
}

/**
 * Turns one diff section into a {@link FilePatch}, letting the `diff` package's `parsePatch`
 * read the normalized text and adding what it leaves out: git's new/deleted/renamed headers
 * and `a/`/`b/` prefixes.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` for binary patches, copies, and sections that name
 * no file.
 *
 * @example
 * ```ts
 * const patches = readDiffSections(text, 'prose').map((section) => toFilePatch(section, 1));
 * ```
 */
export function toFilePatch(section: DiffSection, firstLineNumber: number): FilePatch {
  const line = section.firstLine + firstLineNumber;
  const { headerLines } = section;
  if (headerLines.some((header) => header.startsWith('Binary files') || header.startsWith('GIT binary patch'))) {
    throw invalidDiffError(
      'binary-patch',
      `The diff at line ${line} changes a binary file, which cannot be applied as text.`,
      line,
    );
  }
  if (headerLines.some((header) => header.startsWith('copy from') || header.startsWith('copy to'))) {
    throw invalidDiffError(
      'unsupported-copy',
      `The diff at line ${line} copies a file; write it as a new file instead.`,
      line,
    );
  }

  const normalized = [...headerLines, ...section.hunks.flatMap((hunk) => [hunk.header, ...hunk.body])].join('\n');
  let structured: StructuredPatch[];
  try {
    structured = parsePatch(`${normalized}\n`);
  } catch (error) {
    throw invalidDiffError(
      'malformed-hunk',
      `The diff at line ${line} is malformed: ${(error as Error).message}`,
      line,
    );
  }
  const parsed = structured[0];
  if (structured.length !== 1 || !parsed || parsed.hunks.length !== section.hunks.length) {
    throw invalidDiffError('malformed-hunk', `The diff at line ${line} could not be read as one file's changes.`, line);
  }

  const { oldPath, newPath } = readPaths(parsed, headerLines);
  if (oldPath === undefined && newPath === undefined) {
    throw invalidDiffError(
      'missing-file-header',
      `The diff at line ${line} names no file: start it with "--- a/<path>" and "+++ b/<path>".`,
      line,
    );
  }
  const created = oldPath === null || headerLines.some((header) => header.startsWith('new file mode'));
  const deleted = newPath === null || headerLines.some((header) => header.startsWith('deleted file mode'));
  if (created && deleted) {
    throw invalidDiffError('missing-file-header', `The diff at line ${line} has /dev/null on both sides.`, line);
  }
  const before = oldPath ?? undefined;
  const after = newPath ?? undefined;
  const type: FilePatchType = created ? 'add' : deleted ? 'delete' : before !== after ? 'rename' : 'modify';
  const path = (type === 'delete' ? (before ?? after) : (after ?? before))!;
  return {
    type,
    path,
    oldPath: type === 'add' ? null : (before ?? path),
    newPath: type === 'delete' ? null : (after ?? path),
    hunks: parsed.hunks.map((hunk, index) => ({
      oldStart: hunk.oldStart,
      oldLines: hunk.oldLines,
      newStart: hunk.newStart,
      newLines: hunk.newLines,
      lines: hunk.lines,
      lineNumbersKnown: section.hunks[index]!.lineNumbersKnown,
    })),
  };
}

/** undefined: not named; null: /dev/null. */
type NamedPath = string | null | undefined;

function readPaths(parsed: StructuredPatch, headerLines: string[]): { oldPath: NamedPath; newPath: NamedPath } {
  const gitPaths = readGitHeaderPaths(headerLines[0]);
  const renameFrom = headerValue(headerLines, 'rename from ');
  const renameTo = headerValue(headerLines, 'rename to ');
  // parsePatch leaves the file names undefined when there is no ---/+++ pair.
  const oldName = parsed.oldFileName as string | undefined;
  const newName = parsed.newFileName as string | undefined;
  const [oldFromHeader, newFromHeader] = stripSidePrefixes(
    oldName === '/dev/null' ? null : oldName,
    newName === '/dev/null' ? null : newName,
  );
  const indexName = parsed.index;
  return {
    oldPath: oldFromHeader !== undefined ? oldFromHeader : (renameFrom ?? gitPaths?.oldPath ?? indexName),
    newPath: newFromHeader !== undefined ? newFromHeader : (renameTo ?? gitPaths?.newPath ?? indexName),
  };
}

function headerValue(headerLines: string[], prefix: string): string | undefined {
  const header = headerLines.find((line) => line.startsWith(prefix));
  return header === undefined ? undefined : unquote(header.slice(prefix.length).trim());
}

function readGitHeaderPaths(header: string | undefined): { oldPath: string; newPath: string } | undefined {
  if (!header?.startsWith('diff --git ')) return undefined;
  const rest = header.slice('diff --git '.length).trim();
  // The same path on both sides is the common case and the only one that is unambiguous with spaces.
  const half = (rest.length - 1) / 2;
  const left = rest.slice(0, half);
  const right = rest.slice(half + 1);
  if (Number.isInteger(half) && left.startsWith('a/') && right.startsWith('b/') && left.slice(2) === right.slice(2)) {
    return { oldPath: left.slice(2), newPath: right.slice(2) };
  }
  const match = /^"?a\/(.+?)"? "?b\/(.+?)"?$/.exec(rest);
  return match ? { oldPath: match[1]!, newPath: match[2]! } : undefined;
}

/**
 * Drops git's `a/` and `b/` prefixes. When only one side has its prefix (`--- a/x` over
 * `+++ x`), it is dropped only if that makes both sides name the same file.
 */
function stripSidePrefixes(oldName: NamedPath, newName: NamedPath): [NamedPath, NamedPath] {
  const oldPrefixed = typeof oldName === 'string' && oldName.startsWith('a/');
  const newPrefixed = typeof newName === 'string' && newName.startsWith('b/');
  const oldBare = oldPrefixed ? (oldName as string).slice(2) : oldName;
  const newBare = newPrefixed ? (newName as string).slice(2) : newName;
  if ((oldPrefixed || oldName === null) && (newPrefixed || newName === null)) return [oldBare, newBare];
  if (oldPrefixed && oldBare === newName) return [oldBare, newName];
  if (newPrefixed && newBare === oldName) return [oldName, newBare];
  return [oldName, newName];
}

function unquote(path: string): string {
  return path.length >= 2 && path.startsWith('"') && path.endsWith('"') ? path.slice(1, -1) : path;
}
