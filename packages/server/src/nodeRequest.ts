import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { setClientAddress } from './clientAddress.js';
import { forwardedOrigin } from './forwardedOrigin.js';

/** What Express and body parsers add to Node's request. */
export type HostIncomingMessage = IncomingMessage & { originalUrl?: string; body?: unknown; _body?: boolean };

export interface ToWebRequestOptions {
  /** Honour `x-forwarded-proto` / `x-forwarded-host` set by a reverse proxy. */
  trustProxy: boolean;
  /** Becomes the Request's signal; the caller aborts it when the client goes away. */
  signal: AbortSignal;
  /** A body the host framework already read and parsed, e.g. Fastify's `request.body`; it wins over `req.body`. */
  body?: unknown;
  /** The client's address as the host framework sees it. Default: the socket's remote address. */
  clientAddress?: string;
}

/**
 * Converts a Node request into a Web `Request`: absolute URL (Express strips the mount path
 * from `req.url`, so `originalUrl` wins), all headers, and the body, either as already parsed
 * by a body parser or streamed from the socket.
 */
export function toWebRequest(request: HostIncomingMessage, options: ToWebRequestOptions): Request {
  const { trustProxy, signal } = options;
  const method = request.method ?? 'GET';
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (method !== 'GET' && method !== 'HEAD') {
    const parsed = parsedBody(request, options.body);
    if (parsed === undefined) {
      init.body = Readable.toWeb(request) as unknown as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    } else {
      // The parsed body is re-serialised and already decoded, so the original framing headers would lie.
      for (const name of ['content-length', 'transfer-encoding', 'content-encoding']) headers.delete(name);
      init.body = parsed;
    }
  }
  const webRequest = new Request(requestUrl(request, trustProxy), init);
  return setClientAddress(webRequest, options.clientAddress ?? request.socket.remoteAddress);
}

function parsedBody(request: HostIncomingMessage, given: unknown): string | Uint8Array<ArrayBuffer> | undefined {
  // Express 4's body-parser sets `req.body = {}` even when it did not read the stream, so only
  // a drained stream means the body lives in `req.body`.
  const consumed = request._body === true || request.readableEnded;
  const body = given ?? request.body;
  if (!consumed || body === undefined) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return body as Uint8Array<ArrayBuffer>;
  return JSON.stringify(body);
}

function requestUrl(request: HostIncomingMessage, trustProxy: boolean): string {
  const path = request.originalUrl ?? request.url ?? '/';
  const forwarded = trustProxy
    ? forwardedOrigin((name) => request.headers[name])
    : { protocol: undefined, host: undefined };
  const encrypted = 'encrypted' in request.socket && request.socket.encrypted === true;
  const protocol = forwarded.protocol ?? (encrypted ? 'https' : 'http');
  const host = forwarded.host ?? request.headers.host ?? 'localhost';
  // Joined as text, not `new URL(path, base)`: a path like `//other.host/x` must stay a path.
  const url = URL.parse(`${protocol}://${host}${path}`) ?? URL.parse(`${protocol}://localhost${path}`);
  return url ? url.href : `${protocol}://localhost/`;
}
