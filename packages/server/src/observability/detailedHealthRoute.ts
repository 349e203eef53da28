import type { ModelCatalog } from '../modelCatalog.js';
import type { RouteHandler } from '../router.js';
import {
  type HealthCheck,
  type HealthCheckDefinition,
  type HealthCheckOptions,
  type HealthReport,
  runHealthChecks,
} from './healthChecks.js';
import { providersHealthCheck } from './providersHealthCheck.js';

export interface DetailedHealthRouteOptions extends HealthCheckOptions {
  catalog: ModelCatalog;
  /** The host's checks; one named `providers` replaces the built-in one. */
  checks?: Readonly<Record<string, HealthCheck | HealthCheckDefinition>>;
}

/**
 * `GET {basePath}/health/detailed`: the built-in `providers` check plus the host's, each with
 * status, latency and message, and the instance's status: HTTP 200 while it is `ok` or
 * `degraded`, 503 when `down`. Probes that arrive while a run is under way share it, so a
 * burst of probes does not multiply the load on the dependencies.
 */
export function createDetailedHealthRoute(options: DetailedHealthRouteOptions): RouteHandler {
  const checks = { providers: providersHealthCheck(options.catalog), ...options.checks };
  let running: Promise<HealthReport> | undefined;
  return async () => {
    running ??= runHealthChecks(checks, options).finally(() => {
      running = undefined;
    });
    const report = await running;
    return Response.json(report, {
      status: report.status === 'down' ? 503 : 200,
      headers: { 'cache-control': 'no-store' },
    });
  };
}
