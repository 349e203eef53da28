import { describe, expect, it } from 'vitest';
import { createManualClock } from './manualClock.js';

describe('createManualClock', () => {
  it('fires due timers in order, each at its own time', () => {
    const clock = createManualClock(1000);
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
    clock.setTimeout(() => fired.push(['c', clock.now()]), 300);

    clock.advance(250);

    expect(fired).toEqual([
      ['a', 1100],
      ['b', 1200],
    ]);
    expect(clock.now()).toBe(1250);
    expect(clock.pendingTimers()).toEqual([50]);
  });

  it('runs timers scheduled by a timer when they fall within the same advance', () => {
    const clock = createManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 10);
    }, 10);

    clock.advance(25);

    expect(fired).toEqual([10, 20]);
  });

  it('forgets cleared timers', () => {
    const clock = createManualClock();
    let fired = false;
    const handle = clock.setTimeout(() => {
      fired = true;
    }, 10);

    clock.clearTimeout(handle);
    clock.advance(100);

    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toEqual([]);
  });
});
