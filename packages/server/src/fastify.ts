import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Fragmentkit } from './fragmentkit.js';
import { type HostIncomingMessage, toWebRequest } from './nodeRequest.js';
import { clientDisconnectSignal, writeWebResponse } from './nodeResponse.js';

/**
 * Options of {@link fragmentkitPlugin}; Fastify's own `prefix` says where it is mounted.
 *
 * @example
 * ```ts
 * const options: FragmentkitPluginOptions = { fragmentkit, trustProxy: false };
 * ```
 */
export interface FragmentkitPluginOptions {
  fragmentkit: Fragmentkit | ((request: Request) => Promise<Response>);
  /**
   * Build the request URL from `x-forwarded-proto` / `x-forwarded-host`, as set by a reverse
   * proxy. The client address is Fastify's `request.ip`, which follows Fastify's own
   * `trustProxy` setting. Default `true`.
   */
  trustProxy?: boolean;
}

/**
 * A Fastify plugin that serves fragmentkit under the prefix it is registered with. JSON bodies
 * Fastify already parsed are passed on; other media types reach fragmentkit unread, so it
 * answers them in its own error format. Responses stream unbuffered (the reply is hijacked and
 * written chunk by chunk), and a client that disconnects aborts the request's signal.
 * Fastify's `bodyLimit` (1 MB by default) applies to JSON bodies before fragmentkit's
 * `limits.maxBodyBytes` does; raise both together.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createFragmentkit } from '@fragmentkit/server';
 * import { fragmentkitPlugin } from '@fragmentkit/server/fastify';
 *
 * const fragmentkit = createFragmentkit({ model });
 * const app = Fastify();
 * await app.register(fragmentkitPlugin, { prefix: fragmentkit.basePath, fragmentkit });
 * await app.listen({ port: 3000 });
 * ```
 */
export const fragmentkitPlugin: FastifyPluginAsync<FragmentkitPluginOptions> = async (fastify, options) => {
  const handle = typeof options.fragmentkit === 'function' ? options.fragmentkit : options.fragmentkit.handler;
  const trustProxy = options.trustProxy ?? true;

  // Scoped to this plugin: bodies of other types stay unread for fragmentkit to judge.
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
  // Fastify's JSON parser fails before the handler; answer in the wire format all the same.
  fastify.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_REQUEST';
    const body =
      status === 500
        ? { code: 'INTERNAL', message: 'An unexpected error occurred on the server.' }
        : { code, message: error.message };
    return reply.status(status).send({ error: body });
  });

  const route = async (request: FastifyRequest, reply: FastifyReply) => {
    const webRequest = toWebRequest(request.raw as HostIncomingMessage, {
      trustProxy,
      signal: clientDisconnectSignal(reply.raw),
      body: request.body,
      clientAddress: request.ip,
    });
    const response = await handle(webRequest);
    reply.hijack();
    // Headers other hooks set on the reply (e.g. by @fastify/helmet) still go out.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value);
    }
    await writeWebResponse(response, reply.raw);
  };
  fastify.all('/', route);
  fastify.all('/*', route);
};
