import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fragmentkit } from './fragmentkit.js';
import { type HostIncomingMessage, toWebRequest } from './nodeRequest.js';
import { clientDisconnectSignal, writeWebResponse } from './nodeResponse.js';

/**
 * Options of {@link toNodeHandler}.
 *
 * @example
 * ```ts
 * // Clients reach this server directly, so forwarded headers are not to be believed.
 * http.createServer(toNodeHandler(fragmentkit, { trustProxy: false }));
 * ```
 */
export interface NodeHandlerOptions {
  /**
   * Build the request URL from `x-forwarded-proto` / `x-forwarded-host`, as set by a reverse
   * proxy. Turn it off when clients reach the server directly. Default `true`.
   */
  trustProxy?: boolean;
}

/**
 * A Node/Express/Connect request listener, as {@link toNodeHandler} returns it.
 *
 * @example
 * ```ts
 * const handler: NodeHandler = toNodeHandler(fragmentkit);
 * app.use('/api/fragmentkit', handler);
 * ```
 */
export type NodeHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/**
 * Adapts fragmentkit (or any `(Request) => Promise<Response>`) to Node's `http` server,
 * Express and Connect. Responses stream chunk by chunk, unbuffered; when the client
 * disconnects, the request's signal aborts and the response body is cancelled, which stops
 * the upstream model call.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createFragmentkit } from '@fragmentkit/server';
 * import { toNodeHandler } from '@fragmentkit/server/node';
 *
 * const fragmentkit = createFragmentkit({ model });
 * const app = express();
 * app.use('/api/fragmentkit', toNodeHandler(fragmentkit)); // also fine after express.json()
 * app.listen(3000);
 *
 * // Without Express:
 * http.createServer(toNodeHandler(fragmentkit)).listen(3000);
 * ```
 */
export function toNodeHandler(
  target: Fragmentkit | ((request: Request) => Promise<Response>),
  options: NodeHandlerOptions = {},
): NodeHandler {
  const handle = typeof target === 'function' ? target : target.handler;
  const trustProxy = options.trustProxy ?? true;

  return (request, response, next) => {
    const signal = clientDisconnectSignal(response);
    // Started inside the chain so that a request Node accepted but `Request` rejects still gets an answer.
    Promise.resolve()
      .then(() => handle(toWebRequest(request as HostIncomingMessage, { trustProxy, signal })))
      .then((webResponse) => writeWebResponse(webResponse, response))
      .catch((error: unknown) => {
        if (next) return next(error);
        if (response.headersSent) return response.destroy(error as Error);
        response.statusCode = 500;
        response.end();
      });
  };
}
