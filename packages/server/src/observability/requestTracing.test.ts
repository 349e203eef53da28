import { FragmentkitError, type LanguageModel } from '@fragmentkit/core';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDeferred } from '../../test/deferred.js';
import { collectSse } from '../../test/readSse.js';
import { finishEvent, fragmentDeltas } from '../../test/sampleFragment.js';
import { createScriptedModel } from '../../test/scriptedModel.js';
import { createFragmentkit } from '../fragmentkit.js';
import { installRecordingTracer } from './__fixtures__/recordingTracer.js';

const incomingTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const incomingSpanId = '00f067aa0ba902b7';
const traceparent = `00-${incomingTraceId}-${incomingSpanId}-01`;

function postChat(headers: Record<string, string> = {}): Request {
  return new Request('http://localhost/api/fragmentkit/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ input: 'Make a counter' }),
  });
}

function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const push = (fields: Record<string, unknown>) => lines.push(fields);
  return { lines, logger: { info: push, warn: push, error: push } };
}

let tracer: ReturnType<typeof installRecordingTracer> | undefined;

afterEach(() => {
  tracer?.uninstall();
  tracer = undefined;
});

describe('request spans', () => {
  it('continues the incoming traceparent: request → prompt build → provider call', async () => {
    tracer = installRecordingTracer();
    const { lines, logger } = recordingLogger();
    const model = createScriptedModel([...fragmentDeltas(), finishEvent], {
      provider: 'anthropic',
      modelId: 'claude-test',
    });
    const response = await createFragmentkit({ model, logger }).handler(postChat({ traceparent }));
    await collectSse(response.body!);

    const request = tracer.span('POST /chat');
    expect(request.kind).toBe(SpanKind.SERVER);
    expect(request.parent).toMatchObject({ traceId: incomingTraceId, spanId: incomingSpanId, isRemote: true });
    expect(request.spanContext.traceId).toBe(incomingTraceId);
    expect(request.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/chat',
      'http.response.status_code': 200,
      'fragmentkit.provider': 'anthropic',
      'fragmentkit.outcome': 'done',
    });
    expect(request.status.code).toBe(SpanStatusCode.UNSET);

    const prompt = tracer.span('fragmentkit.prompt.build');
    expect(prompt.parent?.spanId).toBe(request.spanContext.spanId);
    expect(prompt.attributes['fragmentkit.prompt.tokens']).toBeGreaterThan(0);

    const call = tracer.span('chat claude-test');
    expect(call.kind).toBe(SpanKind.CLIENT);
    expect(call.parent?.spanId).toBe(request.spanContext.spanId);
    expect(call.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude-test',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 80,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(call.events).toEqual(['gen_ai.first_token']);
    expect(call.status.code).toBe(SpanStatusCode.OK);

    // The request span lasts until the stream's terminal event, so it ends last.
    expect(tracer.spans.map((span) => span.ended)).toEqual([true, true, true]);
    expect(lines[0]).toMatchObject({ traceId: incomingTraceId });
  });

  it('starts a new trace without a traceparent', async () => {
    tracer = installRecordingTracer();
    await createFragmentkit({ logger: recordingLogger().logger }).handler(
      new Request('http://localhost/api/fragmentkit/health'),
    );
    const request = tracer.span('GET /health');
    expect(request.parent).toBeUndefined();
    expect(request.spanContext.traceId).not.toBe(incomingTraceId);
    expect(request.ended).toBe(true);
  });

  it('marks the provider call and the request failed when the provider fails', async () => {
    tracer = installRecordingTracer();
    const model = createScriptedModel([], {
      modelId: 'claude-test',
      reject: new FragmentkitError('PROVIDER_UNAVAILABLE', 'Overloaded.', { isRetryable: true }),
    });
    const response = await createFragmentkit({ model, logger: recordingLogger().logger }).handler(
      postChat({ traceparent }),
    );
    expect(response.status).toBe(503);

    const call = tracer.span('chat claude-test');
    expect(call.status).toEqual({ code: SpanStatusCode.ERROR, message: 'PROVIDER_UNAVAILABLE: Overloaded.' });
    expect(call.attributes['error.type']).toBe('PROVIDER_UNAVAILABLE');
    const request = tracer.span('POST /chat');
    expect(request.status).toEqual({ code: SpanStatusCode.ERROR, message: 'PROVIDER_UNAVAILABLE' });
    expect(request.attributes['http.response.status_code']).toBe(503);
  });

  it('ends the provider span without failing it when the client leaves mid-answer', async () => {
    tracer = installRecordingTracer();
    const gate = createDeferred();
    const model = createScriptedModel([fragmentDeltas()[0]!, { type: 'wait', until: gate.promise }, finishEvent], {
      modelId: 'claude-test',
    });
    const fragmentkit = createFragmentkit({ model, logger: recordingLogger().logger });
    const response = await fragmentkit.handler(postChat());
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await model.aborted;

    await vi.waitFor(() => expect(tracer?.span('POST /chat').ended).toBe(true));
    const call = tracer.span('chat claude-test');
    expect(call.ended).toBe(true);
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    expect(tracer.span('POST /chat').attributes['fragmentkit.outcome']).toBe('ABORTED');
    expect(fragmentkit.metrics.snapshot().providers).toEqual({ test: { calls: 1, errors: 0, errorRate: 0 } });
    gate.resolve();
  });

  it('does not mark a client error as a failure', async () => {
    tracer = installRecordingTracer();
    await createFragmentkit({ logger: recordingLogger().logger }).handler(
      new Request('http://localhost/api/fragmentkit/nowhere'),
    );
    const request = tracer.span('GET unmatched');
    expect(request.attributes['http.response.status_code']).toBe(404);
    expect(request.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("nests under the host's active span and calls the model inside the provider span's context", async () => {
    tracer = installRecordingTracer({ contextManager: true });
    const scripted = createScriptedModel([...fragmentDeltas(), finishEvent], { modelId: 'claude-test' });
    let activeDuringCall: string | undefined;
    const model: LanguageModel = {
      provider: scripted.provider,
      modelId: scripted.modelId,
      stream(request) {
        // Where an instrumented fetch would attach its HTTP span.
        activeDuringCall = trace.getActiveSpan()?.spanContext().spanId;
        return scripted.stream(request);
      },
    };
    const fragmentkit = createFragmentkit({ model, logger: recordingLogger().logger });
    const hostSpan = trace.getTracer('host').startSpan('host request');

    const response = await context.with(trace.setSpan(context.active(), hostSpan), () =>
      fragmentkit.handler(postChat({ traceparent })),
    );
    await collectSse(response.body!);

    const request = tracer.span('POST /chat');
    expect(request.kind).toBe(SpanKind.INTERNAL);
    expect(request.parent?.spanId).toBe(hostSpan.spanContext().spanId);
    expect(activeDuringCall).toBe(tracer.span('chat claude-test').spanContext.spanId);
  });
});
