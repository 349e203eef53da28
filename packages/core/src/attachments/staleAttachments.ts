import type { Attachment, LineRange } from './attachment.js';
import { contentHash } from './contentHash.js';
import { createAttachment, sliceLines } from './createAttachment.js';
import { createFileAttachment, wholeFileText } from './createFileAttachment.js';

/**
 * The ids of attachments that no longer match their file: the lines of their `range` in
 * `currentFiles[filePath]` (the whole file for a `file` attachment) hash differently from their
 * `contentHash`. Attachments whose file is not in `currentFiles` are not judged. Pass the result
 * to `buildPrompt` as `staleIds` so the prompt report flags them, and offer
 * {@link refreshAttachment} in the UI.
 *
 * @example
 * ```ts
 * import { detectStale } from '@fragmentkit/core';
 *
 * const staleIds = detectStale(attachments, { 'src/App.tsx': editor.getValue() });
 * ```
 */
export function detectStale(
  attachments: readonly Attachment[],
  currentFiles: Readonly<Record<string, string>>,
): string[] {
  const stale: string[] = [];
  for (const attachment of attachments) {
    if (!Object.hasOwn(currentFiles, attachment.filePath)) continue;
    const current = currentFiles[attachment.filePath]!;
    const text = attachment.kind === 'file' ? wholeFileText(current) : sliceLines(current, attachment.range);
    if (contentHash(text) !== attachment.contentHash) stale.push(attachment.id);
  }
  return stale;
}

/**
 * The attachment as it reads in `currentContents` of its file. A `file` attachment takes the
 * whole new contents. A snippet or error whose exact lines still exist elsewhere (code was
 * added or removed above them) follows them to their new place, the occurrence nearest the old
 * one; otherwise it keeps its range, clamped to the end of the file, with the lines now there.
 * An error keeps its message, stack and `id`; its failing line moves with the code.
 *
 * @example
 * ```ts
 * import { detectStale, refreshAttachment } from '@fragmentkit/core';
 *
 * for (const id of detectStale(store.getSnapshot(), files)) {
 *   const stale = store.getSnapshot().find((attachment) => attachment.id === id)!;
 *   store.remove(id);
 *   store.add(refreshAttachment(stale, files[stale.filePath]!));
 * }
 * ```
 */
export function refreshAttachment(attachment: Attachment, currentContents: string): Attachment {
  if (attachment.kind === 'file') {
    return createFileAttachment({
      filePath: attachment.filePath,
      text: currentContents,
      language: attachment.language,
    });
  }
  const lines = currentContents.split(/\r\n?|\n/);
  const range = relocate(attachment.text.split('\n'), lines, attachment.range) ?? clamp(attachment.range, lines.length);
  if (attachment.kind === 'snippet') {
    return createAttachment({
      filePath: attachment.filePath,
      text: lines.slice(range.startLine - 1, range.endLine).join('\n'),
      range,
      language: attachment.language,
    });
  }
  const shift = range.startLine - attachment.range.startLine;
  const text = lines.slice(range.startLine - 1, range.endLine).join('\n');
  return {
    ...attachment,
    text,
    range,
    contentHash: contentHash(text),
    failingLine: Math.min(Math.max(attachment.failingLine + shift, range.startLine), range.endLine),
  };
}

/** Where `wanted` appears as whole lines in `lines`, nearest `previous.startLine`; 1-based. */
function relocate(wanted: string[], lines: string[], previous: LineRange): LineRange | undefined {
  // A blank snippet matches every blank line: there is nothing to follow.
  if (wanted.every((line) => line.trim() === '')) return undefined;
  let best: number | undefined;
  for (let start = 0; start + wanted.length <= lines.length; start++) {
    let index = 0;
    while (index < wanted.length && lines[start + index] === wanted[index]) index++;
    if (index < wanted.length) continue;
    const distance = Math.abs(start + 1 - previous.startLine);
    if (best === undefined || distance < Math.abs(best + 1 - previous.startLine)) best = start;
  }
  return best === undefined ? undefined : { startLine: best + 1, endLine: best + wanted.length };
}

function clamp(range: LineRange, lineCount: number): LineRange {
  const length = range.endLine - range.startLine + 1;
  const endLine = Math.min(range.endLine, lineCount);
  const startLine = Math.max(1, Math.min(range.startLine, endLine - length + 1));
  return { startLine, endLine };
}
