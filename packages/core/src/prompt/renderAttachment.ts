import type { Attachment } from '../attachments/attachment.js';
import { renderDataBlock, toSingleLine } from './dataBlock.js';

/** Frames of an error's stack shown to the model; the top of the stack explains the failure. */
const renderedFrames = 12;

/**
 * Renders an attachment as the model sees it, as labelled data (see {@link renderDataBlock}):
 *
 * - a snippet: `File: src/App.tsx (lines 10-24)` and the code in a fence;
 * - a whole file: `File: src/App.tsx (whole file, lines 1-80)` and the code;
 * - an error: `Runtime error in src/App.tsx at line 12:` with the message and the top stack
 *   frames in a `text` fence, then the code around the failing line.
 *
 * Fences are longer than any backtick run inside, so content containing ```` ``` ```` cannot
 * end its block early. Pass `text` to render only the leading lines (the header then names
 * just those lines) and `note` to say what was left out; the note follows the closing fence.
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
  const filePath = toSingleLine(attachment.filePath);
  let block: string;
  if (attachment.kind === 'error') {
    const output = [
      `${attachment.errorType}: ${attachment.message}`,
      ...attachment.frames.slice(0, renderedFrames).map((frame) => `    ${frame.raw}`),
    ].join('\n');
    block = [
      renderDataBlock(
        `Runtime error in ${filePath} at line ${attachment.failingLine}${
          attachment.commitSha ? ` (commit ${toSingleLine(attachment.commitSha)})` : ''
        }:`,
        output,
        'text',
      ),
      renderDataBlock(
        `File: ${filePath} (lines ${startLine}-${endLine}, failing line ${attachment.failingLine})`,
        code,
        attachment.language,
      ),
    ].join('\n');
  } else {
    const whole = attachment.kind === 'file' && endLine === attachment.range.endLine;
    block = renderDataBlock(
      `File: ${filePath} (${whole ? 'whole file, ' : ''}lines ${startLine}-${endLine})`,
      code,
      attachment.language,
    );
  }
  return note ? `${block}\n${note}` : block;
}
