import type { Fragmentkit } from './fragmentkit.js';

/**
 * A Next.js App Router route handler.
 *
 * @example
 * ```ts
 * const handler: NextRouteHandler = toNextHandlers(fragmentkit).POST;
 * ```
 */
export type NextRouteHandler = (request: Request) => Promise<Response>;

/**
 * The exports of a Next.js route file, one per HTTP method.
 *
 * @example
 * ```ts
 * export const { GET, POST, OPTIONS } = toNextHandlers(fragmentkit);
 * ```
 */
export interface NextHandlers {
  GET: NextRouteHandler;
  POST: NextRouteHandler;
  PUT: NextRouteHandler;
  PATCH: NextRouteHandler;
  DELETE: NextRouteHandler;
  OPTIONS: NextRouteHandler;
}

/**
 * Route handlers for a Next.js App Router catch-all route. Every method goes to the same
 * fragmentkit handler, which answers 404/405 itself, so the route file stays two lines.
 * Mount it where `basePath` says (default `/api/fragmentkit`).
 *
 * @example
 * ```ts
 * // app/api/fragmentkit/[...path]/route.ts
 * import { createFragmentkit } from '@fragmentkit/server';
 * import { toNextHandlers } from '@fragmentkit/server/next';
 * import { createAnthropicModel } from '@fragmentkit/core/providers';
 *
 * const fragmentkit = createFragmentkit({
 *   model: createAnthropicModel({ apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' }),
 * });
 *
 * export const { GET, POST } = toNextHandlers(fragmentkit);
 * // Streams need the Node runtime and must never be cached or prerendered.
 * export const runtime = 'nodejs';
 * export const dynamic = 'force-dynamic';
 * ```
 */
export function toNextHandlers(fragmentkit: Fragmentkit): NextHandlers {
  // Next passes a second `{ params }` argument; the handler reads everything from the URL.
  const handle: NextRouteHandler = (request) => fragmentkit.handler(request);
  return { GET: handle, POST: handle, PUT: handle, PATCH: handle, DELETE: handle, OPTIONS: handle };
}
