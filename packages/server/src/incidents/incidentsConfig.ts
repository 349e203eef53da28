import { FragmentkitError } from '@fragmentkit/core';
import { callerOf } from '../auth/caller.js';
import type { RateLimiter } from '../rateLimit/rateLimiter.js';
import type { RequestContext } from '../router.js';
import type { Tenant } from '../store/tenantTransaction.js';
import type { IncidentFeed } from './incidentFeed.js';
import type { IncidentStore } from './incidentStore.js';

/**
 * The `incidents` setting of `createFragmentkit`: error reporting from your apps
 * (`@fragmentkit/core/reporter`) into incidents your team can list, resolve and fix.
 *
 * @example
 * ```ts
 * import { createFragmentkit, createIncidentStore, createIngestRateLimiter } from '@fragmentkit/server';
 * import { createPostgresDatabase } from '@fragmentkit/server/postgres';
 *
 * const incidents: IncidentsConfig = {
 *   store: createIncidentStore(createPostgresDatabase({ connectionString: process.env.DATABASE_URL })),
 *   rateLimit: createIngestRateLimiter({ requestsPerMinute: 300 }),
 * };
 * const fragmentkit = createFragmentkit({ model, auth, incidents });
 * ```
 */
export interface IncidentsConfig {
  store: IncidentStore;
  /** Limits `POST /ingest` per project. Default `createIngestRateLimiter()` (120 per minute); `false` for none. */
  rateLimit?: RateLimiter | false;
  /** Live updates for `GET /incidents/events`. Default an in-process feed. */
  feed?: IncidentFeed;
  /**
   * Let guests (callers without credentials) create projects and read incidents, each guest
   * being its own team. For demos on a trusted machine only. Default false: 401.
   */
  allowGuests?: boolean;
  /** Largest `POST /ingest` body. Default 1 MB. */
  maxIngestBytes?: number;
  /** Largest single source map. Default 5 MB. */
  maxSourceMapBytes?: number;
  /** Largest `POST /projects/:id/sourcemaps` body. Default 20 MB. */
  maxSourceMapUploadBytes?: number;
  /** Comment lines that keep idle event streams open through proxies. Default every 15 s. */
  heartbeatMs?: number;
}

/** The signed-in caller as a store tenant; guests only when the config allows them. */
export function incidentTenant(context: RequestContext, allowGuests: boolean | undefined): Tenant {
  const caller = callerOf(context);
  if (caller.isGuest && !allowGuests) {
    throw new FragmentkitError(
      'UNAUTHORIZED',
      'Sign in first: incident routes need an access token (Bearer <token>).',
      {
        details: { reason: 'missing_token' },
      },
    );
  }
  return { teamId: caller.auth.teamId, userId: caller.auth.userId };
}
