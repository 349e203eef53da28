import { z } from 'zod';
import { stackFrameSchema } from '../incidents/incidentEvent.js';
import { maxMessageLength, maxMetadataLength, maxTypeLength } from '../incidents/incidentLimits.js';

/**
 * A 1-based, inclusive range of whole lines.
 *
 * @example
 * ```ts
 * const range: LineRange = { startLine: 10, endLine: 24 };
 * ```
 */
export interface LineRange {
  startLine: number;
  endLine: number;
}

/** Zod schema of {@link LineRange}; `endLine` must not be before `startLine`. */
export const lineRangeSchema = z
  .object({
    startLine: z.number().int().min(1),
    endLine: z.number().int().min(1),
  })
  .refine((range) => range.endLine >= range.startLine, {
    message: 'endLine must be greater than or equal to startLine',
    path: ['endLine'],
  });

/** Stack frames kept on an error attachment; the top of the stack is what explains a failure. */
const maxErrorFrames = 50;

/**
 * Options for {@link createAttachmentSchema}.
 *
 * @example
 * ```ts
 * const options: AttachmentSchemaOptions = { maxTextChars: 200_000 };
 * ```
 */
export interface AttachmentSchemaOptions {
  /** Most characters of an attachment's `text`. Unlimited by default. */
  maxTextChars?: number;
}

/**
 * Builds the zod schema of an {@link Attachment}, a union on `kind`:
 *
 * - `snippet` (the default when `kind` is missing): lines of a file the user selected;
 * - `file`: a whole file, `range` 1..N;
 * - `error`: a runtime error (`message`, `errorType`, parsed `frames`, `failingLine`) with the
 *   code around the failing line as `text` and `range`.
 *
 * Every kind has `filePath`, `range`, `text` and `contentHash`, so code that shows or budgets
 * attachments treats them alike.
 *
 * @example
 * ```ts
 * import { createAttachmentSchema } from '@fragmentkit/core';
 * const schema = createAttachmentSchema({ maxTextChars: 200_000 });
 * const attachment = schema.parse(json);
 * ```
 */
export function createAttachmentSchema(options: AttachmentSchemaOptions = {}) {
  const text = options.maxTextChars === undefined ? z.string() : z.string().max(options.maxTextChars);
  const common = {
    id: z.string().min(1).max(512),
    filePath: z.string().min(1).max(1024),
    language: z.string().max(64).default(''),
    text,
    range: lineRangeSchema,
    contentHash: z.string().min(1).max(128),
  };
  return z.discriminatedUnion('kind', [
    z.object({ ...common, kind: z.literal('snippet').default('snippet') }),
    z.object({ ...common, kind: z.literal('file') }),
    z
      .object({
        ...common,
        kind: z.literal('error'),
        message: z.string().max(maxMessageLength),
        errorType: z.string().min(1).max(maxTypeLength).default('Error'),
        frames: z.array(stackFrameSchema).max(maxErrorFrames).default([]),
        failingLine: z.number().int().min(1),
        /** The commit the failing code was deployed from, when the error came from an incident. */
        commitSha: z.string().min(1).max(maxMetadataLength).optional(),
      })
      .refine(
        (attachment) =>
          attachment.failingLine >= attachment.range.startLine && attachment.failingLine <= attachment.range.endLine,
        { message: 'failingLine must lie within range', path: ['failingLine'] },
      ),
  ]);
}

/**
 * Zod schema of an {@link Attachment}, without a length limit on `text`; see
 * {@link createAttachmentSchema}.
 *
 * @example
 * ```ts
 * import { attachmentSchema } from '@fragmentkit/core';
 * const attachment = attachmentSchema.parse(json);
 * ```
 */
export const attachmentSchema = createAttachmentSchema();

/**
 * Context the user attached: a code `snippet`, a whole `file`, or a runtime `error` with the code
 * around its failing line. Each says which file and lines, what they said when attached
 * (`text`) and a hash of that text, so stale attachments can be detected.
 */
export type Attachment = z.output<typeof attachmentSchema>;
/** An {@link Attachment} as accepted on the wire (`kind` and `language` may be omitted). */
export type AttachmentInput = z.input<typeof attachmentSchema>;
/**
 * Lines of a file the user selected.
 *
 * @example
 * ```ts
 * if (attachment.kind === 'snippet') console.log(attachment.range);
 * ```
 */
export type SnippetAttachment = Extract<Attachment, { kind: 'snippet' }>;
/**
 * A whole file; its `range` is 1..N.
 *
 * @example
 * ```ts
 * const file: FileAttachment = createFileAttachment({ filePath: 'src/theme.ts', text: source });
 * ```
 */
export type FileAttachment = Extract<Attachment, { kind: 'file' }>;
/**
 * A runtime error with the code around its failing line, for "fix this" requests.
 *
 * @example
 * ```ts
 * if (attachment.kind === 'error') console.log(attachment.errorType, attachment.failingLine);
 * ```
 */
export type ErrorAttachment = Extract<Attachment, { kind: 'error' }>;
