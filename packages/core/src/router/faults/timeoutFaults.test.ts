import { afterEach, describe, expect, it } from 'vitest';
import {
  answerOf,
  apis,
  eventsReceived,
  eventTypes,
  type FaultRig,
  keptText,
  read,
  request,
  requestsReceived,
  startRig,
  timersPending,
  usageOf,
} from './__fixtures__/faultHarness.js';

// Sockets are real; every timeout fires on the router's manual clock, when the test advances it.

let rig: FaultRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe.each(apis)('timeout faults over the %s wire format', (api) => {
  it('fault-no-response: gives up after headersMs, cancels the request and falls back without retrying', async () => {
    rig = await startRig(api, ['fault-no-response', 'healthy-fallback']);
    const { clock, router, fake } = rig;

    const started = router.stream('generate', request);
    await requestsReceived(fake, 1);
    await timersPending(clock, [10_000, 15_000]);
    clock.advance(10_000);
    const reading = read(await started);
    await reading.done;
    await fake.idle();

    expect(eventTypes(reading.events)).toEqual(['start', 'text-delta', 'finish']);
    expect(reading.events[0]).toMatchObject({ targetId: 'healthy-fallback' });
    expect(keptText(reading.events)).toBe(answerOf('healthy-fallback'));
    expect(rig.requestsFor('fault-no-response')).toHaveLength(1);
    expect(rig.requestsFor('fault-no-response')[0]?.aborted).toBe(true);
    expect(router.getSnapshot().targets['fault-no-response']).toMatchObject({
      recentErrorRate: 1,
      lastError: { code: 'PROVIDER_TIMEOUT', message: expect.stringContaining('10000 ms to start answering') },
    });
  });

  it('fault-slow-first-token: gives up after firstTokenMs and falls back, with nothing to restart', async () => {
    rig = await startRig(api, ['fault-slow-first-token', 'healthy-fallback'], {
      targetOptions: { 'fault-slow-first-token': { timeouts: { headersMs: 60_000, firstTokenMs: 5_000 } } },
    });
    const { clock, router, fake } = rig;

    const pending = router.generate('generate', request);
    await requestsReceived(fake, 1);
    clock.advance(5_000);
    const result = await pending;
    await fake.idle();

    expect(result.text).toBe(answerOf('healthy-fallback'));
    expect(result.attempts).toMatchObject([
      { targetId: 'fault-slow-first-token', outcome: 'PROVIDER_TIMEOUT', reason: 'first-token', durationMs: 5_000 },
      { targetId: 'healthy-fallback', outcome: 'ok' },
    ]);
    expect(result.attempts[0]).not.toHaveProperty('partialOutput');
    expect(rig.requestsFor('fault-slow-first-token')).toHaveLength(1);
    expect(rig.requestsFor('fault-slow-first-token')[0]?.aborted).toBe(true);
  });

  it('fault-stall: a stall after output trips the idle timeout and restarts on the next target', async () => {
    rig = await startRig(api, ['fault-stall', 'healthy-fallback']);
    const { clock, router, fake } = rig;

    const reading = read(await router.stream('generate', request));
    // start + the two deltas sent before the stall, then the router waits for the third.
    await eventsReceived(reading, 3);
    await timersPending(clock, [30_000]);
    clock.advance(30_000);
    const error = await reading.done;
    await fake.idle();

    expect(error).toBeUndefined();
    expect(reading.events.slice(0, 4).map((event) => event.type)).toEqual([
      'start',
      'text-delta',
      'text-delta',
      'restart',
    ]);
    expect(reading.events[3]).toEqual({
      type: 'restart',
      reason: 'PROVIDER_TIMEOUT',
      fromTargetId: 'fault-stall',
      targetId: 'healthy-fallback',
      provider: api,
      model: 'healthy-fallback',
    });
    expect(keptText(reading.events)).toBe(answerOf('healthy-fallback'));
    expect(reading.events.at(-1)).toMatchObject({ type: 'finish', usage: usageOf('healthy-fallback') });
    expect(rig.requestsFor('fault-stall')[0]?.aborted).toBe(true);
  });

  it('fault-stall, caller abort: stops at once with ABORTED, cancels upstream, tries nothing else', async () => {
    rig = await startRig(api, ['fault-stall', 'healthy-fallback']);
    const { clock, router, fake } = rig;
    const controller = new AbortController();

    const reading = read(await router.stream('generate', { ...request, signal: controller.signal }));
    await eventsReceived(reading, 3);
    controller.abort();
    const error = await reading.done;
    await fake.idle();

    expect(error?.code).toBe('ABORTED');
    expect(error?.details?.attempts).toMatchObject([
      { targetId: 'fault-stall', outcome: 'ABORTED', partialOutput: true },
    ]);
    expect(reading.events.some((event) => event.type === 'finish')).toBe(false);
    expect(rig.requestsFor('fault-stall')[0]?.aborted).toBe(true);
    expect(rig.requestsFor('healthy-fallback')).toHaveLength(0);
    expect(clock.pendingTimers()).toEqual([]);
    expect(router.getSnapshot().targets['fault-stall']).toMatchObject({ circuit: 'closed', recentAttempts: 0 });
  });
});
