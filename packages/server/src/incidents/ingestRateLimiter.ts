import { createRateLimiter, type RateLimiter } from '../rateLimit/rateLimiter.js';
import type { RateLimitStore } from '../rateLimit/rateLimitStore.js';

/**
 * Options of {@link createIngestRateLimiter}.
 *
 * @example
 * ```ts
 * const options: IngestRateLimiterOptions = { requestsPerMinute: 300 };
 * ```
 */
export interface IngestRateLimiterOptions {
  /** Ingest requests (batches of up to 100 events) per project per minute, as a token bucket. Default 120. */
  requestsPerMinute?: number;
  /** Where counters live; Redis (`createRedisRateLimitStore`) for several instances. Default memory. */
  store?: RateLimitStore;
}

/**
 * The rate limiter `POST /ingest` uses by default: one token bucket per project. The ingest
 * route checks it with the subject `{ userId: 'project:<id>', teamId, route: '/ingest' }`, so a
 * custom limiter can key on `userId` the same way.
 *
 * @example
 * ```ts
 * import { createIngestRateLimiter, createIncidentStore } from '@fragmentkit/server';
 *
 * const incidents = { store: createIncidentStore(db), rateLimit: createIngestRateLimiter({ requestsPerMinute: 300 }) };
 * ```
 */
export function createIngestRateLimiter(options: IngestRateLimiterOptions = {}): RateLimiter {
  return createRateLimiter({
    ...(options.store ? { store: options.store } : {}),
    policies: [
      {
        name: 'ingest',
        algorithm: 'token-bucket',
        limit: options.requestsPerMinute ?? 120,
        windowMs: 60_000,
        key: (subject) => (subject.route === '/ingest' && subject.userId ? subject.userId : null),
      },
    ],
  });
}
