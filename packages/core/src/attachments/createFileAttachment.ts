import { FragmentkitError } from '../errors.js';
import type { FileAttachment } from './attachment.js';
import { contentHash } from './contentHash.js';
import { languageFromPath } from './createAttachment.js';

/**
 * Options for {@link createFileAttachment}.
 *
 * @example
 * ```ts
 * const options: CreateFileAttachmentOptions = { filePath: 'src/theme.ts', text: source };
 * ```
 */
export interface CreateFileAttachmentOptions {
  /** Path of the file in the user's project, as the model should see it, e.g. `src/App.tsx`. */
  filePath: string;
  /** The whole contents of the file. */
  text: string;
  /** Fence language. Defaults to {@link languageFromPath}. */
  language?: string;
}

/**
 * Creates a `file` {@link Attachment}: a whole file, budgeted like a snippet (cut on whole lines
 * with a note when it does not fit). Its `range` is 1..N and its `id` is `<path>#file`, so
 * attaching the same file again after it changed replaces it instead of adding a second copy.
 *
 * Line endings are normalised to `\n` and the final line break ends the last line, as editors
 * count lines: `'a\nb\n'` is lines 1-2.
 *
 * @throws {FragmentkitError} `INVALID_REQUEST` when the path is empty.
 *
 * @example
 * ```ts
 * import { createFileAttachment } from '@fragmentkit/core';
 *
 * const attachment = createFileAttachment({ filePath: 'src/theme.ts', text: await readFile('src/theme.ts', 'utf8') });
 * attachment.range; // { startLine: 1, endLine: 42 }
 * ```
 */
export function createFileAttachment(options: CreateFileAttachmentOptions): FileAttachment {
  const { filePath } = options;
  if (typeof filePath !== 'string' || filePath.trim() === '') {
    throw new FragmentkitError('INVALID_REQUEST', 'A file attachment needs a non-empty filePath.');
  }
  const text = wholeFileText(options.text);
  return {
    id: `${filePath}#file`,
    kind: 'file',
    filePath,
    language: options.language ?? languageFromPath(filePath),
    text,
    range: { startLine: 1, endLine: text.split('\n').length },
    contentHash: contentHash(text),
  };
}

/** A file's contents as a `file` attachment holds them: `\n` line endings, no final line break. */
export function wholeFileText(source: string): string {
  return source.replace(/\r\n?/g, '\n').replace(/\n$/, '');
}
