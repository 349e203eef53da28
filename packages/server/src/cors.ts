import { FragmentkitError } from '@fragmentkit/core';
import { errorResponse } from './errorResponse.js';

/**
 * Which web origins may call the API from a browser. Same-origin apps need none of this.
 *
 * @example
 * ```ts
 * const cors: CorsOptions = { origins: ['https://app.example.com'], credentials: true };
 * ```
 */
export interface CorsOptions {
  /** Allowed origins such as `https://app.example.com` (scheme, host and port), or `'*'` for any. */
  origins: readonly string[] | '*';
  /** Let browsers send cookies and HTTP auth along; needs a list of origins, not `'*'`. Default false. */
  credentials?: boolean;
  /** How long a browser may cache a preflight answer, in seconds. Default 600. */
  maxAgeSeconds?: number;
}

export interface Cors {
  /** The answer to a preflight `OPTIONS` request, or null when `request` is not one. */
  preflight(request: Request, requestId: string): Response | null;
  /** Adds the CORS headers an allowed origin gets to an actual response; disallowed origins get none. */
  apply(request: Request, response: Response): void;
}

const allowedMethods = 'GET, POST, PATCH, DELETE';
const defaultAllowedHeaders = 'authorization, content-type, idempotency-key, last-event-id, x-request-id';
const exposedHeaders = 'x-request-id, ratelimit, ratelimit-policy, retry-after';
const headerListPattern = /^[a-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[a-z0-9!#$%&'*+.^_`|~-]+)*$/i;

/**
 * CORS with an allowlist. Preflights from allowed origins get 204 with the methods and
 * headers; from any other origin (or when `options` is undefined) 403, so a misconfigured
 * frontend fails loudly instead of with an opaque network error.
 *
 * @throws FragmentkitError `INVALID_REQUEST` for `credentials` with `origins: '*'`, which
 * would let every website make requests with the user's cookies.
 */
export function createCors(options: CorsOptions | undefined): Cors {
  if (options?.credentials && options.origins === '*') {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      "cors.credentials needs an explicit list of origins: with '*' every website could call the API as the signed-in user.",
    );
  }
  const allowAny = options?.origins === '*';
  const allowed = new Set(options && options.origins !== '*' ? options.origins.map(normalizeOrigin) : []);
  const maxAge = String(options?.maxAgeSeconds ?? 600);

  function isAllowed(origin: string): boolean {
    return allowAny || allowed.has(normalizeOrigin(origin));
  }

  function originHeaders(origin: string): Record<string, string> {
    return {
      'access-control-allow-origin': allowAny ? '*' : origin,
      ...(options?.credentials ? { 'access-control-allow-credentials': 'true' } : {}),
    };
  }

  return {
    preflight(request, requestId) {
      const origin = request.headers.get('origin');
      const requestedMethod = request.headers.get('access-control-request-method');
      if (request.method !== 'OPTIONS' || origin === null || requestedMethod === null) return null;
      if (!isAllowed(origin)) {
        const hint = options ? 'add it to cors.origins' : 'set cors.origins in createFragmentkit';
        const error = new FragmentkitError(
          'FORBIDDEN',
          `Cross-origin requests from ${origin} are not allowed; ${hint} to allow them.`,
          { details: { origin } },
        );
        return errorResponse(error, requestId, { vary: 'origin' });
      }
      const requestedHeaders = request.headers.get('access-control-request-headers')?.trim();
      return new Response(null, {
        status: 204,
        headers: {
          ...originHeaders(origin),
          'access-control-allow-methods': allowedMethods,
          'access-control-allow-headers':
            requestedHeaders && headerListPattern.test(requestedHeaders) ? requestedHeaders : defaultAllowedHeaders,
          'access-control-max-age': maxAge,
          vary: 'origin, access-control-request-method, access-control-request-headers',
        },
      });
    },
    apply(request, response) {
      const origin = request.headers.get('origin');
      if (!allowAny) response.headers.append('vary', 'origin');
      if (origin === null || !isAllowed(origin)) return;
      for (const [name, value] of Object.entries(originHeaders(origin))) response.headers.set(name, value);
      response.headers.set('access-control-expose-headers', exposedHeaders);
    },
  };
}

function normalizeOrigin(origin: string): string {
  const parsed = URL.parse(origin);
  return parsed && parsed.origin !== 'null' ? parsed.origin : origin.trim().toLowerCase();
}
