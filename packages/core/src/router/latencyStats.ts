/**
 * The median and 95th percentile of recent samples, in milliseconds.
 *
 * @example
 * ```ts
 * const { p50, p95 } = router.getSnapshot().targets.primary?.timeToFirstTokenMs ?? { p50: 0, p95: 0 };
 * ```
 */
export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  /** Samples the percentiles are computed from (at most the reservoir size). */
  readonly samples: number;
}

/**
 * Recent attempts of one target, in fixed-size rings, so memory stays flat however long the router runs.
 *
 * @example
 * ```ts
 * stats.recordSuccess(420, 3100);
 * stats.timeToFirstToken(); // { p50: 420, p95: 420, samples: 1 }
 * ```
 */
export interface LatencyStats {
  /** A finished answer: time to its first token and in total. */
  recordSuccess(timeToFirstTokenMs: number, totalMs: number): void;
  /** A failure that says something about the target's health. */
  recordFailure(): void;
  /** Share of failures among the recent attempts, 0 without any. */
  errorRate(): number;
  /** Recent attempts counted in {@link LatencyStats.errorRate}. */
  attempts(): number;
  timeToFirstToken(): LatencySummary | undefined;
  total(): LatencySummary | undefined;
}

/** Keeps the last `capacity` samples; older ones are overwritten. */
function createRing<T>(capacity: number) {
  const items: T[] = [];
  let next = 0;
  return {
    add(item: T) {
      items[next] = item;
      next = (next + 1) % capacity;
    },
    values: (): readonly T[] => items,
  };
}

/**
 * Creates the latency and error-rate record of one target. `capacity` bounds each ring: the
 * last `capacity` attempts for the error rate, the last `capacity` answers for latencies.
 *
 * @example
 * ```ts
 * const stats = createLatencyStats(50);
 * stats.recordFailure();
 * stats.errorRate(); // 1
 * ```
 */
export function createLatencyStats(capacity = 100): LatencyStats {
  const outcomes = createRing<boolean>(capacity);
  const firstToken = createRing<number>(capacity);
  const totals = createRing<number>(capacity);
  return {
    recordSuccess(timeToFirstTokenMs, totalMs) {
      outcomes.add(true);
      firstToken.add(timeToFirstTokenMs);
      totals.add(totalMs);
    },
    recordFailure() {
      outcomes.add(false);
    },
    errorRate() {
      const values = outcomes.values();
      return values.length === 0 ? 0 : values.filter((ok) => !ok).length / values.length;
    },
    attempts: () => outcomes.values().length,
    timeToFirstToken: () => summarize(firstToken.values()),
    total: () => summarize(totals.values()),
  };
}

/** Nearest-rank percentiles over a sorted copy; with at most a few hundred samples that is cheap. */
function summarize(samples: readonly number[]): LatencySummary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (percentile: number) => sorted[Math.max(0, Math.ceil(percentile * sorted.length) - 1)] ?? 0;
  return { p50: rank(0.5), p95: rank(0.95), samples: sorted.length };
}
