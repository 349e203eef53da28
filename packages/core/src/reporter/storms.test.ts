import { describe, expect, it } from 'vitest';
import { createEndpoint, createFakeClock, endpointUrl } from './__fixtures__/testKit.js';
import { initReporter } from './initReporter.js';

/**
 * Ten simulated minutes of a host that keeps failing (ten errors every six seconds) while the
 * endpoint misbehaves. The host must never see an exception, memory must stay bounded, and the
 * reporter must not hammer an endpoint that is struggling.
 */
async function tenMinutesOfErrors(respond: Parameters<typeof createEndpoint>[0], clock = createFakeClock()) {
  const endpoint = createEndpoint(respond);
  const reporter = initReporter({
    endpoint: endpointUrl,
    key: 'ingest-key-1',
    captureGlobal: false,
    random: () => 0.99,
    maxQueueSize: 50,
    clock,
    fetch: endpoint.fetch,
  });
  let captured = 0;
  let maxQueued = 0;
  for (let tick = 0; tick < 100; tick += 1) {
    for (let index = 0; index < 10; index += 1) {
      expect(() => reporter.captureException(new Error(`failure ${tick}.${index}`))).not.toThrow();
      captured += 1;
    }
    await clock.advance(6000);
    maxQueued = Math.max(maxQueued, reporter.stats().queued);
  }
  return { endpoint, reporter, captured, maxQueued, clock };
}

describe('reporter under endpoint storms', () => {
  it('a 500 storm: bounded queue, backoff keeps requests to a trickle, every event accounted for', async () => {
    const { endpoint, reporter, captured, maxQueued } = await tenMinutesOfErrors(
      () => new Response('down', { status: 500 }),
    );
    // The queue (50) plus one batch being retried (20 by default).
    expect(maxQueued).toBeLessThanOrEqual(70);
    // Consecutive failures push the backoff towards its 60 s cap: ten minutes of a dead
    // endpoint cost a few dozen requests at most, not one per error (1000 were captured).
    expect(endpoint.requests.length).toBeGreaterThan(0);
    expect(endpoint.requests.length).toBeLessThanOrEqual(30);
    const stats = reporter.stats();
    expect(stats.sent).toBe(0);
    expect(stats.dropped + stats.queued).toBe(captured);
    await expect(reporter.close()).resolves.toBeUndefined();
  });

  it('a 429 storm: one request per Retry-After window, nothing thrown, queue bounded', async () => {
    const { endpoint, reporter, captured, maxQueued } = await tenMinutesOfErrors(
      () => new Response(null, { status: 429, headers: { 'retry-after': '30' } }),
    );
    expect(maxQueued).toBeLessThanOrEqual(50);
    // 600 s of quiet periods of 30 s: the first request plus one per window at most.
    expect(endpoint.requests.length).toBeGreaterThan(1);
    expect(endpoint.requests.length).toBeLessThanOrEqual(600 / 30 + 1);
    const stats = reporter.stats();
    expect(stats.dropped + stats.queued).toBe(captured);
    await expect(reporter.close()).resolves.toBeUndefined();
  });

  it('a slow endpoint (10 s per answer): never more than one request in flight, and the backlog is delivered', async () => {
    const clock = createFakeClock();
    let inFlight = 0;
    let maxInFlight = 0;
    const { endpoint, reporter, captured } = await tenMinutesOfErrors(() => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<Response>((resolve) => {
        clock.setTimeout(() => {
          inFlight -= 1;
          resolve(new Response(null, { status: 202 }));
        }, 10_000);
      });
    }, clock);
    expect(maxInFlight).toBe(1);
    await clock.advance(120_000);
    const stats = reporter.stats();
    expect(stats.sent).toBeGreaterThan(0);
    expect(stats.sent + stats.dropped + stats.queued).toBe(captured);
    expect(endpoint.requests.every((request) => request.body.events.length <= 20)).toBe(true);
  });
});
