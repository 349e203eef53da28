/** One event of a Server-Sent Events stream, with its JSON data parsed. */
export interface ServerSentEvent {
  event: string;
  data: unknown;
}

/** Parses a complete Server-Sent Events body, as fragmentkit's `POST /chat` answers it. */
export function parseServerSentEvents(text: string): ServerSentEvent[] {
  return text
    .split(/\n\n+/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event =
        lines
          .find((line) => line.startsWith('event:'))
          ?.slice('event:'.length)
          .trim() ?? 'message';
      const data = lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice('data:'.length).trimStart())
        .join('\n');
      return { event, data: data ? JSON.parse(data) : undefined };
    });
}
