import type { ErrorBody, Fragment, FragmentRuntimeError, PreviewUnavailable, StaticFinding } from '@fragmentkit/core';
import { useCallback, useEffect, useRef, useState } from 'react';

/** The `result` event of `POST /sandbox` (the fields this app shows). */
export interface SandboxResult {
  status: string;
  url?: string;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  runtimeError?: FragmentRuntimeError;
  previewUnavailable?: PreviewUnavailable;
  warnings: StaticFinding[];
}

/** Where a run is, as the UI shows it. */
export interface SandboxRunState {
  status: 'idle' | 'running' | 'done' | 'error';
  /** The latest `status` message, e.g. "Installing pandas with pip." */
  step: string | undefined;
  /** Output as it streams in. */
  stdout: string;
  stderr: string;
  result: SandboxResult | undefined;
  error: ErrorBody | undefined;
}

const idle: SandboxRunState = {
  status: 'idle',
  step: undefined,
  stdout: '',
  stderr: '',
  result: undefined,
  error: undefined,
};

/** Yields the `{ event, data }` pairs of a Server-Sent Events body as they arrive. */
async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  // TypeScript's DOM lib types the decoder's writable side too narrowly for a byte stream.
  const decoder = new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
  const reader = body.pipeThrough(decoder).getReader();
  let buffered = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    buffered += chunk.value.replace(/\r\n?/g, '\n');
    for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

/**
 * Runs a fragment through `POST {endpoint}/sandbox` and follows its event stream: status
 * steps, stdout/stderr as printed, then the result (stdout, or the preview URL of a web app).
 * Each run sends its own `Idempotency-Key`, so a retried request never runs the code twice.
 */
export function useSandboxRun(endpoint: string) {
  const [state, setState] = useState<SandboxRunState>(idle);
  const controllerRef = useRef<AbortController | null>(null);
  useEffect(() => () => controllerRef.current?.abort(), []);

  const run = useCallback(
    async (fragment: Fragment, conversationId: string | undefined) => {
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      setState({ ...idle, status: 'running', step: 'Starting…' });
      try {
        const response = await fetch(`${endpoint}/sandbox`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            'idempotency-key': crypto.randomUUID(),
          },
          body: JSON.stringify({ fragment, ...(conversationId ? { conversationId } : {}) }),
          signal: controller.signal,
        });
        if (!response.ok || !response.body) {
          const body = (await response.json().catch(() => null)) as { error?: ErrorBody } | null;
          const error = body?.error ?? { code: String(response.status), message: response.statusText };
          setState((previous) => ({ ...previous, status: 'error', error }));
          return;
        }
        for await (const { event, data } of readEvents(response.body)) {
          const payload = JSON.parse(data);
          setState((previous) => {
            switch (event) {
              case 'status':
                return { ...previous, step: payload.message as string };
              case 'stdout':
                return { ...previous, stdout: previous.stdout + payload.chunk };
              case 'stderr':
                return { ...previous, stderr: previous.stderr + payload.chunk };
              case 'result':
                return { ...previous, result: payload as SandboxResult };
              case 'done':
                return { ...previous, status: 'done', step: undefined };
              case 'error':
                return { ...previous, status: 'error', error: payload.error as ErrorBody };
              default:
                return previous;
            }
          });
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        setState((previous) => ({
          ...previous,
          status: 'error',
          error: { code: 'NETWORK', message: (error as Error).message },
        }));
      }
    },
    [endpoint],
  );

  return { ...state, run };
}
