import { describe, expect, it } from 'vitest';
import { createManualClock } from './manualClock.js';
import { sleep } from './timerClock.js';

describe('sleep', () => {
  it('resolves when the clock has advanced by the delay', async () => {
    const clock = createManualClock();
    let done = false;
    const waiting = sleep(clock, 100).then(() => {
      done = true;
    });

    clock.advance(99);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await waiting;

    expect(done).toBe(true);
  });

  it('rejects with ABORTED and clears its timer when the signal aborts', async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    const waiting = sleep(clock, 100, controller.signal);

    controller.abort();

    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    expect(clock.pendingTimers()).toEqual([]);
    await expect(sleep(clock, 100, controller.signal)).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
