import { FragmentkitError } from '@fragmentkit/core';
import type { Caller } from './auth/caller.js';
import { errorResponse } from './errorResponse.js';
import type { RequestLog } from './requestLog.js';

/** Per-request state the routes share. */
export interface RequestContext {
  requestId: string;
  log: RequestLog;
  /** Path parameters of the matched pattern, e.g. `{ id }` for `/conversations/:id`. */
  params: Readonly<Record<string, string>>;
  /** Who is calling; set on every route that is not public. */
  caller: Caller | undefined;
}

export type RouteHandler = (request: Request, context: RequestContext) => Promise<Response>;

/** One method of one path. */
export interface Route {
  handler: RouteHandler;
  /** Served without identifying the caller (no auth, no guest), e.g. health checks. */
  public?: boolean;
  /** Checked against the rate limiter: routes that cost model tokens. */
  rateLimited?: boolean;
  /** Renders this route's errors, auth and rate-limit refusals included, e.g. in OpenAI's shape. Default {@link errorResponse}. */
  errorResponse?: (error: FragmentkitError, requestId: string, headers: Record<string, string>) => Response;
}

/** Routes of one path pattern, by HTTP method. */
export type RouteMethods = Partial<Record<string, Route>>;

export interface MatchedRoute extends Route {
  /** The pattern below the base path, e.g. `/conversations/:id`, or `unmatched`; used in logs. */
  name: string;
  params: Record<string, string>;
}

const notFound: Route = {
  public: true,
  handler: async (request) => {
    throw new FragmentkitError('NOT_FOUND', `No fragmentkit route at ${new URL(request.url).pathname}.`);
  },
};

/**
 * Matches requests to the routes below `basePath`. Patterns may hold `:name` segments, which
 * become `params`. A known path with another method answers 405 with an `Allow` header, so
 * clients learn what the path does accept.
 */
export function createRouter(basePath: string, routes: Record<string, RouteMethods>) {
  const base = normalizePath(basePath);
  const patterns = Object.entries(routes).map(([pattern, methods]) => ({
    pattern,
    segments: pattern.split('/').slice(1),
    methods,
  }));

  return function match(request: Request): MatchedRoute {
    const pathname = normalizePath(new URL(request.url).pathname);
    if (!pathname.startsWith(`${base}/`)) return { name: 'unmatched', params: {}, ...notFound };
    const segments = pathname.slice(base.length).split('/').slice(1);
    for (const { pattern, segments: expected, methods } of patterns) {
      const params = matchSegments(expected, segments);
      if (params === null) continue;
      const route = methods[request.method.toUpperCase()];
      if (route) return { name: pattern, params, ...route };
      return { name: pattern, params, ...methodNotAllowed(pattern, Object.keys(methods), request.method) };
    }
    return { name: 'unmatched', params: {}, ...notFound };
  };
}

function matchSegments(expected: string[], actual: string[]): Record<string, string> | null {
  if (expected.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = actual[index]!;
    if (!segment.startsWith(':')) {
      if (segment !== value) return null;
      continue;
    }
    if (value === '') return null;
    try {
      params[segment.slice(1)] = decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  return params;
}

function methodNotAllowed(pattern: string, allowed: string[], method: string): Route {
  return {
    public: true,
    handler: async (_request, context) =>
      errorResponse(
        new FragmentkitError('METHOD_NOT_ALLOWED', `${pattern} accepts ${allowed.join(', ')}, not ${method}.`, {
          details: { allowed },
        }),
        context.requestId,
        { allow: allowed.join(', ') },
      ),
  };
}

/** `/api/fragmentkit/` and `/api/fragmentkit` are the same path; the root stays `/`-less. */
export function normalizePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.replace(/\/+$/, '');
}
