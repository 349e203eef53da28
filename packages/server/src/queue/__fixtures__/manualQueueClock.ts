import type { QueueClock } from '../queueClock.js';

/**
 * A {@link QueueClock} whose time moves only when a test says. `advance` runs the timers that
 * fall due one by one, letting promise callbacks (a handler's continuation, a retry's
 * dispatch) run after each, so async work interleaves with time as it would for real.
 */
export interface ManualQueueClock extends QueueClock {
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks run without moving time. */
  settle(): Promise<void>;
  pendingTimers(): number[];
}

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createManualQueueClock(startAt = Date.UTC(2025, 0, 1)): ManualQueueClock {
  let time = startAt;
  let nextId = 0;
  let timers: Timer[] = [];

  async function settle(): Promise<void> {
    // A few macrotask turns flush chains of promise callbacks of any practical depth.
    for (let turn = 0; turn < 5; turn += 1) await macrotask();
  }

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
    async advance(ms) {
      const until = time + Math.max(0, ms);
      await settle();
      for (;;) {
        const due = timers.filter((timer) => timer.at <= until);
        if (due.length === 0) break;
        const next = due.reduce((soonest, timer) => (timer.at < soonest.at ? timer : soonest));
        timers = timers.filter((timer) => timer !== next);
        time = Math.max(time, next.at);
        next.callback();
        await settle();
      }
      time = until;
      await settle();
    },
    settle,
    pendingTimers: () => timers.map((timer) => timer.at - time).sort((a, b) => a - b),
  };
}
