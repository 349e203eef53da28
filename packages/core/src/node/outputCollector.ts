import { StringDecoder } from 'node:string_decoder';

/**
 * Keeps at most `limitBytes` of one output stream. Past the cap it stops storing and
 * forwarding, appends a marker once, and keeps accepting data, so the process is drained
 * and never blocks on a full pipe.
 */
export interface OutputCollector {
  push(chunk: Buffer): void;
  /** Flushes a multi-byte character split at the end of the stream. */
  end(): void;
  text(): string;
  readonly truncated: boolean;
}

/** The line appended where output was cut. */
export function truncationMarker(limitBytes: number): string {
  return `\n[fragmentkit: output truncated after ${limitBytes} bytes]\n`;
}

/** Creates an {@link OutputCollector}; `onText` sees what is kept, as it arrives, plus the marker. */
export function createOutputCollector(limitBytes: number, onText?: (text: string) => void): OutputCollector {
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  let kept = 0;
  let truncated = false;

  function keep(text: string): void {
    if (text.length === 0) return;
    parts.push(text);
    onText?.(text);
  }

  return {
    push(chunk) {
      if (truncated) return;
      const room = limitBytes - kept;
      if (chunk.length <= room) {
        kept += chunk.length;
        keep(decoder.write(chunk));
        return;
      }
      kept = limitBytes;
      keep(decoder.write(chunk.subarray(0, room)));
      // An incomplete character at the cut is dropped rather than shown as U+FFFD.
      decoder.end();
      truncated = true;
      keep(truncationMarker(limitBytes));
    },
    end() {
      if (!truncated) keep(decoder.end());
    },
    text: () => parts.join(''),
    get truncated() {
      return truncated;
    },
  };
}
