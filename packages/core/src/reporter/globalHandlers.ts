import type { IncidentLevel } from '../incidents/incidentEvent.js';

type Capture = (error: unknown, level: IncidentLevel) => void;
type Listener = (...args: never[]) => void;

interface BrowserScope {
  onerror: unknown;
  addEventListener(type: string, listener: (event: { reason?: unknown }) => unknown): void;
  removeEventListener(type: string, listener: (event: { reason?: unknown }) => unknown): void;
}

interface NodeProcess {
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
  listeners(event: string): Listener[];
}

/**
 * Observes uncaught errors and unhandled rejections without changing what the host does with
 * them, and sends what is queued when the page is hidden or the Node event loop empties.
 * Returns a function that removes the handlers and restores the previous `onerror`.
 */
export function installGlobalHandlers(capture: Capture, flush: () => unknown): () => void {
  const scope = globalThis as unknown as { window?: unknown; process?: Partial<NodeProcess> };
  const browser = (scope.window ?? scope) as Partial<BrowserScope>;
  if (typeof browser.addEventListener === 'function' && 'onerror' in browser) {
    return installBrowserHandlers(browser as BrowserScope, capture, flush);
  }
  const process = scope.process;
  if (typeof process?.listeners === 'function') return installNodeHandlers(process as NodeProcess, capture, flush);
  return () => {};
}

function installBrowserHandlers(scope: BrowserScope, capture: Capture, flush: () => unknown): () => void {
  const previous = scope.onerror;
  // Chains to the previous handler and returns its value: returning `true` is how a page
  // silences the console, and that choice stays the page's.
  function onError(this: unknown, ...args: unknown[]): unknown {
    // Cross-origin scripts give no error object, only `Script error.` with no location.
    capture(args[4] ?? args[0], 'error');
    return typeof previous === 'function' ? previous.apply(this, args) : undefined;
  }
  // A hidden or closing page may never run the flush timer; `keepalive` lets these requests
  // outlive the page.
  const listeners = [
    ['unhandledrejection', (event: { reason?: unknown }) => capture(event.reason, 'error')],
    ['visibilitychange', flush],
    ['pagehide', flush],
  ] as const;
  scope.onerror = onError;
  for (const [type, listener] of listeners) scope.addEventListener(type, listener);
  return () => {
    if (scope.onerror === onError) scope.onerror = previous;
    for (const [type, listener] of listeners) scope.removeEventListener(type, listener);
  };
}

/**
 * Node: `uncaughtExceptionMonitor` sees an uncaught exception before Node prints it and exits,
 * and, under the default `--unhandled-rejections=throw`, an unhandled rejection too (Node raises
 * it as an uncaught exception). Listening to `uncaughtException` or `unhandledRejection` instead
 * would stop Node from crashing, so the reporter adds an `unhandledRejection` listener only
 * while the host has one of its own, when rejections no longer crash anyway. `beforeExit` runs
 * only once the event loop is empty: sending then delivers what a script captured last, and the
 * process exits as it would have once the request is done.
 */
function installNodeHandlers(process: NodeProcess, capture: Capture, flush: () => unknown): () => void {
  let observingRejections = false;
  const onUncaught = (error: unknown) => capture(error, 'fatal');
  const onRejection = (reason: unknown) => capture(reason, 'error');
  const follow = () => {
    const observe = process.listeners('unhandledRejection').some((listener) => listener !== onRejection);
    if (observe === observingRejections) return;
    observingRejections = observe;
    if (observe) process.on('unhandledRejection', onRejection);
    else process.removeListener('unhandledRejection', onRejection);
  };
  // `newListener` fires before the listener is added, so the count is taken a microtask later;
  // rejections are only processed after microtasks, so none slips through.
  const onListenerChange = (event: unknown, listener: unknown) => {
    if (event === 'unhandledRejection' && listener !== onRejection) queueMicrotask(follow);
  };
  const listeners = [
    ['uncaughtExceptionMonitor', onUncaught],
    ['beforeExit', flush],
    ['newListener', onListenerChange],
    ['removeListener', onListenerChange],
  ] as const;
  for (const [event, listener] of listeners) process.on(event, listener);
  follow();
  return () => {
    for (const [event, listener] of listeners) process.removeListener(event, listener);
    if (observingRejections) process.removeListener('unhandledRejection', onRejection);
    observingRejections = false;
  };
}
