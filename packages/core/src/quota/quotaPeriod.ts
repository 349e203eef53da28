/**
 * The periods a quota limit can cover: the UTC calendar day or the UTC calendar month.
 *
 * @example
 * ```ts
 * import type { QuotaPeriod } from '@fragmentkit/core';
 * const period: QuotaPeriod = 'month';
 * ```
 */
export type QuotaPeriod = 'day' | 'month';

/** The period containing a moment: its id (`2026-06-01`, `2026-06`) and when the next one starts. */
export interface QuotaPeriodWindow {
  id: string;
  resetAt: number;
}

/**
 * The UTC day or month that contains `now`. A period starts at 00:00:00.000 UTC of its first
 * day and ends exactly when the next starts, so `now === resetAt` already belongs to the next
 * period.
 */
export function quotaPeriodWindow(period: QuotaPeriod, now: number): QuotaPeriodWindow {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const isoDate = date.toISOString();
  if (period === 'day') {
    return { id: isoDate.slice(0, 10), resetAt: Date.UTC(year, month, date.getUTCDate() + 1) };
  }
  return { id: isoDate.slice(0, 7), resetAt: Date.UTC(year, month + 1, 1) };
}
