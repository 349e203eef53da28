import { describe, expect, it } from 'vitest';
import { createLatencyStats } from './latencyStats.js';

describe('createLatencyStats', () => {
  it('reports nothing before any sample', () => {
    const stats = createLatencyStats();

    expect(stats.timeToFirstToken()).toBeUndefined();
    expect(stats.errorRate()).toBe(0);
    expect(stats.attempts()).toBe(0);
  });

  it('computes nearest-rank p50 and p95', () => {
    const stats = createLatencyStats();
    for (let ms = 1; ms <= 100; ms += 1) stats.recordSuccess(ms, ms * 10);

    expect(stats.timeToFirstToken()).toEqual({ p50: 50, p95: 95, samples: 100 });
    expect(stats.total()).toEqual({ p50: 500, p95: 950, samples: 100 });
  });

  it('keeps only the last `capacity` samples, so memory stays flat', () => {
    const stats = createLatencyStats(4);
    for (const ms of [1000, 1000, 1000, 1000, 1, 2, 3]) stats.recordSuccess(ms, ms);
    stats.recordFailure();

    expect(stats.timeToFirstToken()).toEqual({ p50: 2, p95: 1000, samples: 4 });
    expect(stats.attempts()).toBe(4);
    expect(stats.errorRate()).toBe(0.25);
  });
});
