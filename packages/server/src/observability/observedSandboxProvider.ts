import type { SandboxCommandResult, SandboxProvider, SandboxSession } from '@fragmentkit/core';
import { type Attributes, context as otelContext, trace } from '@opentelemetry/api';
import { failSpan, fragmentkitTracer } from './requestTracing.js';
import type { FragmentkitMetrics, SandboxOperationRecord } from './serverMetrics.js';

type Observe = <Result>(
  operation: string,
  attributes: Attributes,
  run: () => Promise<Result>,
  outcomeOf?: (result: Result) => SandboxOperationRecord['outcome'],
) => Promise<Result>;

/**
 * Wraps a sandbox provider so that acquiring a session and its `writeFiles`, `install`, `run`
 * and `start` each get a span (below whatever span is active) and are counted in
 * `fragmentkit_sandbox_operations_total` by outcome: `error` when the call throws,
 * `terminated` when the sandbox stopped the process (timeout, memory, output cap) or a server
 * exited before it was ready. A non-zero exit code is the code's own result and counts as `ok`.
 *
 * @example
 * ```ts
 * import { createE2BSandboxProvider } from '@fragmentkit/core/e2b';
 * import { observeSandboxProvider } from '@fragmentkit/server';
 *
 * const sandboxes = observeSandboxProvider(createE2BSandboxProvider({ apiKey }), fragmentkit.metrics);
 * const session = await sandboxes.acquire({ template: 'nextjs-developer', conversationId });
 * ```
 */
export function observeSandboxProvider(provider: SandboxProvider, metrics: FragmentkitMetrics): SandboxProvider {
  const observe: Observe = async (operation, attributes, run, outcomeOf) => {
    const parent = otelContext.active();
    const span = fragmentkitTracer().startSpan(
      `sandbox ${operation}`,
      { attributes: { 'fragmentkit.sandbox.provider': provider.name, ...attributes } },
      parent,
    );
    try {
      const result = await otelContext.with(trace.setSpan(parent, span), run);
      const outcome = outcomeOf?.(result) ?? 'ok';
      span.setAttribute('fragmentkit.sandbox.outcome', outcome);
      metrics.recordSandboxOperation({ provider: provider.name, operation, outcome });
      return result;
    } catch (error) {
      failSpan(span, error);
      metrics.recordSandboxOperation({ provider: provider.name, operation, outcome: 'error' });
      throw error;
    } finally {
      span.end();
    }
  };

  return {
    name: provider.name,
    async acquire(options) {
      const attributes = { 'fragmentkit.sandbox.template': options.template };
      const session = await observe('acquire', attributes, () => provider.acquire(options));
      return observeSession(session, observe);
    },
  };
}

function observeSession(session: SandboxSession, observe: Observe): SandboxSession {
  const commandOutcome = (result: SandboxCommandResult) => (result.termination ? 'terminated' : 'ok');
  return {
    get id() {
      return session.id;
    },
    get template() {
      return session.template;
    },
    get isolation() {
      return session.isolation;
    },
    writeFiles: (files, options) =>
      observe('writeFiles', { 'fragmentkit.sandbox.files': files.length }, () => session.writeFiles(files, options)),
    install: (packages, options) =>
      observe(
        'install',
        { 'fragmentkit.sandbox.packages': packages.length },
        () => session.install(packages, options),
        commandOutcome,
      ),
    run: (command, options) => observe('run', {}, () => session.run(command, options), commandOutcome),
    start: (command, options) =>
      observe(
        'start',
        { 'fragmentkit.sandbox.port': options.port },
        () => session.start(command, options),
        (result) => (result.status === 'ready' ? 'ok' : 'terminated'),
      ),
    previewUrl: (port) => session.previewUrl(port),
    extendTtl: (ms) => session.extendTtl(ms),
    release: () => session.release(),
    kill: () => session.kill(),
    getSnapshot: () => session.getSnapshot(),
    subscribe: (listener) => session.subscribe(listener),
  };
}
