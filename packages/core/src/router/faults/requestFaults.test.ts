import { afterEach, describe, expect, it } from 'vitest';
import { answerOf, apis, type FaultRig, rejectionOf, request, startRig } from './__fixtures__/faultHarness.js';

let rig: FaultRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe.each(apis)('request faults over the %s wire format', (api) => {
  it('fault-context-length: skips targets with a smaller window and answers from a larger one', async () => {
    rig = await startRig(api, ['fault-context-length', 'healthy-small', 'healthy-large'], {
      targetOptions: {
        'fault-context-length': { contextWindow: 128_000 },
        'healthy-small': { contextWindow: 32_000 },
        'healthy-large': { contextWindow: 1_000_000 },
      },
    });

    const result = await rig.router.generate('generate', request);

    expect(result.targetId).toBe('healthy-large');
    expect(result.text).toBe(answerOf('healthy-large'));
    expect(result.attempts).toMatchObject([
      { targetId: 'fault-context-length', outcome: 'PROVIDER_BAD_REQUEST', reason: 'context_length' },
      { targetId: 'healthy-large', outcome: 'ok' },
    ]);
    expect(rig.requestsFor('fault-context-length')).toHaveLength(1);
    expect(rig.requestsFor('healthy-small')).toHaveLength(0);
  });

  it('fault-context-length without a larger target: the context-length error, after one request', async () => {
    rig = await startRig(api, ['fault-context-length', 'healthy-small'], {
      targetOptions: { 'fault-context-length': { contextWindow: 128_000 }, 'healthy-small': { contextWindow: 32_000 } },
    });

    const error = await rejectionOf(rig.router.stream('generate', request));

    expect(error.code).toBe('PROVIDER_BAD_REQUEST');
    expect(error.details).toMatchObject({ reason: 'context_length', provider: api });
    expect(error.message).toMatch(/context/);
    expect(rig.fake.requests).toHaveLength(1);
    // A request that does not fit says nothing about the target's health.
    expect(rig.router.getSnapshot().targets['fault-context-length']).toMatchObject({
      circuit: 'closed',
      recentAttempts: 0,
    });
  });

  it('fault-content-policy: stops with the refusal, no retry and no fallback', async () => {
    rig = await startRig(api, ['fault-content-policy', 'healthy-fallback']);

    const error = await rejectionOf(rig.router.stream('generate', request));

    expect(error.code).toBe('PROVIDER_BAD_REQUEST');
    expect(error.isRetryable).toBe(false);
    expect(error.details).toMatchObject({
      reason: 'content_policy',
      attempts: [{ targetId: 'fault-content-policy', outcome: 'PROVIDER_BAD_REQUEST', reason: 'content_policy' }],
    });
    expect(rig.fake.requests).toHaveLength(1);
    expect(rig.requestsFor('healthy-fallback')).toHaveLength(0);
  });
});
