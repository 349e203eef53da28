import type { ChatLimits, ChatRequest, createChatRequestSchema } from '@fragmentkit/core';
import { parseJsonBody } from './parseJsonBody.js';

type ChatRequestSchema = ReturnType<typeof createChatRequestSchema>;

/**
 * Turns a `POST /chat` request into a validated {@link ChatRequest}, or throws the 4xx
 * FragmentkitError that says what is wrong with it: 415, 413, or 400 with `details.issues`.
 */
export function parseChatRequest(
  request: Request,
  schema: ChatRequestSchema,
  limits: ChatLimits,
): Promise<ChatRequest> {
  return parseJsonBody(request, schema, { operation: 'POST /chat', maxBytes: limits.maxBodyBytes });
}
