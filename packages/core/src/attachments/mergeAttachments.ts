import type { Attachment, FileAttachment, SnippetAttachment } from './attachment.js';
import { contentHash } from './contentHash.js';

type CodeAttachment = SnippetAttachment | FileAttachment;

/**
 * Collapses attachments that say the same thing twice, so no line of a file is sent twice:
 *
 * - attachments with the same `id` are one; a later copy (newer text) replaces the earlier one
 *   in place;
 * - snippets and whole files of the same path whose ranges overlap or touch become one
 *   snippet covering both, its text joined without repeating the shared lines and its `id` and
 *   `contentHash` recomputed; a snippet inside an attached whole file disappears into the file.
 *
 * Ranges whose shared lines disagree are kept apart: they come from different versions of the
 * file, and stitching them together would show the model code that never existed (see
 * `detectStale` to find the outdated one). Error attachments are only deduplicated by `id`.
 * Each result sits where the first of its parts was.
 *
 * @example
 * ```ts
 * import { createAttachment, mergeAttachments, sliceLines } from '@fragmentkit/core';
 *
 * const first = createAttachment({ filePath: 'src/App.tsx', text: sliceLines(source, { startLine: 1, endLine: 20 }), range: { startLine: 1, endLine: 20 } });
 * const second = createAttachment({ filePath: 'src/App.tsx', text: sliceLines(source, { startLine: 15, endLine: 30 }), range: { startLine: 15, endLine: 30 } });
 * mergeAttachments([first, second]).map((attachment) => attachment.id); // ['src/App.tsx#L1-L30']
 * ```
 */
export function mergeAttachments(attachments: readonly Attachment[]): Attachment[] {
  const unique = deduplicate(attachments);
  const byFile = new Map<string, { attachment: CodeAttachment; position: number }[]>();
  const placed: { attachment: Attachment; position: number }[] = [];
  unique.forEach((attachment, position) => {
    if (attachment.kind === 'error') {
      placed.push({ attachment, position });
      return;
    }
    const group = byFile.get(attachment.filePath) ?? [];
    group.push({ attachment, position });
    byFile.set(attachment.filePath, group);
  });

  for (const group of byFile.values()) {
    group.sort(
      (left, right) =>
        left.attachment.range.startLine - right.attachment.range.startLine ||
        right.attachment.range.endLine - left.attachment.range.endLine,
    );
    let current = group[0]!;
    for (const next of group.slice(1)) {
      const merged = mergePair(current.attachment, next.attachment);
      if (merged) {
        current = { attachment: merged, position: Math.min(current.position, next.position) };
      } else {
        placed.push(current);
        current = next;
      }
    }
    placed.push(current);
  }
  return placed.sort((left, right) => left.position - right.position).map((entry) => entry.attachment);
}

function deduplicate(attachments: readonly Attachment[]): Attachment[] {
  const positions = new Map<string, number>();
  const unique: Attachment[] = [];
  for (const attachment of attachments) {
    const position = positions.get(attachment.id);
    if (position === undefined) {
      positions.set(attachment.id, unique.length);
      unique.push(attachment);
    } else {
      unique[position] = attachment;
    }
  }
  return unique;
}

/**
 * `first` and `second` as one attachment, or `undefined` when they neither overlap nor touch or
 * their shared lines differ. `first` starts no later than `second`.
 */
function mergePair(first: CodeAttachment, second: CodeAttachment): CodeAttachment | undefined {
  if (second.range.startLine > first.range.endLine + 1) return undefined;
  const firstLines = first.text.split('\n');
  const secondLines = second.text.split('\n');
  const sharedEnd = Math.min(first.range.endLine, second.range.endLine);
  for (let line = second.range.startLine; line <= sharedEnd; line++) {
    if (firstLines[line - first.range.startLine] !== secondLines[line - second.range.startLine]) return undefined;
  }
  if (second.range.endLine <= first.range.endLine) return first;

  const startLine = first.range.startLine;
  const endLine = second.range.endLine;
  const text = [...firstLines, ...secondLines.slice(first.range.endLine + 1 - second.range.startLine)].join('\n');
  return {
    id: `${first.filePath}#L${startLine}-L${endLine}`,
    kind: 'snippet',
    filePath: first.filePath,
    language: first.language || second.language,
    text,
    range: { startLine, endLine },
    contentHash: contentHash(text),
  };
}
