import { FragmentkitError, type ModelMessage, type RouterRequest } from '@fragmentkit/core';
import { z } from 'zod';

const unsupported = (field: string) =>
  z.undefined({ error: `${field} is not supported by this gateway: it answers with text only.` }).optional();

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const content = z.union([z.string(), z.array(textPart).min(1)], {
  error: 'content must be a string or an array of text parts ({ type: "text", text })',
});

/**
 * The body of `POST /v1/chat/completions` this gateway accepts: the text-only subset of the
 * OpenAI Chat Completions request, plus `fallbacks`. Unknown fields are ignored, as OpenAI
 * clients send optional ones freely; fields that would change the answer's shape (tools,
 * function calls, `n` > 1) are refused rather than ignored.
 *
 * @example
 * ```ts
 * const body = chatCompletionRequestSchema.parse({ model: 'fk-smart', messages: [{ role: 'user', content: 'Hi' }] });
 * ```
 */
export const chatCompletionRequestSchema = z.object({
  model: z.string().min(1).max(256),
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'developer', 'user', 'assistant'], {
          error: 'role must be system, developer, user or assistant (tool messages are not supported)',
        }),
        content,
        name: z.string().max(256).optional(),
      }),
    )
    .min(1)
    .max(1000),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  n: z.literal(1, { error: 'n must be 1: this gateway answers with one choice.' }).nullish(),
  tools: unsupported('tools'),
  tool_choice: unsupported('tool_choice'),
  functions: unsupported('functions'),
  function_call: unsupported('function_call'),
  /** Router target ids to try after the model's route; each must be one the host allows. */
  fallbacks: z.array(z.string().min(1).max(256)).max(20).optional(),
});

/**
 * A validated chat completion request.
 *
 * @example
 * ```ts
 * const body: ChatCompletionRequest = { model: 'fk-smart', messages: [{ role: 'user', content: 'Hi' }] };
 * ```
 */
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/**
 * The router request of a chat completion: system and developer messages become the system
 * prompt (joined in order, wherever they stand), the others the conversation; text parts are
 * joined with line breaks; `max_completion_tokens` (or the older `max_tokens`) becomes the
 * output limit.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when no user or assistant message is left.
 *
 * @example
 * ```ts
 * toRouterRequest(chatCompletionRequestSchema.parse({
 *   model: 'fk-smart',
 *   messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
 *   max_tokens: 100,
 * })); // { system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }], maxOutputTokens: 100 }
 * ```
 */
export function toRouterRequest(body: ChatCompletionRequest): RouterRequest {
  const system: string[] = [];
  const messages: ModelMessage[] = [];
  for (const message of body.messages) {
    const text =
      typeof message.content === 'string' ? message.content : message.content.map((part) => part.text).join('\n');
    if (message.role === 'system' || message.role === 'developer') system.push(text);
    else messages.push({ role: message.role, content: text });
  }
  if (messages.length === 0) {
    throw new FragmentkitError('INVALID_REQUEST', 'messages must hold at least one user or assistant message.', {
      details: { issues: [{ path: ['messages'], message: 'no user or assistant message' }] },
    });
  }
  const maxOutputTokens = body.max_completion_tokens ?? body.max_tokens;
  return {
    system: system.join('\n\n'),
    messages,
    ...(maxOutputTokens == null ? {} : { maxOutputTokens }),
    ...(body.temperature == null ? {} : { temperature: body.temperature }),
  };
}
