import type { TimerClock } from './timerClock.js';

/**
 * A {@link TimerClock} whose time moves only when told to. See {@link createManualClock}.
 *
 * @example
 * ```ts
 * const clock = createManualClock();
 * clock.setTimeout(() => console.log('fired'), 1000);
 * clock.pendingTimers(); // [1000]
 * clock.advance(1000); // logs 'fired'
 * ```
 */
export interface ManualClock extends TimerClock {
  /** Moves time forward by `ms`, running every timer that falls due on the way, in order. */
  advance(ms: number): void;
  /** How long until each scheduled timer fires, soonest first. */
  pendingTimers(): number[];
}

interface ScheduledTimer {
  id: number;
  at: number;
  callback: () => void;
}

/**
 * Creates a clock for tests: `now()` starts at `startAt` and moves only with `advance`, which
 * also runs the timers that fall due, so backoff waits and timeouts happen exactly when a test
 * says and never depend on how fast the machine is.
 *
 * @example
 * ```ts
 * import { createManualClock, createRouter } from '@fragmentkit/core';
 *
 * const clock = createManualClock(Date.UTC(2025, 0, 1));
 * const router = createRouter({ targets, routes, clock });
 * const answer = router.generate('generate', request);
 * // ... once the first attempt was rate limited with retry-after: 1
 * clock.advance(1000); // the retry goes out now, not before
 * ```
 */
export function createManualClock(startAt = 0): ManualClock {
  let time = startAt;
  let nextId = 0;
  let timers: ScheduledTimer[] = [];

  return {
    now: () => time,
    setTimeout(callback, delayMs) {
      nextId += 1;
      timers.push({ id: nextId, at: time + Math.max(0, delayMs), callback });
      return nextId;
    },
    clearTimeout(handle) {
      timers = timers.filter((timer) => timer.id !== handle);
    },
    advance(ms) {
      const until = time + Math.max(0, ms);
      for (;;) {
        const due = timers.filter((timer) => timer.at <= until);
        if (due.length === 0) break;
        const next = due.reduce((soonest, timer) => (timer.at < soonest.at ? timer : soonest));
        timers = timers.filter((timer) => timer !== next);
        time = Math.max(time, next.at);
        next.callback();
      }
      time = until;
    },
    pendingTimers: () => timers.map((timer) => timer.at - time).sort((a, b) => a - b),
  };
}
