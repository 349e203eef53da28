import { FragmentkitError, type Router } from '@fragmentkit/core';
import type { CostFunction } from '../chatQuota.js';
import type { ModelCatalog } from '../modelCatalog.js';
import type { RateLimiter } from '../rateLimit/rateLimiter.js';
import type { RouteMethods } from '../router.js';
import { createDetailedHealthRoute } from './detailedHealthRoute.js';
import type { HealthCheck, HealthCheckDefinition } from './healthChecks.js';
import type { MetricsRegistry } from './metricsRegistry.js';
import { createMetricsRoute } from './metricsRoute.js';
import { createRequestObserver, type RequestObserver } from './requestObservation.js';
import { createServerMetrics, type FragmentkitMetrics } from './serverMetrics.js';

/**
 * The `metrics` setting of `createFragmentkit`. Metrics are always kept in the process (see
 * `fragmentkit.metrics`); this decides whether they are served over HTTP.
 *
 * @example
 * ```ts
 * createFragmentkit({ model, metrics: { prometheus: true, token: process.env.METRICS_TOKEN } });
 * // scrape_configs: - job_name: fragmentkit
 * //   metrics_path: /api/fragmentkit/metrics
 * //   authorization: { credentials: <METRICS_TOKEN> }
 * ```
 */
export interface MetricsConfig {
  /** Serve `GET {basePath}/metrics` in the Prometheus text format. Default false. */
  prometheus?: boolean;
  /**
   * A bearer token the scraper must send. Without one the route is open to anyone who can
   * reach it: then keep it off the public internet.
   */
  token?: string;
  /** A registry to add fragmentkit's metrics to, e.g. one with your own metrics. Default: a new one. */
  registry?: MetricsRegistry;
}

export interface ObservabilityOptions {
  catalog: ModelCatalog;
  metrics: MetricsConfig | undefined;
  healthChecks: Readonly<Record<string, HealthCheck | HealthCheckDefinition>> | undefined;
  costOf: CostFunction | undefined;
  rateLimiter: RateLimiter | undefined;
  router: Router | undefined;
}

export interface Observability {
  metrics: FragmentkitMetrics;
  /** Passed to the request pipeline: traces every request and records its metrics. */
  observer: RequestObserver;
  /** `/health/detailed`, and `/metrics` when Prometheus is on. */
  routes: Record<string, RouteMethods>;
}

/** Metrics, tracing and the health and metrics routes of one fragmentkit instance. */
export function createObservability(options: ObservabilityOptions): Observability {
  const { metrics: config } = options;
  if (config?.token !== undefined && config.token.trim() === '') {
    throw new FragmentkitError('INVALID_REQUEST', 'metrics.token is empty: set a long random token or leave it out.', {
      details: { option: 'metrics.token' },
    });
  }
  const server = createServerMetrics({
    ...(config?.registry ? { registry: config.registry } : {}),
    ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
    ...(options.router ? { router: options.router } : {}),
  });
  const detailedHealth = createDetailedHealthRoute({
    catalog: options.catalog,
    ...(options.healthChecks ? { checks: options.healthChecks } : {}),
  });
  return {
    metrics: server.metrics,
    observer: createRequestObserver({ metrics: server, ...(options.costOf ? { costOf: options.costOf } : {}) }),
    routes: {
      '/health/detailed': { GET: { handler: detailedHealth, public: true } },
      ...(config?.prometheus
        ? { '/metrics': { GET: { handler: createMetricsRoute(server.metrics, config.token), public: true } } }
        : {}),
    },
  };
}
