import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Attributes,
  type AttributeValue,
  type Context,
  type ContextManager,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  type SpanStatus,
  SpanStatusCode,
  type TextMapPropagator,
  TraceFlags,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

/** A span as the recording tracer keeps it. */
export interface RecordedSpan {
  name: string;
  kind: SpanKind;
  spanContext: SpanContext;
  /** The span context of the parent, when there was one. */
  parent: SpanContext | undefined;
  attributes: Attributes;
  events: string[];
  status: SpanStatus;
  ended: boolean;
}

/**
 * The smallest OpenTelemetry SDK stand-in: a tracer provider that records spans in memory,
 * a W3C `traceparent` propagator and, on request, an AsyncLocalStorage context manager, all
 * registered globally through the API as a host's SDK would. `uninstall` removes them.
 */
export function installRecordingTracer(options: { contextManager?: boolean } = {}) {
  const spans: RecordedSpan[] = [];
  let nextId = 1;
  const hex = (length: number) => (nextId++).toString(16).padStart(length, '0');

  const tracer: Tracer = {
    startSpan(name: string, spanOptions: SpanOptions = {}, parentContext: Context = context.active()): Span {
      const parent = trace.getSpanContext(parentContext);
      const record: RecordedSpan = {
        name,
        kind: spanOptions.kind ?? SpanKind.INTERNAL,
        spanContext: {
          traceId: parent?.traceId ?? hex(32),
          spanId: hex(16),
          traceFlags: TraceFlags.SAMPLED,
        },
        parent,
        attributes: { ...spanOptions.attributes },
        events: [],
        status: { code: SpanStatusCode.UNSET },
        ended: false,
      };
      spans.push(record);
      return recordingSpan(record);
    },
    startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
      const run = rest.at(-1) as F;
      const spanOptions = (rest.length > 1 ? rest[0] : {}) as SpanOptions;
      const parentContext = (rest.length > 2 ? rest[1] : context.active()) as Context;
      const span = tracer.startSpan(name, spanOptions, parentContext);
      return context.with(trace.setSpan(parentContext, span), () => run(span) as ReturnType<F>);
    },
  };
  const provider: TracerProvider = { getTracer: () => tracer };

  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(w3cTraceContext);
  if (options.contextManager) context.setGlobalContextManager(asyncLocalContextManager());

  return {
    spans,
    /** The recorded span of that name; fails the test when there is none or more than one. */
    span(name: string): RecordedSpan {
      const found = spans.filter((span) => span.name === name);
      if (found.length !== 1)
        throw new Error(
          `Expected one span "${name}", got ${found.length}: ${spans.map((span) => span.name).join(', ')}`,
        );
      return found[0]!;
    },
    uninstall() {
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

function recordingSpan(record: RecordedSpan): Span {
  const span: Span = {
    spanContext: () => record.spanContext,
    setAttribute(key: string, value: AttributeValue) {
      record.attributes[key] = value;
      return span;
    },
    setAttributes(attributes: Attributes) {
      Object.assign(record.attributes, attributes);
      return span;
    },
    addEvent(name: string) {
      record.events.push(name);
      return span;
    },
    addLink: () => span,
    addLinks: () => span,
    setStatus(status: SpanStatus) {
      record.status = status;
      return span;
    },
    updateName(name: string) {
      record.name = name;
      return span;
    },
    end() {
      record.ended = true;
    },
    isRecording: () => !record.ended,
    recordException(exception) {
      record.events.push(`exception: ${typeof exception === 'string' ? exception : exception.message}`);
    },
  };
  return span;
}

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** W3C Trace Context, `traceparent` only: enough to prove that the incoming trace is continued. */
const w3cTraceContext: TextMapPropagator = {
  inject(current, carrier, setter) {
    const spanContext = trace.getSpanContext(current);
    if (!spanContext) return;
    const flags = spanContext.traceFlags.toString(16).padStart(2, '0');
    setter.set(carrier, 'traceparent', `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`);
  },
  extract(current, carrier, getter) {
    const header = getter.get(carrier, 'traceparent');
    const match = traceparentPattern.exec((Array.isArray(header) ? header[0] : header) ?? '');
    if (!match) return current;
    return trace.setSpanContext(current, {
      traceId: match[1]!,
      spanId: match[2]!,
      traceFlags: Number.parseInt(match[3]!, 16),
      isRemote: true,
    });
  },
  fields: () => ['traceparent'],
};

function asyncLocalContextManager(): ContextManager {
  const storage = new AsyncLocalStorage<Context>();
  const manager: ContextManager = {
    active: () => storage.getStore() ?? ROOT_CONTEXT,
    with: (current, run, thisArg, ...args) => storage.run(current, () => run.apply(thisArg, args)),
    bind: (_current, target) => target,
    enable: () => manager,
    disable: () => {
      storage.disable();
      return manager;
    },
  };
  return manager;
}
