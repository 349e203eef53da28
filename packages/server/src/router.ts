import { FragmentkitError } from '@fragmentkit/core';
import { errorResponse } from './errorResponse.js';
import type { RequestLog } from './requestLog.js';

/** Per-request state the routes share. */
export interface RequestContext {
  requestId: string;
  log: RequestLog;
}

export type RouteHandler = (request: Request, context: RequestContext) => Promise<Response>;

/** Handlers of one path, by HTTP method. */
export type RouteMethods = Partial<Record<string, RouteHandler>>;

export interface MatchedRoute {
  /** The path below the base path, e.g. `/chat`, or `unmatched`; used in logs. */
  name: string;
  handler: RouteHandler;
}

const notFound: RouteHandler = async (request) => {
  throw new FragmentkitError('NOT_FOUND', `No fragmentkit route at ${new URL(request.url).pathname}.`);
};

/**
 * Matches requests to the routes below `basePath`. A known path with another method answers
 * 405 with an `Allow` header, so clients learn what the path does accept.
 */
export function createRouter(basePath: string, routes: Record<string, RouteMethods>) {
  const base = normalizePath(basePath);
  return function match(request: Request): MatchedRoute {
    const pathname = normalizePath(new URL(request.url).pathname);
    const subpath = pathname.startsWith(`${base}/`) ? pathname.slice(base.length) : undefined;
    const methods = subpath === undefined ? undefined : routes[subpath];
    if (subpath === undefined || methods === undefined) return { name: 'unmatched', handler: notFound };
    const handler = methods[request.method.toUpperCase()];
    if (handler) return { name: subpath, handler };
    const allowed = Object.keys(methods);
    return {
      name: subpath,
      handler: async (_request, context) =>
        errorResponse(
          new FragmentkitError(
            'METHOD_NOT_ALLOWED',
            `${subpath} accepts ${allowed.join(', ')}, not ${request.method}.`,
            {
              details: { allowed },
            },
          ),
          context.requestId,
          { allow: allowed.join(', ') },
        ),
    };
  };
}

/** `/api/fragmentkit/` and `/api/fragmentkit` are the same path; the root stays `/`-less. */
export function normalizePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.replace(/\/+$/, '');
}
