import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { createManualClock } from './manualClock.js';
import { createStreamWatchdog, defaultStreamTimeouts, resolveStreamTimeouts } from './streamTimeouts.js';

const describeTarget = { targetId: 'primary', provider: 'anthropic', model: 'claude-test' };

function watchdog(signal = new AbortController().signal) {
  const clock = createManualClock();
  const upstream = new AbortController();
  const guard = createStreamWatchdog({
    clock,
    timeouts: { headersMs: 100, firstTokenMs: 200, idleMs: 50 },
    upstream,
    signal,
    describe: describeTarget,
  });
  return { clock, upstream, guard };
}

describe('resolveStreamTimeouts', () => {
  it('layers target overrides over router options over defaults', () => {
    expect(resolveStreamTimeouts('t', { idleMs: 5 }, { idleMs: 7, headersMs: 3 })).toEqual({
      ...defaultStreamTimeouts,
      headersMs: 3,
      idleMs: 7,
    });
  });

  it.each([0, -1, Number.NaN, '10'])('rejects %o with INVALID_REQUEST', (value) => {
    expect(() => resolveStreamTimeouts('t', { firstTokenMs: value as number })).toThrow(
      expect.objectContaining({
        code: 'INVALID_REQUEST',
        details: expect.objectContaining({ option: 'timeouts.firstTokenMs' }),
      }),
    );
  });
});

describe('createStreamWatchdog', () => {
  it('fails the wait with PROVIDER_TIMEOUT and aborts upstream when a timer fires', async () => {
    const { clock, upstream, guard } = watchdog();
    guard.arm('headers');
    const waiting = guard.race(new Promise(() => {}));

    clock.advance(100);
    const error = await waiting.catch((reason: unknown) => reason);

    expect(FragmentkitError.isInstance(error) && error.code).toBe('PROVIDER_TIMEOUT');
    expect((error as FragmentkitError).details).toMatchObject({
      phase: 'headers',
      timeoutMs: 100,
      targetId: 'primary',
    });
    expect(upstream.signal.aborted).toBe(true);
    expect(guard.error).toBe(error);
  });

  it('wins the race against the ABORTED the upstream abort causes', async () => {
    const { clock, upstream, guard } = watchdog();
    const model = new Promise((_, reject) =>
      upstream.signal.addEventListener('abort', () => reject(new FragmentkitError('ABORTED', 'aborted'))),
    );
    guard.arm('idle');
    const waiting = guard.race(model);

    clock.advance(50);

    await expect(waiting).rejects.toMatchObject({ code: 'PROVIDER_TIMEOUT' });
  });

  it('restarts a timer on arm and stays quiet once disarmed', async () => {
    const { clock, guard } = watchdog();
    guard.arm('idle');
    clock.advance(40);
    guard.arm('idle');
    clock.advance(40);
    guard.disarm('idle');
    clock.advance(1000);

    await expect(guard.race(Promise.resolve('ok'))).resolves.toBe('ok');
    expect(guard.error).toBeUndefined();
  });

  it('fails with ABORTED when the caller aborts', async () => {
    const caller = new AbortController();
    const { upstream, guard } = watchdog(caller.signal);
    const waiting = guard.race(new Promise(() => {}));

    caller.abort();

    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    expect(upstream.signal.aborted).toBe(true);
  });
});
