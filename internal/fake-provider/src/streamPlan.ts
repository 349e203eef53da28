/**
 * The frames of one streamed answer, in wire order. The writer sends `head`, then `deltas`
 * one by one with the configured delay, then `tail`; an interruption replaces `tail` with
 * nothing (`cut`) or with `errorFrames` (`error`). `malformedFrame` is a text delta whose
 * JSON breaks off, for replies that ask for one.
 */
export interface StreamPlan {
  head: string[];
  deltas: string[];
  tail: string[];
  errorFrames: string[];
  malformedFrame: string;
}

/** One SSE event with an `event:` line, as Anthropic sends them. */
export function namedEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** One SSE event with only a `data:` line, as OpenAI sends them. */
export function dataEvent(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}
