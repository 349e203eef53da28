import type { Router } from '@fragmentkit/core';
import type { RateLimiter, RateLimiterMetrics } from '../rateLimit/rateLimiter.js';
import type { RequestLogLine } from '../requestLog.js';
import { createMetricsRegistry, type Histogram, type MetricLabels, type MetricsRegistry } from './metricsRegistry.js';
import { toPrometheusText } from './prometheusText.js';

/**
 * Quantiles of a latency in milliseconds, estimated from histogram buckets (so within a
 * bucket's width), and how many values they summarise. `undefined` before the first value.
 *
 * @example
 * ```ts
 * const { p95 } = fragmentkit.metrics.snapshot().requests.byRoute['POST /chat']?.latencyMs ?? {};
 * ```
 */
export interface LatencyQuantiles {
  count: number;
  p50: number | undefined;
  p95: number | undefined;
  p99: number | undefined;
}

/**
 * How a fragmentkit instance has been doing since it started: the figures an operator reads,
 * summarised from the metrics. {@link FragmentkitMetrics.toPrometheus} has the full series.
 *
 * @example
 * ```ts
 * const { requests, providers, cache } = fragmentkit.metrics.snapshot();
 * console.log(requests.total, providers.anthropic?.errorRate, cache.hitRate);
 * ```
 */
export interface FragmentkitMetricsSnapshot {
  requests: {
    total: number;
    inFlight: number;
    /** By `"METHOD /route"`, the route being the pattern, e.g. `POST /chat` or `GET /conversations/:id`. */
    byRoute: Record<string, { count: number; serverErrors: number; latencyMs: LatencyQuantiles }>;
  };
  /** From the arrival of a chat request to the model's first text. */
  timeToFirstEventMs: LatencyQuantiles;
  /** By provider name: model calls, the failed ones, and `errors / (ok + errors)` (calls the client abandoned count in neither). */
  providers: Record<string, { calls: number; errors: number; errorRate: number }>;
  tokens: { input: number; output: number; cachedInput: number; cacheWrite: number };
  /** What answers cost, where the host prices them (`costOf`). */
  costUsd: number;
  /** Response cache lookups that requests reported, and `hits / (hits + misses)` (0 before any). */
  cache: { hits: number; misses: number; hitRate: number };
  /** Operations of sandbox providers wrapped with {@link observeSandboxProvider}. */
  sandbox: { operations: number; failures: number };
  /** The configured rate limiter's counters, `fallbackDecisions` included; undefined without one. */
  rateLimit: RateLimiterMetrics | undefined;
}

/**
 * One sandbox operation, as {@link FragmentkitMetrics.recordSandboxOperation} counts it.
 * `terminated` is a run the sandbox stopped (timeout, memory, output cap).
 *
 * @example
 * ```ts
 * fragmentkit.metrics.recordSandboxOperation({ provider: 'e2b', operation: 'acquire', outcome: 'error' });
 * ```
 */
export interface SandboxOperationRecord {
  provider: string;
  operation: string;
  outcome: 'ok' | 'error' | 'terminated';
}

/**
 * The metrics of one fragmentkit instance, as `fragmentkit.metrics`.
 *
 * @example
 * ```ts
 * setInterval(() => logger.info(fragmentkit.metrics.snapshot(), 'fragmentkit metrics'), 60_000);
 * app.get('/internal/metrics', (_request, response) => response.type('text/plain').send(fragmentkit.metrics.toPrometheus()));
 * ```
 */
export interface FragmentkitMetrics {
  /** Where the metrics live; register your own metrics here to expose them alongside. */
  readonly registry: MetricsRegistry;
  snapshot(): FragmentkitMetricsSnapshot;
  /** Every metric in the Prometheus text format, as `GET {basePath}/metrics` serves it. */
  toPrometheus(): string;
  /** Counts a sandbox operation; {@link observeSandboxProvider} calls it for you. */
  recordSandboxOperation(record: SandboxOperationRecord): void;
}

/** A model call's end, as the observed chat model reports it. */
export interface ProviderCallRecord {
  provider: string;
  model: string;
  outcome: 'ok' | 'error' | 'aborted';
}

/** The recording side the request observer and the observed model write to. */
export interface ServerMetrics {
  readonly metrics: FragmentkitMetrics;
  requestStarted(): void;
  requestEnded(line: RequestLogLine): void;
  providerCallEnded(record: ProviderCallRecord): void;
}

export interface ServerMetricsOptions {
  /** Default: a new registry. */
  registry?: MetricsRegistry;
  rateLimiter?: RateLimiter;
  router?: Router;
}

/** Request latencies in seconds, from a cached health check to a minutes-long streamed answer. */
const requestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Time to a model's first text in seconds: typically 0.2 s to a few seconds. */
const firstEventBuckets = [0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 30, 60];
const circuitStates = ['closed', 'open', 'half-open', 'disabled'] as const;

/** Registers fragmentkit's metrics, including ones read from the rate limiter and router on each scrape. */
export function createServerMetrics(options: ServerMetricsOptions = {}): ServerMetrics {
  const registry = options.registry ?? createMetricsRegistry();
  const requests = registry.counter({
    name: 'fragmentkit_http_requests_total',
    help: 'Requests answered, by method, route pattern and HTTP status.',
    labelNames: ['method', 'route', 'status'],
  });
  const duration = registry.histogram({
    name: 'fragmentkit_http_request_duration_seconds',
    help: 'Time from a request to the end of its response; a streamed chat ends with its terminal event.',
    labelNames: ['method', 'route'],
    buckets: requestBuckets,
  });
  const inFlight = registry.gauge({
    name: 'fragmentkit_http_requests_in_flight',
    help: 'Requests started and not yet answered in full, streams included.',
  });
  const outcomes = registry.counter({
    name: 'fragmentkit_request_outcomes_total',
    help: 'How requests that reported an outcome ended: done, ABORTED (the client left) or an error code.',
    labelNames: ['route', 'outcome'],
  });
  const firstEvent = registry.histogram({
    name: 'fragmentkit_chat_time_to_first_event_seconds',
    help: "Time from a chat request's arrival to the model's first text.",
    labelNames: ['provider'],
    buckets: firstEventBuckets,
  });
  const providerCalls = registry.counter({
    name: 'fragmentkit_provider_calls_total',
    help: 'Model calls by provider, model and outcome (ok, error, aborted).',
    labelNames: ['provider', 'model', 'outcome'],
  });
  const tokens = registry.counter({
    name: 'fragmentkit_tokens_total',
    help: 'Tokens of answered requests by provider, model and type (input, output, cached_input, cache_write).',
    labelNames: ['provider', 'model', 'type'],
  });
  const cost = registry.counter({
    name: 'fragmentkit_cost_usd_total',
    help: 'Cost of answered requests in US dollars, where the host prices them.',
    labelNames: ['provider', 'model'],
  });
  const cache = registry.counter({
    name: 'fragmentkit_response_cache_lookups_total',
    help: 'Response cache lookups that requests reported, by result (hit, miss).',
    labelNames: ['result'],
  });
  const sandbox = registry.counter({
    name: 'fragmentkit_sandbox_operations_total',
    help: 'Sandbox operations by provider, operation and outcome (ok, error, terminated).',
    labelNames: ['provider', 'operation', 'outcome'],
  });
  if (options.rateLimiter) observeRateLimiter(registry, options.rateLimiter);
  if (options.router) observeRouter(registry, options.router);

  const latencyOf = <Label extends string>(histogram: Histogram<Label>, labels?: MetricLabels<Label>) => ({
    count: histogram.samples().reduce((sum, sample) => sum + (matches(sample.labels, labels) ? sample.count : 0), 0),
    p50: milliseconds(histogram.quantile(0.5, labels)),
    p95: milliseconds(histogram.quantile(0.95, labels)),
    p99: milliseconds(histogram.quantile(0.99, labels)),
  });

  const metrics: FragmentkitMetrics = {
    registry,
    toPrometheus: () => toPrometheusText(registry.snapshot()),
    recordSandboxOperation: ({ provider, operation, outcome }) => sandbox.inc({ provider, operation, outcome }),
    snapshot() {
      const byRoute: FragmentkitMetricsSnapshot['requests']['byRoute'] = {};
      for (const { labels, value } of requests.samples()) {
        const key = `${labels.method} ${labels.route}`;
        const entry = byRoute[key] ?? {
          count: 0,
          serverErrors: 0,
          latencyMs: latencyOf(duration, { method: labels.method, route: labels.route }),
        };
        byRoute[key] = entry;
        entry.count += value;
        if (Number(labels.status) >= 500) entry.serverErrors += value;
      }
      const calls = new Map<string, { ok: number; errors: number; aborted: number }>();
      for (const { labels, value } of providerCalls.samples()) {
        const counts = calls.get(labels.provider ?? '') ?? { ok: 0, errors: 0, aborted: 0 };
        if (labels.outcome === 'ok') counts.ok += value;
        else if (labels.outcome === 'error') counts.errors += value;
        else counts.aborted += value;
        calls.set(labels.provider ?? '', counts);
      }
      const providers: FragmentkitMetricsSnapshot['providers'] = {};
      for (const [provider, { ok, errors, aborted }] of calls) {
        providers[provider] = {
          calls: ok + errors + aborted,
          errors,
          errorRate: ok + errors === 0 ? 0 : errors / (ok + errors),
        };
      }
      const tokensOf = (type: string) => sumWhere(tokens.samples(), (labels) => labels.type === type);
      const hits = cache.get({ result: 'hit' });
      const misses = cache.get({ result: 'miss' });
      return {
        requests: { total: sumWhere(requests.samples()), inFlight: inFlight.get(), byRoute },
        timeToFirstEventMs: latencyOf(firstEvent),
        providers,
        tokens: {
          input: tokensOf('input'),
          output: tokensOf('output'),
          cachedInput: tokensOf('cached_input'),
          cacheWrite: tokensOf('cache_write'),
        },
        costUsd: sumWhere(cost.samples()),
        cache: { hits, misses, hitRate: hits + misses === 0 ? 0 : hits / (hits + misses) },
        sandbox: {
          operations: sumWhere(sandbox.samples()),
          failures: sumWhere(sandbox.samples(), (labels) => labels.outcome !== 'ok'),
        },
        rateLimit: options.rateLimiter?.getMetrics(),
      };
    },
  };

  return {
    metrics,
    requestStarted: () => inFlight.inc(),
    requestEnded(line) {
      const { method, route } = line;
      inFlight.dec();
      requests.inc({ method, route, status: String(line.status) });
      duration.observe({ method, route }, line.durationMs / 1000);
      if (line.outcome !== undefined) outcomes.inc({ route, outcome: line.outcome });
      const provider = line.provider ?? '';
      const model = line.model ?? '';
      if (line.timeToFirstEventMs !== undefined) firstEvent.observe({ provider }, line.timeToFirstEventMs / 1000);
      const tokenCounts: Array<[string, number | undefined]> = [
        ['input', line.inputTokens],
        ['output', line.outputTokens],
        ['cached_input', line.cachedInputTokens],
        ['cache_write', line.cacheWriteTokens],
      ];
      for (const [type, count] of tokenCounts) if (count) tokens.inc({ provider, model, type }, count);
      if (line.costUsd) cost.inc({ provider, model }, line.costUsd);
      if (line.cacheHit !== undefined) cache.inc({ result: line.cacheHit ? 'hit' : 'miss' });
    },
    providerCallEnded: ({ provider, model, outcome }) => providerCalls.inc({ provider, model, outcome }),
  };
}

function observeRateLimiter(registry: MetricsRegistry, limiter: RateLimiter): void {
  registry.observe({
    type: 'counter',
    name: 'fragmentkit_rate_limit_checks_total',
    help: 'Rate limit checks by decision (allowed, denied).',
    collect: () => {
      const { allowed, denied } = limiter.getMetrics();
      return [
        { labels: { decision: 'allowed' }, value: allowed },
        { labels: { decision: 'denied' }, value: denied },
      ];
    },
  });
  registry.observe({
    type: 'counter',
    name: 'fragmentkit_rate_limit_fallback_decisions_total',
    help: "Rate limit checks decided by this instance's in-memory insurance because the shared store failed.",
    collect: () => [{ labels: {}, value: limiter.getMetrics().fallbackDecisions }],
  });
  registry.observe({
    type: 'counter',
    name: 'fragmentkit_rate_limit_store_errors_total',
    help: 'Failed calls to the rate limit store.',
    collect: () => [{ labels: {}, value: limiter.getMetrics().storeErrors }],
  });
}

function observeRouter(registry: MetricsRegistry, router: Router): void {
  const targets = () => Object.values(router.getSnapshot().targets);
  registry.observe({
    type: 'gauge',
    name: 'fragmentkit_router_circuit_state',
    help: "1 for each router target's current circuit state, 0 for the others.",
    collect: () =>
      targets().flatMap((target) =>
        circuitStates.map((state) => ({
          labels: { target: target.targetId, state },
          value: target.circuit === state ? 1 : 0,
        })),
      ),
  });
  registry.observe({
    type: 'gauge',
    name: 'fragmentkit_router_target_error_rate',
    help: "Share of failed attempts among each router target's recent ones.",
    collect: () => targets().map((target) => ({ labels: { target: target.targetId }, value: target.recentErrorRate })),
  });
}

function matches(labels: Readonly<Record<string, string>>, wanted: Record<string, string | undefined> | undefined) {
  return wanted === undefined || Object.entries(wanted).every(([name, value]) => labels[name] === value);
}

function sumWhere(
  samples: ReadonlyArray<{ labels: Readonly<Record<string, string>>; value: number }>,
  keep: (labels: Readonly<Record<string, string>>) => boolean = () => true,
): number {
  return samples.reduce((sum, sample) => sum + (keep(sample.labels) ? sample.value : 0), 0);
}

function milliseconds(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1_000_000) / 1000;
}
