import { z } from 'zod';
import { createAttachmentSchema } from '../attachments/attachment.js';

/**
 * Default limits on a chat request. Hosts may tighten or loosen them in the server config.
 *
 * @example
 * ```ts
 * import { defaultChatLimits } from '@fragmentkit/core';
 * defaultChatLimits.maxInputChars; // 20000
 * ```
 */
export const defaultChatLimits = {
  /** Whole request body, in bytes. */
  maxBodyBytes: 1_000_000,
  /** The user's typed input, in characters. */
  maxInputChars: 20_000,
  /** Number of attachments. */
  maxAttachments: 20,
  /** One attachment's text, in characters. */
  maxAttachmentChars: 200_000,
  /** Number of earlier turns sent by the client. */
  maxHistoryMessages: 100,
} as const;

/** Limits that {@link createChatRequestSchema} enforces. */
export type ChatLimits = { -readonly [K in keyof typeof defaultChatLimits]: number };

/**
 * Builds the zod schema of the `POST /chat` body for the given limits.
 *
 * @example
 * ```ts
 * import { createChatRequestSchema } from '@fragmentkit/core';
 * const schema = createChatRequestSchema({ maxAttachments: 5 });
 * const result = schema.safeParse(body);
 * ```
 */
export function createChatRequestSchema(limits: Partial<ChatLimits> = {}) {
  const l = { ...defaultChatLimits, ...limits };
  return z.object({
    input: z.string().trim().min(1, 'input must not be empty').max(l.maxInputChars),
    attachments: z
      .array(createAttachmentSchema({ maxTextChars: l.maxAttachmentChars }))
      .max(l.maxAttachments)
      .default([]),
    conversationId: z.string().min(1).max(128).optional(),
    template: z.string().min(1).max(64).optional(),
    model: z.string().min(1).max(128).optional(),
    history: z
      .array(z.object({ role: z.enum(['user', 'assistant']), content: z.string().max(l.maxAttachmentChars) }))
      .max(l.maxHistoryMessages)
      .default([]),
  });
}

/**
 * The `POST /chat` body schema with the default limits.
 *
 * @example
 * ```ts
 * import { chatRequestSchema } from '@fragmentkit/core';
 * const request = chatRequestSchema.parse({ input: 'Make a todo app', attachments: [] });
 * ```
 */
export const chatRequestSchema = createChatRequestSchema();

/** A validated `POST /chat` body. */
export type ChatRequest = z.output<typeof chatRequestSchema>;
/** A `POST /chat` body as the client sends it. */
export type ChatRequestInput = z.input<typeof chatRequestSchema>;
