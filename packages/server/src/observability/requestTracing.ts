import { toFragmentkitError } from '@fragmentkit/core';
import {
  type Attributes,
  type Context,
  context as otelContext,
  propagation,
  type Span,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';

/**
 * The instrumentation scope of fragmentkit's spans, e.g. to filter them in a tracing backend.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * import { fragmentkitTracerName } from '@fragmentkit/server';
 *
 * const tracer = trace.getTracer(fragmentkitTracerName);
 * ```
 */
export const fragmentkitTracerName = '@fragmentkit/server';

/**
 * The tracer of the host's registered provider. Looked up on each use rather than kept, so a
 * provider the host registers after start-up (or replaces in tests) is the one that records.
 */
export function fragmentkitTracer(): Tracer {
  return trace.getTracer(fragmentkitTracerName);
}

const headersGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * Where a request's span belongs. When the host's own HTTP instrumentation already made a span
 * for the request, fragmentkit's nests under it; otherwise the parent comes from the incoming
 * `traceparent` (and `tracestate`) through the host's registered propagator. Without an
 * OpenTelemetry SDK both are no-ops and the span is a no-op too.
 */
export function requestParentContext(headers: Headers): { parent: Context; nested: boolean } {
  const active = otelContext.active();
  if (trace.getSpan(active)) return { parent: active, nested: true };
  return { parent: propagation.extract(active, headers, headersGetter), nested: false };
}

/** Marks a span as failed with the error's stable code and message, never a stack of internals. */
export function failSpan(span: Span, error: unknown): void {
  const failure = toFragmentkitError(error);
  span.setAttribute('error.type', failure.code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: `${failure.code}: ${failure.message}` });
}

/**
 * Runs one synchronous or asynchronous step of a request inside a child span of `parent`: the
 * span ends when the step returns or settles, failed when it throws or rejects. `attributesOf`
 * describes the result, e.g. the size of a built prompt.
 */
export function traceStep<Result>(
  parent: Context,
  name: string,
  step: () => Result,
  attributesOf?: (result: Awaited<Result>) => Attributes,
): Result {
  const span = fragmentkitTracer().startSpan(name, {}, parent);
  const succeed = (result: Awaited<Result>) => {
    if (attributesOf) span.setAttributes(attributesOf(result));
    span.end();
  };
  const fail = (error: unknown) => {
    failSpan(span, error);
    span.end();
  };
  let result: Result;
  try {
    result = otelContext.with(trace.setSpan(parent, span), step);
  } catch (error) {
    fail(error);
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: Awaited<Result>) => {
        succeed(value);
        return value;
      },
      (error: unknown) => {
        fail(error);
        throw error;
      },
    ) as Result;
  }
  succeed(result as Awaited<Result>);
  return result;
}
