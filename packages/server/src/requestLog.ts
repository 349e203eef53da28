import type { Usage } from '@fragmentkit/core';
import type { FragmentkitLogger } from './logger.js';
import {
  createRequestObserver,
  type RequestObservation,
  type RequestObserver,
} from './observability/requestObservation.js';

/** Fields a route adds to its request's log line once it knows them. */
export interface RequestLogFields {
  provider?: string;
  model?: string;
  /** `done` or the error code the request ended with. */
  outcome?: string;
  errorMessage?: string;
  usage?: Usage;
  /** Who called: set once the caller is known (not for public routes or failed auth). */
  userId?: string;
  teamId?: string;
  /** What the answer cost in US dollars. Computed from `usage` with the host's `costOf` when not set. */
  costUsd?: number;
  /** Whether a response cache answered (true) or was asked and missed (false); unset when none was asked. */
  cacheHit?: boolean;
  /** Milliseconds from the request's arrival to the model's first text. */
  timeToFirstEventMs?: number;
}

// A type rather than an interface, so that a line is a `Record<string, unknown>` for the logger.
/**
 * The structured line written once per request, and what metrics are recorded from.
 *
 * @example
 * ```ts
 * const line: RequestLogLine = { requestId: 'a1', method: 'POST', route: '/chat', status: 200, durationMs: 2140 };
 * ```
 */
export type RequestLogLine = Omit<RequestLogFields, 'usage'> & {
  requestId: string;
  method: string;
  /** The matched route pattern, e.g. `/conversations/:id`, or `unmatched`. */
  route: string;
  status: number;
  /** From the request's arrival to the end of its response (a stream's terminal event). */
  durationMs: number;
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  /** The request's trace, when a tracing SDK or an incoming `traceparent` gave it one. */
  traceId?: string;
};

/**
 * Collects one structured log line per request. Streaming routes call `defer()` so the line
 * is written when the stream ends, with its outcome and tokens, instead of when the headers go out.
 */
export interface RequestLog {
  annotate(fields: RequestLogFields): void;
  defer(): void;
  readonly isDeferred: boolean;
  write(status: number, fields?: RequestLogFields): void;
  /** The request's span and clock; routes start their own spans below it. */
  readonly observation: RequestObservation;
}

export interface RequestLogOptions {
  logger: FragmentkitLogger;
  requestId: string;
  method: string;
  route: string;
  /** The request's headers, for an incoming `traceparent`. */
  headers?: Headers;
  /** Traces the request and records its metrics. Default: tracing only. */
  observer?: RequestObserver;
}

const tracingOnly = createRequestObserver();

export function createRequestLog({
  logger,
  requestId,
  method,
  route,
  headers,
  observer,
}: RequestLogOptions): RequestLog {
  const observation = (observer ?? tracingOnly).start({ requestId, method, route, headers: headers ?? new Headers() });
  const collected: RequestLogFields = {};
  let isDeferred = false;
  let written = false;

  return {
    annotate(fields) {
      Object.assign(collected, fields);
    },
    defer() {
      isDeferred = true;
    },
    get isDeferred() {
      return isDeferred;
    },
    observation,
    write(status, fields = {}) {
      if (written) return;
      written = true;
      const { usage, ...rest } = { ...collected, ...fields };
      const costUsd = rest.costUsd ?? (usage && priceOf(observation, usage, rest));
      const line: RequestLogLine = {
        requestId,
        method,
        route,
        status,
        durationMs: Math.round(observation.elapsedMs()),
        ...rest,
        ...(usage ? tokenFields(usage) : {}),
        ...(costUsd === undefined ? {} : { costUsd }),
        ...(observation.traceId ? { traceId: observation.traceId } : {}),
      };
      // Metrics and the span first: a logger that throws must not lose them.
      observation.end(line);
      logger[logLevel(status, rest.outcome)](line, 'fragmentkit request');
    },
  };
}

function priceOf(observation: RequestObservation, usage: Usage, { provider, model }: RequestLogFields) {
  return provider === undefined || model === undefined
    ? undefined
    : observation.costOf(usage, { provider, modelId: model });
}

function tokenFields(usage: Usage) {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    ...(usage.cachedInputTokens ? { cachedInputTokens: usage.cachedInputTokens } : {}),
    ...(usage.cacheWriteTokens ? { cacheWriteTokens: usage.cacheWriteTokens } : {}),
  };
}

function logLevel(status: number, outcome: string | undefined): keyof FragmentkitLogger {
  if (status >= 500) return 'error';
  // A client that hangs up is routine, not an incident.
  if (status >= 400 || outcome === 'ABORTED') return 'warn';
  // A stream answers 200 before it knows its outcome; a failed one is still a failed request.
  return outcome === undefined || outcome === 'done' ? 'info' : 'error';
}
