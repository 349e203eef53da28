import type { RecordedRequest } from './recordedRequest.js';

/**
 * Token counts the fake reports; missing counts are estimated at about four characters a token.
 *
 * @example
 * ```ts
 * const usage: FakeUsage = { inputTokens: 1200, cachedInputTokens: 800, outputTokens: 300 };
 * ```
 */
export interface FakeUsage {
  /** Input tokens excluding cache reads and writes, as in `@fragmentkit/core`'s `Usage`. */
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  /** Anthropic only: tokens written to the prompt cache. */
  cacheWriteTokens?: number;
}

/**
 * Breaks a reply off after some text chunks, to test how clients handle a broken stream.
 *
 * @example
 * ```ts
 * const reply: FakeTextReply = { text: '{"title":', interrupt: { afterChunks: 1, kind: 'cut' } };
 * ```
 */
export interface FakeInterruption {
  /** Text chunks sent before the break. */
  afterChunks: number;
  /**
   * `cut`: the response ends cleanly but without the terminal events. `error`: the API's
   * in-band error is sent (Anthropic `event: error` with `overloaded_error`, OpenAI a
   * `data: {"error": ...}` chunk). `reset`: the connection is closed in the middle of the body,
   * as when a proxy drops it. `stall`: nothing more is sent, but the connection stays open until
   * the client gives up (or the fake closes).
   */
  kind: 'cut' | 'error' | 'reset' | 'stall';
}

/**
 * A successful answer.
 *
 * @example
 * ```ts
 * const reply: FakeTextReply = { text: '{"title":"Counter"}', stopReason: 'max_tokens' };
 * ```
 */
export interface FakeTextReply {
  text: string;
  /** Defaults to `end_turn` (OpenAI: `stop`); `max_tokens` becomes OpenAI's `length`. */
  stopReason?: 'end_turn' | 'max_tokens';
  usage?: FakeUsage;
  /** Streaming only. */
  interrupt?: FakeInterruption;
  /**
   * Streaming only: after the headers and the opening events, wait this long before the first
   * text delta (less if the client goes away first), like a model that is slow to start.
   */
  firstChunkDelayMs?: number;
  /**
   * Streaming only: after this many text chunks (when the answer has more), send one event
   * whose `data:` line is not valid JSON, then carry on with the rest of the answer.
   */
  malformedChunk?: { afterChunks: number };
}

/**
 * An HTTP error answer, served in the API's real error JSON shape.
 *
 * @example
 * ```ts
 * const reply: FakeErrorReply = { error: { status: 529, type: 'overloaded_error', message: 'Overloaded' } };
 * ```
 */
export interface FakeErrorReply {
  error: {
    status: number;
    /** e.g. `rate_limit_error`, `overloaded_error`, `invalid_request_error`. */
    type: string;
    message: string;
    /** OpenAI's `error.code`, e.g. `context_length_exceeded`. */
    code?: string;
    /** e.g. `{ 'retry-after': '3' }`. */
    headers?: Record<string, string>;
  };
}

/**
 * A failure below HTTP: `reset` closes the connection before any response header is written;
 * `hang` accepts the request and never answers, until the client gives up (or the fake closes).
 *
 * @example
 * ```ts
 * const reply: FakeConnectionFault = { connection: 'hang' };
 * ```
 */
export interface FakeConnectionFault {
  connection: 'reset' | 'hang';
}

/**
 * What the fake answers to one request: text, an HTTP error, or a connection fault.
 *
 * @example
 * ```ts
 * const respond = (request: RecordedRequest): FakeReply =>
 *   request.model === 'down' ? { error: { status: 503, type: 'api_error', message: 'Down' } } : { text: '{}' };
 * ```
 */
export type FakeReply = FakeTextReply | FakeErrorReply | FakeConnectionFault;

/** Complete token counts of a reply. */
export interface ResolvedUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
}

export function isErrorReply(reply: FakeReply): reply is FakeErrorReply {
  return 'error' in reply;
}

export function isConnectionFault(reply: FakeReply): reply is FakeConnectionFault {
  return 'connection' in reply;
}

export function resolveUsage(reply: FakeTextReply, request: RecordedRequest): ResolvedUsage {
  const promptCharacters = request.system.length + request.messages.reduce((sum, m) => sum + m.content.length, 0);
  return {
    inputTokens: reply.usage?.inputTokens ?? estimateTokens(promptCharacters),
    outputTokens: reply.usage?.outputTokens ?? estimateTokens(reply.text.length),
    cachedInputTokens: reply.usage?.cachedInputTokens ?? 0,
    cacheWriteTokens: reply.usage?.cacheWriteTokens ?? 0,
  };
}

function estimateTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
}

/** Splits text into chunks of `size` characters without cutting a surrogate pair in half. */
export function chunkText(text: string, size: number): string[] {
  const characters = Array.from(text);
  const chunks: string[] = [];
  for (let index = 0; index < characters.length; index += size) {
    chunks.push(characters.slice(index, index + size).join(''));
  }
  return chunks;
}
