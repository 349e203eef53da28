import { FragmentkitError, ingestPayloadSchema } from '@fragmentkit/core';
import { readBearerToken } from '../auth/bearerToken.js';
import { parseJsonBody } from '../parseJsonBody.js';
import type { RateLimiter } from '../rateLimit/rateLimiter.js';
import { rateLimitedResponse, rateLimitHeaders } from '../rateLimit/rateLimitResponse.js';
import type { RouteHandler } from '../router.js';
import type { IncidentFeed } from './incidentFeed.js';
import type { IncidentStore } from './incidentStore.js';

/**
 * `POST /ingest`: the reporter's endpoint. The ingest key (Bearer) names the project: 401 when
 * it is missing, unknown or revoked; then the project's rate limit (429 with `Retry-After`);
 * then the body, validated against core's `ingestPayloadSchema` (400 with the issues). Answers
 * 202 `{ accepted, incidents }` with the ids of the incidents the batch touched.
 */
export function createIngestRoute(options: {
  store: IncidentStore;
  rateLimiter: RateLimiter | undefined;
  feed: IncidentFeed;
  maxBytes: number;
}): RouteHandler {
  return async (request) => {
    const key = readBearerToken(request, undefined);
    const target = key === null ? null : await options.store.authenticateIngestKey(key);
    if (!target) {
      throw new FragmentkitError(
        'UNAUTHORIZED',
        key === null
          ? 'Send the project ingest key as Authorization: Bearer fki_….'
          : 'This ingest key is unknown or was revoked; create a new one with POST /projects/:id/ingest-keys/rotate.',
        { details: { reason: key === null ? 'missing_token' : 'invalid_token' } },
      );
    }
    let headers: Record<string, string> = {};
    if (options.rateLimiter) {
      const decision = await options.rateLimiter.check({
        userId: `project:${target.projectId}`,
        teamId: target.teamId,
        route: '/ingest',
      });
      headers = rateLimitHeaders(decision);
      if (!decision.allowed) return rateLimitedResponse(decision);
    }
    const { events } = await parseJsonBody(request, ingestPayloadSchema, {
      operation: 'POST /ingest',
      maxBytes: options.maxBytes,
    });
    const incidents = await options.store.ingest(target, events);
    for (const incident of incidents) options.feed.publish(target.teamId, incident);
    return Response.json(
      { accepted: events.length, incidents: incidents.map((incident) => incident.id) },
      { status: 202, headers },
    );
  };
}
