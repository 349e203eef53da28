import { FragmentkitError } from '@fragmentkit/core';

/**
 * Estimates the `q`-quantile (0 ≤ q ≤ 1) of a histogram from its cumulative buckets, the way
 * Prometheus' `histogram_quantile` does: find the bucket the rank falls into and interpolate
 * linearly inside it, assuming observations spread evenly there. The first bucket starts at 0
 * (or at its own bound when that is not positive); a rank in the `+Inf` bucket answers the
 * highest finite bound, since nothing is known above it. The error is at most the width of
 * the bucket, so choose buckets around the values you care about. `undefined` when empty.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when `q` is not within [0, 1].
 *
 * @example
 * ```ts
 * import { estimateQuantile } from '@fragmentkit/server';
 *
 * // 10 observations: 2 up to 0.1 s, 6 more up to 0.5 s, 2 more up to 1 s.
 * const buckets = [{ le: 0.1, count: 2 }, { le: 0.5, count: 8 }, { le: 1, count: 10 }, { le: Infinity, count: 10 }];
 * estimateQuantile(buckets, 0.5); // 0.1 + 0.4 * (5 - 2) / 6 = 0.3
 * ```
 */
export function estimateQuantile(buckets: ReadonlyArray<{ le: number; count: number }>, q: number): number | undefined {
  if (!(q >= 0 && q <= 1)) throw new FragmentkitError('INVALID_REQUEST', `A quantile must be within [0, 1]; got ${q}.`);
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  // Skipping empty buckets makes q = 0 answer where the first observation lies, not 0.
  const index = buckets.findIndex((bucket) => bucket.count >= rank && bucket.count > 0);
  const bucket = buckets[index]!;
  if (bucket.le === Number.POSITIVE_INFINITY) {
    return buckets.findLast((candidate) => Number.isFinite(candidate.le))?.le;
  }
  const previous = buckets[index - 1];
  const lower = previous ? previous.le : Math.min(0, bucket.le);
  const below = previous ? previous.count : 0;
  if (bucket.le <= lower) return bucket.le;
  return lower + ((bucket.le - lower) * (rank - below)) / (bucket.count - below);
}
