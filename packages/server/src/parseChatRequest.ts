import { type ChatLimits, type ChatRequest, type createChatRequestSchema, FragmentkitError } from '@fragmentkit/core';
import { readBodyText } from './readBody.js';

type ChatRequestSchema = ReturnType<typeof createChatRequestSchema>;

/** One zod issue as the client sees it in `details.issues`. */
export interface RequestIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Turns a `POST /chat` request into a validated {@link ChatRequest}, or throws the 4xx
 * FragmentkitError that says what is wrong with it: 415, 413, or 400 with `details.issues`.
 */
export async function parseChatRequest(
  request: Request,
  schema: ChatRequestSchema,
  limits: ChatLimits,
): Promise<ChatRequest> {
  const mediaType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new FragmentkitError(
      'UNSUPPORTED_MEDIA_TYPE',
      `POST /chat takes a JSON body; send it with content-type: application/json (got ${mediaType || 'none'}).`,
    );
  }

  const text = await readBodyText(request, limits.maxBodyBytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FragmentkitError('INVALID_REQUEST', `The request body is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }

  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issues: RequestIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))),
    message: issue.message,
  }));
  const summary = issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
  throw new FragmentkitError('INVALID_REQUEST', `Invalid chat request: ${summary}`, { details: { issues } });
}
