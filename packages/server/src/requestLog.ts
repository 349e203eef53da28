import type { Usage } from '@fragmentkit/core';
import type { FragmentkitLogger } from './logger.js';

/** Fields a route adds to its request's log line once it knows them. */
export interface RequestLogFields {
  provider?: string;
  model?: string;
  /** `done` or the error code the request ended with. */
  outcome?: string;
  errorMessage?: string;
  usage?: Usage;
}

/**
 * Collects one structured log line per request. Streaming routes call `defer()` so the line
 * is written when the stream ends, with its outcome and tokens, instead of when the headers go out.
 */
export interface RequestLog {
  annotate(fields: RequestLogFields): void;
  defer(): void;
  readonly isDeferred: boolean;
  write(status: number, fields?: RequestLogFields): void;
}

export interface RequestLogOptions {
  logger: FragmentkitLogger;
  requestId: string;
  method: string;
  route: string;
}

export function createRequestLog({ logger, requestId, method, route }: RequestLogOptions): RequestLog {
  const startedAt = Date.now();
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
    write(status, fields = {}) {
      if (written) return;
      written = true;
      const { usage, ...rest } = { ...collected, ...fields };
      const line = {
        requestId,
        method,
        route,
        status,
        durationMs: Date.now() - startedAt,
        ...rest,
        ...(usage ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } : {}),
      };
      const level = logLevel(status, rest.outcome);
      logger[level](line, 'fragmentkit request');
    },
  };
}

function logLevel(status: number, outcome: string | undefined): keyof FragmentkitLogger {
  if (status >= 500) return 'error';
  // A client that hangs up is routine, not an incident.
  if (status >= 400 || outcome === 'ABORTED') return 'warn';
  // A stream answers 200 before it knows its outcome; a failed one is still a failed request.
  return outcome === undefined || outcome === 'done' ? 'info' : 'error';
}
