/**
 * Which wire format a request used.
 *
 * @example
 * ```ts
 * const api: FakeApi = fake.requests[0]?.api ?? 'anthropic';
 * ```
 */
export type FakeApi = 'anthropic' | 'openai';

/**
 * One chat message with its text flattened to a string, whatever shape the API sent.
 *
 * @example
 * ```ts
 * const message: RecordedMessage = { role: 'user', content: 'Make a counter' };
 * ```
 */
export interface RecordedMessage {
  role: string;
  content: string;
}

/**
 * A request the fake provider received. `body` is the JSON exactly as sent; the other fields
 * are the same request normalised across both APIs, so tests can assert on the system prompt
 * and the message text without caring which API carried them.
 *
 * @example
 * ```ts
 * const [request] = fake.requests;
 * expect(request?.system).toContain('JSON');
 * expect(request?.messages.at(-1)?.content).toBe('Add a reset button');
 * ```
 */
export interface RecordedRequest {
  api: FakeApi;
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  model: string;
  /** Anthropic's `system`, or OpenAI's `system`/`developer` messages joined by blank lines. */
  system: string;
  /** The conversation without system messages, text blocks joined by newlines. */
  messages: RecordedMessage[];
  stream: boolean;
  /** `max_tokens`, or OpenAI's `max_completion_tokens`. */
  maxTokens: number | undefined;
  /** True when the client went away before the answer was complete. */
  aborted: boolean;
}

type JsonObject = Record<string, unknown>;

/** Builds the normalised view of a request body; never throws, whatever the body holds. */
export function recordRequest(
  api: FakeApi,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): RecordedRequest {
  const json = isObject(body) ? body : {};
  const rawMessages = Array.isArray(json.messages) ? json.messages.filter(isObject) : [];
  const isSystem = (message: JsonObject) =>
    api === 'openai' && (message.role === 'system' || message.role === 'developer');
  const systemParts =
    api === 'anthropic' ? [textOf(json.system)] : rawMessages.filter(isSystem).map((m) => textOf(m.content));
  const maxTokens = api === 'openai' ? (json.max_completion_tokens ?? json.max_tokens) : json.max_tokens;
  return {
    api,
    path,
    headers,
    body,
    model: typeof json.model === 'string' ? json.model : '',
    system: systemParts.filter(Boolean).join('\n\n'),
    messages: rawMessages
      .filter((message) => !isSystem(message))
      .map((message) => ({ role: String(message.role ?? ''), content: textOf(message.content) })),
    stream: json.stream === true,
    maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
    aborted: false,
  };
}

/** The last user message's text, or an empty string. */
export function lastUserMessage(request: RecordedRequest): string {
  return request.messages.findLast((message) => message.role === 'user')?.content ?? '';
}

/** A string as is; an array of content blocks/parts as its text parts joined by newlines. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isObject)
    .map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .filter(Boolean)
    .join('\n');
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
