import type { ServerResponse } from 'node:http';

/**
 * Writes a Web `Response` to Node: status, headers (each `set-cookie` separately) and the body
 * chunk by chunk as it is produced, honouring backpressure. Headers go out at once so a
 * stream's client sees the response start before the first event. A client that disconnects
 * cancels the body, which reaches the producer of the stream.
 */
export async function writeWebResponse(source: Response, target: ServerResponse): Promise<void> {
  target.statusCode = source.status;
  const cookies = source.headers.getSetCookie();
  source.headers.forEach((value, name) => {
    if (name !== 'set-cookie') target.setHeader(name, value);
  });
  if (cookies.length > 0) target.setHeader('set-cookie', cookies);
  if (!source.body) return void target.end();

  target.flushHeaders();
  const reader = source.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  target.once('close', cancel);
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      if (!target.write(chunk.value)) await drained(target);
    }
    if (!target.destroyed) target.end();
  } finally {
    target.off('close', cancel);
  }
}

/**
 * Aborts when the client goes away before the response is complete: the request's signal, so
 * routes stop work (and upstream model calls) nobody will read.
 */
export function clientDisconnectSignal(target: ServerResponse): AbortSignal {
  const controller = new AbortController();
  target.once('close', () => {
    if (!target.writableFinished) controller.abort(new DOMException('The client disconnected.', 'AbortError'));
  });
  return controller.signal;
}

function drained(target: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      target.off('drain', done);
      target.off('close', done);
      resolve();
    };
    target.once('drain', done);
    target.once('close', done);
  });
}
