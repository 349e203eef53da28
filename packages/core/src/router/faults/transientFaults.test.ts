import { afterEach, describe, expect, it } from 'vitest';
import {
  answerOf,
  apis,
  eventTypes,
  type FaultRig,
  keptText,
  read,
  rejectionOf,
  request,
  requestsReceived,
  startRig,
  timersPending,
  usageOf,
} from './__fixtures__/faultHarness.js';

let rig: FaultRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe.each(apis)('transient faults over the %s wire format', (api) => {
  it('healthy-*: answers in full from the first target', async () => {
    rig = await startRig(api, ['healthy-primary', 'healthy-fallback']);

    const result = await rig.router.generate('generate', request);

    expect(result).toMatchObject({
      text: answerOf('healthy-primary'),
      targetId: 'healthy-primary',
      finishReason: 'stop',
    });
    expect(result.usage).toEqual(usageOf('healthy-primary'));
    expect(rig.fake.requests).toHaveLength(1);
    expect(rig.fake.requests[0]).toMatchObject({ system: request.system, messages: request.messages, stream: true });
  });

  it('fault-429-retry-after: retries the same target only after the clock passed Retry-After', async () => {
    rig = await startRig(api, ['fault-429-retry-after', 'healthy-fallback']);
    const { clock, router } = rig;

    const pending = router.generate('generate', request);
    await timersPending(clock, [1000]);
    clock.advance(999);
    await timersPending(clock, [1]);
    expect(rig.fake.requests).toHaveLength(1);
    clock.advance(1);
    const result = await pending;

    expect(result.text).toBe(answerOf('fault-429-retry-after'));
    expect(result.targetId).toBe('fault-429-retry-after');
    expect(rig.requestsFor('fault-429-retry-after')).toHaveLength(2);
    expect(rig.requestsFor('healthy-fallback')).toHaveLength(0);
    expect(result.attempts).toMatchObject([
      { outcome: 'PROVIDER_RATE_LIMITED', retryAfterMs: 1000 },
      { outcome: 'ok', durationMs: 0 },
    ]);
  });

  it('fault-429-persistent: a Retry-After beyond the cap moves to the next target without waiting', async () => {
    rig = await startRig(api, ['fault-429-persistent', 'healthy-fallback'], { retry: { maxRetryAfterMs: 20_000 } });

    const result = await rig.router.generate('generate', request);

    expect(result.targetId).toBe('healthy-fallback');
    expect(result.text).toBe(answerOf('healthy-fallback'));
    expect(rig.requestsFor('fault-429-persistent')).toHaveLength(1);
    expect(result.attempts[0]).toMatchObject({ outcome: 'PROVIDER_RATE_LIMITED', retryAfterMs: 60_000 });
    // The breaker keeps the target closed to traffic for as long as it asked.
    expect(rig.router.getSnapshot().targets['fault-429-persistent']).toMatchObject({
      circuit: 'open',
      retryAt: rig.clock.now() + 60_000,
    });
  });

  it('fault-500-once: backs off on the clock, then the same target answers', async () => {
    rig = await startRig(api, ['fault-500-once', 'healthy-fallback']);
    const { clock, router } = rig;

    const pending = router.generate('generate', request);
    // Full jitter: random 0.5 × minDelayMs 500.
    await timersPending(clock, [250]);
    expect(rig.fake.requests).toHaveLength(1);
    clock.advance(250);
    const result = await pending;

    expect(result.targetId).toBe('fault-500-once');
    expect(result.text).toBe(answerOf('fault-500-once'));
    expect(rig.requestsFor('fault-500-once')).toHaveLength(2);
    expect(rig.requestsFor('healthy-fallback')).toHaveLength(0);
  });

  it('fault-503-persistent: gives the target its bounded attempts, then the fallback answers with its own usage', async () => {
    rig = await startRig(api, ['fault-503-persistent', 'healthy-fallback']);
    const { clock, router } = rig;

    const started = router.stream('generate', request);
    await timersPending(clock, [250]);
    clock.advance(250);
    const reading = read(await started);
    const error = await reading.done;

    expect(error).toBeUndefined();
    expect(eventTypes(reading.events)).toEqual(['start', 'text-delta', 'finish']);
    expect(reading.events[0]).toMatchObject({ type: 'start', targetId: 'healthy-fallback' });
    expect(keptText(reading.events)).toBe(answerOf('healthy-fallback'));
    expect(reading.events.at(-1)).toMatchObject({ type: 'finish', usage: usageOf('healthy-fallback') });
    expect(rig.requestsFor('fault-503-persistent')).toHaveLength(2);
    expect(router.getSnapshot().lastAnsweredBy.generate).toMatchObject({
      targetId: 'healthy-fallback',
      fallback: true,
    });
  });

  it('fault-reset-before-headers: a connection reset is retried, then the fallback answers, with no restart', async () => {
    rig = await startRig(api, ['fault-reset-before-headers', 'healthy-fallback']);
    const { clock, router } = rig;

    const started = router.stream('generate', request);
    await timersPending(clock, [250]);
    clock.advance(250);
    const reading = read(await started);
    await reading.done;

    expect(eventTypes(reading.events)).toEqual(['start', 'text-delta', 'finish']);
    expect(keptText(reading.events)).toBe(answerOf('healthy-fallback'));
    expect(rig.requestsFor('fault-reset-before-headers')).toHaveLength(2);
  });

  it('fault-503-persistent everywhere: one bounded, typed error listing every attempt', async () => {
    rig = await startRig(api, ['fault-503-persistent:a', 'fault-503-persistent:b']);
    const { clock, router } = rig;

    const pending = rejectionOf(router.stream('generate', request));
    await timersPending(clock, [250]);
    clock.advance(250);
    await requestsReceived(rig.fake, 3);
    await timersPending(clock, [250]);
    clock.advance(250);
    const error = await pending;

    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.isRetryable).toBe(true);
    expect(error.details?.attempts).toEqual([
      expect.objectContaining({ targetId: 'fault-503-persistent:a', outcome: 'PROVIDER_UNAVAILABLE' }),
      expect.objectContaining({ targetId: 'fault-503-persistent:a', outcome: 'PROVIDER_UNAVAILABLE' }),
      expect.objectContaining({ targetId: 'fault-503-persistent:b', outcome: 'PROVIDER_UNAVAILABLE' }),
      expect.objectContaining({ targetId: 'fault-503-persistent:b', outcome: 'PROVIDER_UNAVAILABLE' }),
    ]);
    expect(rig.fake.requests).toHaveLength(4);
  });

  it('fault-down-then-up: the breaker opens, the fallback answers, and the primary takes over again once it recovers', async () => {
    rig = await startRig(api, ['fault-down-then-up', 'healthy-fallback'], {
      breakerOptions: { failureThreshold: 2, resetTimeoutMs: 30_000, successesToClose: 2 },
    });
    const { clock, faults, router } = rig;
    const primaryState = () => router.getSnapshot().targets['fault-down-then-up']?.circuit;

    const first = router.generate('generate', request);
    await timersPending(clock, [250]);
    clock.advance(250);
    expect((await first).targetId).toBe('healthy-fallback');
    expect(primaryState()).toBe('open');

    const whileOpen = await router.generate('generate', request);
    expect(whileOpen.targetId).toBe('healthy-fallback');
    expect(whileOpen.attempts[0]).toMatchObject({ outcome: 'PROVIDER_UNAVAILABLE', reason: 'circuit-open' });
    expect(rig.requestsFor('fault-down-then-up')).toHaveLength(2);

    faults.setHealthy('fault-down-then-up', true);
    clock.advance(30_000);
    const probe = await router.generate('generate', request);
    expect(probe.targetId).toBe('fault-down-then-up');
    expect(probe.text).toBe(answerOf('fault-down-then-up'));
    expect(primaryState()).toBe('half-open');

    expect((await router.generate('generate', request)).targetId).toBe('fault-down-then-up');
    expect(primaryState()).toBe('closed');
    expect(router.getSnapshot().lastAnsweredBy.generate).toMatchObject({
      targetId: 'fault-down-then-up',
      fallback: false,
    });
    expect(rig.requestsFor('fault-down-then-up')).toHaveLength(4);
    expect(rig.requestsFor('healthy-fallback')).toHaveLength(2);
  });
});
