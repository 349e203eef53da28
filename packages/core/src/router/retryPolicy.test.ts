import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import {
  backoffDelayMs,
  decideAfterFailure,
  defaultRetryOptions,
  type FailureContext,
  resolveRetryOptions,
} from './retryPolicy.js';

const context: FailureContext = { attemptNumber: 1, retry: { ...defaultRetryOptions }, random: () => 0.5 };
const error = (code: FragmentkitError['code'], details?: Record<string, unknown>) =>
  new FragmentkitError(code, code, details ? { details } : {});

describe('decideAfterFailure', () => {
  it.each([
    ['PROVIDER_UNAVAILABLE', { type: 'retry', delayMs: 250 }],
    ['PROVIDER_RATE_LIMITED', { type: 'retry', delayMs: 250 }],
    ['STREAM_INCOMPLETE', { type: 'retry', delayMs: 250 }],
    ['PROVIDER_TIMEOUT', { type: 'next-target' }],
    ['PROVIDER_AUTH', { type: 'next-target' }],
    ['PROVIDER_BAD_REQUEST', { type: 'next-target' }],
    ['PROVIDER_NOT_CONFIGURED', { type: 'next-target' }],
    ['INTERNAL', { type: 'next-target' }],
    ['ABORTED', { type: 'stop' }],
  ] as const)('%s → %o', (code, action) => {
    expect(decideAfterFailure(error(code), context)).toEqual(action);
  });

  it('reads the reason of a bad request', () => {
    expect(decideAfterFailure(error('PROVIDER_BAD_REQUEST', { reason: 'context_length' }), context)).toEqual({
      type: 'larger-context',
    });
    expect(decideAfterFailure(error('PROVIDER_BAD_REQUEST', { reason: 'content_policy' }), context)).toEqual({
      type: 'stop',
    });
  });

  it('waits exactly retryAfterMs up to the cap, and moves on beyond it', () => {
    const limited = (retryAfterMs: number) => error('PROVIDER_RATE_LIMITED', { retryAfterMs });

    expect(decideAfterFailure(limited(20_000), context)).toEqual({ type: 'retry', delayMs: 20_000 });
    expect(decideAfterFailure(limited(20_001), context)).toEqual({ type: 'next-target' });
    expect(decideAfterFailure(error('PROVIDER_UNAVAILABLE', { retryAfterMs: 700 }), context)).toEqual({
      type: 'retry',
      delayMs: 700,
    });
  });

  it('moves on once the target used its attempts, or after output was streamed', () => {
    expect(decideAfterFailure(error('PROVIDER_UNAVAILABLE'), { ...context, attemptNumber: 2 })).toEqual({
      type: 'next-target',
    });
    expect(decideAfterFailure(error('STREAM_INCOMPLETE'), { ...context, outputEmitted: true })).toEqual({
      type: 'next-target',
    });
  });
});

describe('backoffDelayMs', () => {
  const retry = { ...defaultRetryOptions, minDelayMs: 100, maxDelayMs: 1000 };

  it('draws up to min(maxDelayMs, minDelayMs × 2^(n-1)) with full jitter', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, retry, () => 0.999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelayMs(3, retry, () => 0)).toBe(0);
    expect(backoffDelayMs(3, retry, () => 0.25)).toBe(100);
  });

  it('keeps a misbehaving random source within bounds', () => {
    expect(backoffDelayMs(1, retry, () => 7)).toBe(100);
    expect(backoffDelayMs(1, retry, () => -1)).toBe(0);
  });
});

describe('resolveRetryOptions', () => {
  it('fills defaults and ignores undefined values', () => {
    expect(resolveRetryOptions({ attempts: 3, minDelayMs: undefined })).toEqual({
      ...defaultRetryOptions,
      attempts: 3,
    });
  });

  it.each([{ attempts: 0 }, { attempts: 1.5 }, { minDelayMs: -1 }, { maxRetryAfterMs: Number.NaN }])(
    'rejects %o with INVALID_REQUEST',
    (options) => {
      expect(() => resolveRetryOptions(options)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    },
  );
});
