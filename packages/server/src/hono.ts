import type { Context } from 'hono';
import { setClientAddress } from './clientAddress.js';
import { forwardedOrigin } from './forwardedOrigin.js';
import type { Fragmentkit } from './fragmentkit.js';

/**
 * Options of {@link toHonoHandler}.
 *
 * @example
 * ```ts
 * // On Bun, pass the peer address Hono's Bun adapter knows.
 * import { getConnInfo } from 'hono/bun';
 * const options: HonoHandlerOptions = { clientAddress: (context) => getConnInfo(context).remote.address };
 * ```
 */
export interface HonoHandlerOptions {
  /**
   * Rebuild the request URL from `x-forwarded-proto` / `x-forwarded-host`, as set by a
   * reverse proxy. Turn it off when clients reach the server directly. Default `true`.
   */
  trustProxy?: boolean;
  /** The client's address. Default: the socket address under `@hono/node-server`, none elsewhere. */
  clientAddress?: (context: Context) => string | undefined;
}

/**
 * A Hono route handler, as {@link toHonoHandler} returns it.
 *
 * @example
 * ```ts
 * const handler: HonoHandler = toHonoHandler(fragmentkit);
 * ```
 */
export type HonoHandler = (context: Context) => Promise<Response>;

/**
 * Mounts fragmentkit in Hono, on any runtime Hono runs on. Hono hands over the Web `Request`
 * as is, so responses stream unbuffered. A body that middleware already read (e.g.
 * `c.req.json()` in a validator) is taken from Hono's body cache.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { serve } from '@hono/node-server';
 * import { createFragmentkit } from '@fragmentkit/server';
 * import { toHonoHandler } from '@fragmentkit/server/hono';
 *
 * const fragmentkit = createFragmentkit({ model });
 * const app = new Hono();
 * app.all('/api/fragmentkit/*', toHonoHandler(fragmentkit));
 * serve({ fetch: app.fetch, port: 3000 });
 * ```
 */
export function toHonoHandler(
  target: Fragmentkit | ((request: Request) => Promise<Response>),
  options: HonoHandlerOptions = {},
): HonoHandler {
  const handle = typeof target === 'function' ? target : target.handler;
  const trustProxy = options.trustProxy ?? true;

  return async (context) => {
    let request = context.req.raw;
    if (request.bodyUsed) {
      // Hono keeps what middleware read; the re-read body may differ in length from the original.
      const headers = new Headers(request.headers);
      headers.delete('content-length');
      request = new Request(request, { body: await context.req.arrayBuffer(), headers });
    }
    if (trustProxy) request = withForwardedOrigin(request);
    const address = options.clientAddress ? options.clientAddress(context) : nodeServerAddress(context.env);
    return handle(setClientAddress(request, address));
  };
}

function withForwardedOrigin(request: Request): Request {
  const forwarded = forwardedOrigin((name) => request.headers.get(name));
  if (forwarded.protocol === undefined && forwarded.host === undefined) return request;
  const url = new URL(request.url);
  const protocol = forwarded.protocol ? `${forwarded.protocol}:` : url.protocol;
  // Rebuilt as text: assigning `url.host` would keep the internal port when the forwarded host has none.
  const rebuilt = URL.parse(`${protocol}//${forwarded.host ?? url.host}${url.pathname}${url.search}`);
  return rebuilt ? new Request(rebuilt, request) : request;
}

/** `@hono/node-server` puts Node's request in `c.env.incoming`. */
function nodeServerAddress(env: unknown): string | undefined {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined)?.incoming;
  const address = incoming?.socket?.remoteAddress;
  return typeof address === 'string' ? address : undefined;
}
