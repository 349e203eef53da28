import { z } from 'zod';

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

/**
 * Zod schema of an {@link Attachment}: a code snippet the user attached as context.
 *
 * @example
 * ```ts
 * import { attachmentSchema } from '@fragmentkit/core';
 * const attachment = attachmentSchema.parse(json);
 * ```
 */
export const attachmentSchema = z.object({
  id: z.string().min(1).max(512),
  kind: z.literal('snippet').default('snippet'),
  filePath: z.string().min(1).max(1024),
  language: z.string().max(64).default(''),
  text: z.string(),
  range: lineRangeSchema,
  contentHash: z.string().min(1).max(128),
});

/**
 * A code snippet attached as context: which file, which lines, what they said when attached
 * (`text`) and a hash of that text so stale snippets can be detected.
 */
export type Attachment = z.output<typeof attachmentSchema>;
/** An {@link Attachment} as accepted on the wire (`kind` and `language` may be omitted). */
export type AttachmentInput = z.input<typeof attachmentSchema>;
