import { FragmentkitError, type SandboxProvider, type SandboxRunResult, type SandboxSession } from '@fragmentkit/core';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { installRecordingTracer } from './__fixtures__/recordingTracer.js';
import { observeSandboxProvider } from './observedSandboxProvider.js';
import { createServerMetrics } from './serverMetrics.js';

/** A provider whose sessions answer `run` from a table: a result, or an error to throw. */
function fakeProvider(runs: Record<string, SandboxRunResult | Error>, acquireError?: Error): SandboxProvider {
  const session: SandboxSession = {
    id: 'session-1',
    template: 'node',
    isolation: 'none',
    writeFiles: async () => {},
    install: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
    async run(command) {
      const answer = runs[typeof command === 'string' ? command : command.code];
      if (answer === undefined || answer instanceof Error) throw answer ?? new Error('unknown command');
      return answer;
    },
    start: async (_command, options) => ({
      status: 'ready',
      port: options.port,
      url: `http://127.0.0.1:${options.port}`,
    }),
    previewUrl: (port) => `http://127.0.0.1:${port}`,
    extendTtl: async () => {},
    release: async () => {},
    kill: async () => {},
    getSnapshot: () => ({ id: 'session-1', template: 'node', isolation: 'none', status: 'ready', servers: [] }),
    subscribe: () => () => {},
  };
  return {
    name: 'local',
    async acquire() {
      if (acquireError) throw acquireError;
      return session;
    },
  };
}

let tracer: ReturnType<typeof installRecordingTracer> | undefined;

afterEach(() => {
  tracer?.uninstall();
  tracer = undefined;
});

describe('observeSandboxProvider', () => {
  it('counts operations by outcome: a thrown error, a stopped process, and a non-zero exit that is still ok', async () => {
    const { metrics } = createServerMetrics();
    const provider = observeSandboxProvider(
      fakeProvider({
        'node ok.js': { exitCode: 1, stdout: '', stderr: 'Error: thrown by the code' },
        'node loop.js': {
          exitCode: null,
          stdout: '',
          stderr: '',
          termination: { reason: 'wall-clock', message: 'Stopped after 5 s.' },
        },
        'node crash.js': new FragmentkitError('SANDBOX_UNAVAILABLE', 'The sandbox went away.'),
      }),
      metrics,
    );

    const session = await provider.acquire({ template: 'node' });
    expect((await session.run('node ok.js')).exitCode).toBe(1);
    expect((await session.run('node loop.js')).termination?.reason).toBe('wall-clock');
    await expect(session.run('node crash.js')).rejects.toThrow('The sandbox went away.');
    expect(session.id).toBe('session-1');
    expect(session.previewUrl(3000)).toBe('http://127.0.0.1:3000');

    expect(metrics.snapshot().sandbox).toEqual({ operations: 4, failures: 2 });
    const text = metrics.toPrometheus();
    expect(text).toContain(
      'fragmentkit_sandbox_operations_total{provider="local",operation="acquire",outcome="ok"} 1\n',
    );
    expect(text).toContain('fragmentkit_sandbox_operations_total{provider="local",operation="run",outcome="ok"} 1\n');
    expect(text).toContain(
      'fragmentkit_sandbox_operations_total{provider="local",operation="run",outcome="terminated"} 1\n',
    );
    expect(text).toContain(
      'fragmentkit_sandbox_operations_total{provider="local",operation="run",outcome="error"} 1\n',
    );
  });

  it('records a span per operation, failed ones with their error code', async () => {
    tracer = installRecordingTracer();
    const { metrics } = createServerMetrics();
    const failing = observeSandboxProvider(
      fakeProvider({}, new FragmentkitError('SANDBOX_UNAVAILABLE', 'No capacity.')),
      metrics,
    );
    await expect(failing.acquire({ template: 'node' })).rejects.toThrow('No capacity.');

    const acquire = tracer.span('sandbox acquire');
    expect(acquire.attributes).toMatchObject({
      'fragmentkit.sandbox.provider': 'local',
      'fragmentkit.sandbox.template': 'node',
      'error.type': 'SANDBOX_UNAVAILABLE',
    });
    expect(acquire.status.code).toBe(SpanStatusCode.ERROR);
    expect(acquire.ended).toBe(true);
    expect(metrics.snapshot().sandbox).toEqual({ operations: 1, failures: 1 });
  });
});
