import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEndpoint, createFakeClock, endpointUrl } from './__fixtures__/testKit.js';
import { initReporter, type ReporterOptions } from './initReporter.js';
import { parseRetryAfter } from './transport.js';

type SetupOptions = Partial<Omit<ReporterOptions, 'endpoint'>> & { server?: ReturnType<typeof createEndpoint> };

function setup({ server, ...options }: SetupOptions = {}) {
  const clock = options.clock ?? createFakeClock();
  const endpoint = server ?? createEndpoint();
  const reporter = initReporter({
    endpoint: endpointUrl,
    key: 'ingest-key-1',
    captureGlobal: false,
    random: () => 0.5,
    ...options,
    clock,
    fetch: endpoint.fetch,
  });
  const capture = (...messages: string[]) => messages.map((message) => reporter.captureException(new Error(message)));
  return { clock: clock as ReturnType<typeof createFakeClock>, endpoint, reporter, capture };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('batching', () => {
  it('waits for the flush interval, then sends everything queued in one POST', async () => {
    const { clock, endpoint, capture } = setup();
    capture('a', 'b', 'c');
    await clock.advance(1999);
    expect(endpoint.requests).toHaveLength(0);
    await clock.advance(1);
    expect(endpoint.messages()).toEqual([['a', 'b', 'c']]);
    const [request] = endpoint.requests;
    expect(request?.url).toBe(endpointUrl);
    expect(request?.method).toBe('POST');
    expect(request?.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer ingest-key-1' });
    expect(request?.keepalive).toBe(true);
  });

  it('sends a full batch at once and the rest on the next interval', async () => {
    const { clock, endpoint, capture } = setup({ maxBatchSize: 3 });
    capture('a', 'b', 'c', 'd');
    await clock.settle();
    expect(endpoint.messages()).toEqual([['a', 'b', 'c']]);
    await clock.advance(2000);
    expect(endpoint.messages()).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('splits a large flush into batches of maxBatchSize, one request at a time', async () => {
    const { endpoint, reporter, capture } = setup({ maxBatchSize: 2 });
    capture('a', 'b', 'c', 'd', 'e');
    await reporter.flush();
    expect(endpoint.messages()).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(reporter.stats()).toEqual({ queued: 0, sent: 5, dropped: 0 });
  });

  it('sends fatal events without waiting for the interval', async () => {
    const { clock, endpoint, reporter } = setup();
    reporter.captureException(new Error('dying'), { level: 'fatal' });
    await clock.settle();
    expect(endpoint.messages()).toEqual([['dying']]);
  });

  it('drops keepalive for bodies over the 64 KiB browsers allow', async () => {
    const { endpoint, reporter } = setup({ maxBatchSize: 5 });
    for (let index = 0; index < 5; index++) {
      reporter.captureException(new Error(`big ${index}`), { extra: { payload: 'word '.repeat(3000) } });
    }
    await reporter.flush();
    expect(JSON.stringify(endpoint.requests[0]?.body).length).toBeGreaterThan(64 * 1024);
    expect(endpoint.requests[0]?.keepalive).toBe(false);
  });
});

describe('bounded queue', () => {
  it('drops the oldest events beyond maxQueueSize and counts them', async () => {
    const { reporter, endpoint, capture } = setup({ maxQueueSize: 3 });
    capture('e1', 'e2', 'e3', 'e4', 'e5', 'e6');
    expect(reporter.stats()).toEqual({ queued: 3, sent: 0, dropped: 3 });
    await reporter.flush();
    expect(endpoint.messages()).toEqual([['e4', 'e5', 'e6']]);
    expect(reporter.stats()).toEqual({ queued: 0, sent: 3, dropped: 3 });
  });
});

describe('failures', () => {
  it('retries network errors with exponential backoff and full jitter, then drops the batch', async () => {
    const endpoint = createEndpoint(() => {
      throw new TypeError('fetch failed');
    });
    let delays: number[] = [];
    const random = vi.fn(() => delays.shift() ?? 0.5);
    const { clock, reporter, capture } = setup({ server: endpoint, random });
    capture('lost');
    // From here on each failure asks for exactly one random number: its jittered delay.
    random.mockClear();
    delays = [0.999, 0.999, 0, 0.5];
    await reporter.flush();
    expect(endpoint.requests).toHaveLength(1);
    // Attempt 1 failed: delay = 0.999 * 1000 ms.
    await clock.advance(998);
    expect(endpoint.requests).toHaveLength(1);
    await clock.advance(1);
    expect(endpoint.requests).toHaveLength(2);
    // Attempt 2 failed: delay = 0.999 * 2000 ms, just under the ceiling.
    await clock.advance(1997);
    expect(endpoint.requests).toHaveLength(2);
    // Attempt 3 runs and fails; random 0 is the floor of full jitter, so attempt 4 follows at once.
    await clock.advance(1);
    expect(endpoint.requests).toHaveLength(4);
    // Attempt 4 was the third retry: the batch is dropped, not retried again.
    await clock.advance(120_000);
    expect(endpoint.requests).toHaveLength(4);
    expect(new Set(endpoint.requests.map((request) => request.body.events[0]?.eventId)).size).toBe(1);
    expect(reporter.stats()).toEqual({ queued: 0, sent: 0, dropped: 1 });
    expect(random).toHaveBeenCalledTimes(4);
  });

  it('retries a 5xx three times, then drops the batch and carries on', async () => {
    let healthy = false;
    const endpoint = createEndpoint(() => new Response('down', { status: healthy ? 200 : 503 }));
    const { clock, reporter, capture } = setup({ server: endpoint, random: () => 0.99 });
    capture('doomed');
    await reporter.flush();
    await clock.advance(1000);
    await clock.advance(2000);
    await clock.advance(4000);
    expect(endpoint.messages()).toEqual([['doomed'], ['doomed'], ['doomed'], ['doomed']]);
    await clock.advance(600_000);
    expect(endpoint.requests).toHaveLength(4);
    expect(reporter.stats().dropped).toBe(1);

    healthy = true;
    capture('later');
    await clock.advance(8000);
    await reporter.flush();
    expect(endpoint.messages().at(-1)).toEqual(['later']);
    expect(reporter.stats()).toEqual({ queued: 0, sent: 1, dropped: 1 });
  });

  it('drops a batch the endpoint rejects with another 4xx, without retrying', async () => {
    const endpoint = createEndpoint(() => new Response(null, { status: 401 }));
    const { clock, reporter, capture } = setup({ server: endpoint });
    capture('unauthorised');
    await reporter.flush();
    await clock.advance(600_000);
    expect(endpoint.requests).toHaveLength(1);
    expect(reporter.stats()).toEqual({ queued: 0, sent: 0, dropped: 1 });
  });

  it('stays quiet after a 429 until Retry-After (seconds) has passed', async () => {
    let limited = true;
    const endpoint = createEndpoint(() =>
      limited
        ? new Response(null, { status: 429, headers: { 'retry-after': '120' } })
        : new Response(null, { status: 200 }),
    );
    const { clock, reporter, capture } = setup({ server: endpoint });
    capture('first');
    await reporter.flush();
    expect(reporter.stats().dropped).toBe(1);
    limited = false;

    capture('second');
    await reporter.flush();
    await clock.advance(119_999);
    expect(endpoint.requests).toHaveLength(1);
    await clock.advance(1);
    expect(endpoint.messages()).toEqual([['first'], ['second']]);
  });

  it('honours a Retry-After HTTP date', async () => {
    const clock = createFakeClock();
    const until = new Date(clock.now() + 30_000).toUTCString();
    const endpoint = createEndpoint((_request, index) =>
      index === 0
        ? new Response(null, { status: 429, headers: { 'retry-after': until } })
        : new Response(null, { status: 200 }),
    );
    const { reporter, capture } = setup({ server: endpoint, clock });
    capture('first');
    await reporter.flush();
    capture('second');
    await clock.advance(29_999);
    expect(endpoint.requests).toHaveLength(1);
    await clock.advance(1);
    expect(endpoint.messages()).toEqual([['first'], ['second']]);
  });

  it('never throws when the endpoint is dead, and flush and close still settle', async () => {
    const endpoint = createEndpoint(() => Promise.reject(new TypeError('ECONNREFUSED')));
    const { clock, reporter, capture } = setup({ server: endpoint });
    expect(() => capture('a', 'b')).not.toThrow();
    await expect(reporter.flush()).resolves.toBeUndefined();
    await clock.advance(60_000);
    await expect(reporter.close()).resolves.toBeUndefined();
    expect(endpoint.requests.length).toBeGreaterThan(0);
  });

  it('survives a fetch that throws synchronously', async () => {
    const fetch = vi.fn(() => {
      throw new Error('fetch is broken');
    }) as unknown as typeof globalThis.fetch;
    const clock = createFakeClock();
    const reporter = initReporter({ endpoint: endpointUrl, key: 'k', captureGlobal: false, clock, fetch });
    expect(() => reporter.captureException(new Error('x'))).not.toThrow();
    await expect(reporter.flush()).resolves.toBeUndefined();
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('keeps capturing, bounded, while the endpoint never answers; a hung request times out after 30 s', async () => {
    const endpoint = createEndpoint(() => new Promise<Response>(() => {}));
    const { clock, reporter, capture } = setup({ server: endpoint, maxQueueSize: 10, maxBatchSize: 5 });
    const ids = capture(...Array.from({ length: 200 }, (_, index) => `e${index}`));
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    await clock.settle();
    expect(endpoint.requests).toHaveLength(1);
    expect(reporter.stats().queued).toBeLessThanOrEqual(10);
    expect(reporter.stats().dropped).toBe(200 - 10 - 5);

    await clock.advance(29_999);
    expect(endpoint.requests).toHaveLength(1);
    await clock.advance(1);
    // The timed-out batch is retried after its backoff (0.5 * 1000 ms).
    await clock.advance(500);
    expect(endpoint.requests).toHaveLength(2);
    expect(endpoint.requests[1]?.body.events).toEqual(endpoint.requests[0]?.body.events);
  });
});

describe('timers', () => {
  it('unrefs its Node timers so reporting never keeps the process alive', async () => {
    const created: NodeJS.Timeout[] = [];
    const realSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, delay?: number) => {
      const handle = realSetTimeout(callback, delay);
      created.push(handle);
      return handle;
    }) as typeof setTimeout);
    const endpoint = createEndpoint();
    const reporter = initReporter({ endpoint: endpointUrl, key: 'k', captureGlobal: false, fetch: endpoint.fetch });
    reporter.captureException(new Error('x'));
    await reporter.flush();
    expect(created.length).toBeGreaterThanOrEqual(2);
    expect(created.every((handle) => !handle.hasRef())).toBe(true);
    await reporter.close();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2025, 0, 2, 3, 4, 5);
  it.each([
    ['120', 120_000],
    [' 7 ', 7000],
    [new Date(now + 45_000).toUTCString(), 45_000],
    [new Date(now - 45_000).toUTCString(), 0],
    ['soon', 60_000],
    [null, 60_000],
  ])('%s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
