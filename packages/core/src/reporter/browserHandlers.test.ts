// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEndpoint, createFakeClock } from './__fixtures__/testKit.js';
import { initReporter, type Reporter } from './initReporter.js';

let reporter: Reporter | undefined;

function start() {
  const server = createEndpoint();
  // Relative to the page, as a browser app would configure it.
  reporter = initReporter({
    endpoint: '/api/fragmentkit/ingest',
    key: 'k',
    fetch: server.fetch,
    clock: createFakeClock(),
  });
  return { server, reporter };
}

/**
 * What a browser does with an uncaught error: call `window.onerror` with five arguments and
 * cancel its console report when the handler returns `true`. (jsdom under vitest does not run
 * the `onerror` attribute for dispatched events, so the test plays the browser's part.)
 */
function browserReportsError(error: Error): unknown {
  const handler = window.onerror as ((...args: unknown[]) => unknown) | null;
  return handler?.call(window, error.message, 'https://app.test/a.js', 3, 9, error);
}

function dispatchRejection(reason: unknown) {
  const event = Object.assign(new Event('unhandledrejection', { cancelable: true }), { reason });
  window.dispatchEvent(event);
  return event;
}

afterEach(async () => {
  await reporter?.close();
  reporter = undefined;
  window.onerror = null;
});

describe('browser global handlers', () => {
  it('reports uncaught errors and still calls the previous onerror, keeping its return value', async () => {
    const previous = vi.fn((..._args: unknown[]) => true);
    window.onerror = previous;
    const { server } = start();
    expect(server.requests).toHaveLength(0);

    const error = new TypeError('Cannot read properties of undefined');
    const returned = browserReportsError(error);

    expect(previous).toHaveBeenCalledTimes(1);
    expect(previous.mock.calls[0]).toEqual([error.message, 'https://app.test/a.js', 3, 9, error]);
    expect(previous.mock.contexts[0]).toBe(window);
    // The page's handler returned true, which cancels the default report: still its choice.
    expect(returned).toBe(true);
    await reporter?.flush();
    expect(server.requests[0]?.url).toBe(`${location.origin}/api/fragmentkit/ingest`);
    expect(server.requests[0]?.body.events[0]).toMatchObject({
      type: 'TypeError',
      message: error.message,
      level: 'error',
    });
  });

  it('does not swallow errors when there was no previous handler', async () => {
    const { server } = start();
    expect(browserReportsError(new Error('plain'))).toBeUndefined();
    await reporter?.flush();
    expect(server.messages()).toEqual([['plain']]);
  });

  it('reports unhandled rejections without preventing the default', async () => {
    const { server } = start();
    const event = dispatchRejection(new Error('rejected'));
    expect(event.defaultPrevented).toBe(false);
    dispatchRejection('a plain reason');
    await reporter?.flush();
    expect(server.messages()).toEqual([['rejected', 'a plain reason']]);
  });

  it('reports first, then lets an error thrown by the page handler surface as before', async () => {
    window.onerror = () => {
      throw new Error('page handler bug');
    };
    const { server } = start();
    expect(() => browserReportsError(new Error('x'))).toThrow('page handler bug');
    await reporter?.flush();
    expect(server.messages()).toEqual([['x']]);
  });

  it('reports a cross-origin "Script error." that comes without an error object', async () => {
    const { server } = start();
    (window.onerror as (...args: unknown[]) => unknown)('Script error.', '', 0, 0, undefined);
    await reporter?.flush();
    expect(server.requests[0]?.body.events[0]).toMatchObject({ type: 'Error', message: 'Script error.', frames: [] });
  });

  it('restores the previous onerror and removes its listener on close()', async () => {
    const previous = vi.fn();
    window.onerror = previous;
    const { server, reporter: active } = start();
    expect(window.onerror).not.toBe(previous);
    await active.close();
    expect(window.onerror).toBe(previous);

    browserReportsError(new Error('after close'));
    dispatchRejection(new Error('after close'));
    await active.flush();
    expect(server.requests).toHaveLength(0);
    expect(previous).toHaveBeenCalledTimes(1);
  });

  it('leaves a handler installed after it in place on close()', async () => {
    const { reporter: active } = start();
    const later = vi.fn();
    window.onerror = later;
    await active.close();
    expect(window.onerror).toBe(later);
  });

  it('sends what is queued when the page is hidden or closed, without waiting for the interval', async () => {
    const { server } = start();
    reporter?.captureException(new Error('before hiding'));
    window.dispatchEvent(new Event('pagehide'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.messages()).toEqual([['before hiding']]);
    expect(server.requests[0]?.keepalive).toBe(true);

    reporter?.captureException(new Error('tab in background'));
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.messages()).toEqual([['before hiding'], ['tab in background']]);
  });

  it('installs no Node process listeners in a browser', () => {
    const before = process.listenerCount('uncaughtExceptionMonitor');
    start();
    expect(process.listenerCount('uncaughtExceptionMonitor')).toBe(before);
  });
});
