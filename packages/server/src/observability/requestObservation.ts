import type { Usage } from '@fragmentkit/core';
import { type Context, isSpanContextValid, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { CostFunction } from '../chatQuota.js';
import type { RequestLogLine } from '../requestLog.js';
import { fragmentkitTracer, requestParentContext } from './requestTracing.js';
import type { ProviderCallRecord, ServerMetrics } from './serverMetrics.js';

/** What is known of a request when it arrives. */
export interface RequestStart {
  requestId: string;
  method: string;
  /** The matched route pattern, e.g. `/chat`, or `unmatched`. */
  route: string;
  headers: Headers;
}

/**
 * The observed side of one request: its span (the parent of every span its route starts),
 * its clock, and where its figures go once its log line is written.
 */
export interface RequestObservation {
  /** The context whose span is the request's; routes start their spans below it. */
  readonly traceContext: Context;
  /** Set when a tracing SDK (or an incoming `traceparent`) gave the request a valid trace. */
  readonly traceId: string | undefined;
  /** Milliseconds since the request arrived. */
  elapsedMs(): number;
  /** The host's price of `usage`, or undefined when it prices nothing. */
  costOf(usage: Usage, model: { provider: string; modelId: string }): number | undefined;
  providerCallEnded(record: ProviderCallRecord): void;
  /** Ends the span and records the metrics of the request's final log line; only the first call counts. */
  end(line: RequestLogLine): void;
}

/** Starts the observation of each request. */
export interface RequestObserver {
  start(request: RequestStart): RequestObservation;
}

export interface RequestObserverOptions {
  /** Where request figures go; without it requests are only traced. */
  metrics?: ServerMetrics;
  costOf?: CostFunction;
  /** Milliseconds from any fixed origin. Default `performance.now`. */
  now?: () => number;
}

/**
 * Creates the observer of a fragmentkit instance's requests. Spans use the OpenTelemetry API:
 * without an SDK the host registered they are no-ops that cost next to nothing.
 */
export function createRequestObserver(options: RequestObserverOptions = {}): RequestObserver {
  const { metrics, costOf } = options;
  const now = options.now ?? (() => performance.now());

  return {
    start({ requestId, method, route, headers }) {
      const startedAt = now();
      const { parent, nested } = requestParentContext(headers);
      const span = fragmentkitTracer().startSpan(
        `${method} ${route}`,
        {
          kind: nested ? SpanKind.INTERNAL : SpanKind.SERVER,
          attributes: { 'http.request.method': method, 'http.route': route, 'fragmentkit.request_id': requestId },
        },
        parent,
      );
      const spanContext = span.spanContext();
      metrics?.requestStarted();
      let ended = false;

      return {
        traceContext: trace.setSpan(parent, span),
        traceId: isSpanContextValid(spanContext) ? spanContext.traceId : undefined,
        elapsedMs: () => now() - startedAt,
        costOf: (usage, model) => costOf?.(usage, model),
        providerCallEnded: (record) => metrics?.providerCallEnded(record),
        end(line) {
          if (ended) return;
          ended = true;
          span.setAttribute('http.response.status_code', line.status);
          if (line.provider !== undefined) span.setAttribute('fragmentkit.provider', line.provider);
          if (line.model !== undefined) span.setAttribute('fragmentkit.model', line.model);
          if (line.outcome !== undefined) span.setAttribute('fragmentkit.outcome', line.outcome);
          const failure = failureOf(line);
          if (failure) {
            span.setAttribute('error.type', failure);
            span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
          }
          span.end();
          metrics?.requestEnded(line);
        },
      };
    },
  };
}

/**
 * What failed on the server's side, as OpenTelemetry counts it for a server span: a 5xx, or a
 * stream that answered 200 and then ended with an error. A 4xx is the client's mistake and an
 * abandoned stream is routine, so neither marks the span failed.
 */
function failureOf(line: RequestLogLine): string | undefined {
  if (line.status >= 500) return line.outcome ?? String(line.status);
  if (line.status >= 400 || line.outcome === undefined) return undefined;
  return line.outcome === 'done' || line.outcome === 'ABORTED' ? undefined : line.outcome;
}
