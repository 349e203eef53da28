import type { RouteMethods } from '../router.js';
import { createIncidentFeed } from './incidentFeed.js';
import { createIncidentRoutes } from './incidentRoutes.js';
import type { IncidentsConfig } from './incidentsConfig.js';
import { createIngestRateLimiter } from './ingestRateLimiter.js';
import { createIngestRoute } from './ingestRoute.js';
import { createProjectRoutes } from './projectRoutes.js';
import { createSourceMapRoute } from './sourceMapRoute.js';

/**
 * Every route of the incidents feature, for `createFragmentkit`'s router; none without config.
 * `POST /ingest` is public (the ingest key authenticates it); the rest need a signed-in caller.
 */
export function createIncidentsRoutes(config: IncidentsConfig | undefined): Record<string, RouteMethods> {
  if (!config) return {};
  const feed = config.feed ?? createIncidentFeed();
  const rateLimiter = config.rateLimit === false ? undefined : (config.rateLimit ?? createIngestRateLimiter());
  return {
    '/ingest': {
      POST: {
        public: true,
        handler: createIngestRoute({
          store: config.store,
          rateLimiter,
          feed,
          maxBytes: config.maxIngestBytes ?? 1_000_000,
        }),
      },
    },
    ...createProjectRoutes(config),
    '/projects/:id/sourcemaps': { POST: { handler: createSourceMapRoute(config) } },
    ...createIncidentRoutes(config, feed),
  };
}
