import { type FragmentkitError, toFragmentkitError } from '@fragmentkit/core';
import { type Caller, type IdentifyCallerOptions, identifyCaller } from './auth/caller.js';
import { type ClientIpOptions, resolveClientIp } from './clientAddress.js';
import type { Cors } from './cors.js';
import { errorResponse } from './errorResponse.js';
import type { FragmentkitLogger } from './logger.js';
import type { RequestObserver } from './observability/requestObservation.js';
import type { RateLimiter } from './rateLimit/rateLimiter.js';
import type { RateLimitSubject } from './rateLimit/rateLimitPolicy.js';
import { rateLimitError, rateLimitHeaders } from './rateLimit/rateLimitResponse.js';
import { createRequestLog } from './requestLog.js';
import type { MatchedRoute, RequestContext } from './router.js';
import { applySecurityHeaders } from './securityHeaders.js';

export interface RequestPipelineOptions {
  match: (request: Request) => MatchedRoute;
  logger: FragmentkitLogger;
  generateId: () => string;
  cors: Cors;
  clientIp: ClientIpOptions;
  identify: IdentifyCallerOptions;
  rateLimiter: RateLimiter | undefined;
  /** Traces each request and records its metrics. */
  observer?: RequestObserver;
}

// An incoming id is reused so one id follows a request through proxies and logs; anything
// odd is replaced rather than echoed into headers and log lines.
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The one handler every host calls: CORS preflight → route match → caller (auth or guest) →
 * rate limit → the route, which validates its input. Whatever happens, the response carries
 * the request id, the security headers, CORS headers for allowed origins and, once the rate
 * limiter has judged the request, its `RateLimit` headers. It never rejects.
 */
export function createRequestPipeline(options: RequestPipelineOptions): (request: Request) => Promise<Response> {
  const { match, logger, generateId, cors, rateLimiter } = options;

  return async (request) => {
    const incomingId = request.headers.get('x-request-id');
    const requestId = incomingId && requestIdPattern.test(incomingId) ? incomingId : generateId();
    const preflight = cors.preflight(request, requestId);
    if (preflight) return withStandardHeaders(preflight, requestId);

    const route = match(request);
    const log = createRequestLog({
      logger,
      requestId,
      method: request.method,
      route: route.name,
      headers: request.headers,
      observer: options.observer,
    });
    const context: RequestContext = { requestId, log, params: route.params, caller: undefined };
    let limitHeaders: Record<string, string> = {};
    let response: Response;
    try {
      if (!route.public) {
        context.caller = await identifyCaller(request, resolveClientIp(request, options.clientIp), options.identify);
        log.annotate({ userId: context.caller.auth.userId, teamId: context.caller.auth.teamId });
        if (route.rateLimited && rateLimiter) {
          const decision = await rateLimiter.check(rateLimitSubject(context.caller, route.name));
          limitHeaders = rateLimitHeaders(decision);
          if (!decision.allowed) throw rateLimitError(decision);
        }
      }
      response = await route.handler(request, context);
    } catch (thrown) {
      const error = toFragmentkitError(thrown);
      log.annotate({ outcome: error.code, errorMessage: error.message });
      response = (route.errorResponse ?? errorResponse)(error, requestId, errorHeaders(error));
    }
    if (!log.isDeferred) log.write(response.status);
    for (const [name, value] of Object.entries(limitHeaders)) response.headers.set(name, value);
    cors.apply(request, response);
    return withStandardHeaders(response, requestId);
  };
}

function withStandardHeaders(response: Response, requestId: string): Response {
  applySecurityHeaders(response);
  response.headers.set('x-request-id', requestId);
  return response;
}

/**
 * Guests are counted by address (`tieredDailyPolicies` gives them the guest limit); callers of
 * unknown address share one count, like they share one guest identity.
 */
function rateLimitSubject({ auth, isGuest, ip }: Caller, route: string): RateLimitSubject {
  if (isGuest) return { ip: ip ?? 'unknown', plan: 'guest', route };
  return {
    ...(ip === undefined ? {} : { ip }),
    userId: auth.userId,
    teamId: auth.teamId,
    ...(auth.plan === undefined ? {} : { plan: auth.plan }),
    route,
  };
}

function errorHeaders(error: FragmentkitError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.code === 'UNAUTHORIZED') {
    // RFC 6750: say which scheme to use and, when a token came, that it was not accepted.
    const rejected = error.details?.reason !== undefined && error.details.reason !== 'missing_token';
    headers['www-authenticate'] = `Bearer realm="fragmentkit"${rejected ? ', error="invalid_token"' : ''}`;
  }
  const retryAfter = error.details?.retryAfterSeconds;
  if (typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
  return headers;
}
