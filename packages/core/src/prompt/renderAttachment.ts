import type { Attachment } from '../attachments/attachment.js';

/**
 * Renders an attachment as the model sees it: a header naming the file and lines, then the code
 * in a Markdown fence longer than any backtick run inside it, so code containing ```` ``` ````
 * cannot end the block early.
 *
 * Pass `text` to render only the leading lines of the snippet (the header then names just those
 * lines) and `note` to say what was left out; the note follows the closing fence.
 *
 * @example
 * ```ts
 * import { renderAttachment } from '@fragmentkit/core';
 *
 * renderAttachment(attachment);
 * // File: src/App.tsx (lines 10-24)
 * // ```tsx
 * // ...
 * // ```
 * ```
 */
export function renderAttachment(attachment: Attachment, text?: string, note?: string): string {
  const code = text ?? attachment.text;
  const { startLine } = attachment.range;
  const endLine = text === undefined ? attachment.range.endLine : startLine + text.split('\n').length - 1;
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(code) + 1));
  const filePath = toDisplayPath(attachment.filePath);
  // The language comes from the client: keep it from ending the fence's info string.
  const language = attachment.language.replace(/[^\w#+.-]/g, '');
  const block = `File: ${filePath} (lines ${startLine}-${endLine})\n${fence}${language}\n${code}\n${fence}`;
  return note ? `${block}\n${note}` : block;
}

/** The path as one line: a path comes from the client and must not start lines of its own. */
export function toDisplayPath(filePath: string): string {
  return filePath.replace(/[\p{Cc}\u2028\u2029]/gu, ' ');
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const match of text.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
  return longest;
}
