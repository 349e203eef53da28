import type { RateLimitRule } from './rateLimitPolicy.js';
import type { RateLimitConsumption, RateLimitRequest, RateLimitUsage } from './rateLimitStore.js';

/*
 * The sliding window as an exact log of admitted requests, for the memory store. The Redis
 * script in redisRateLimitScripts.ts applies the same rules to a sorted set; keep the two in
 * step (the store contract suite runs against both).
 *
 * A request spent at `at` counts while now < at + windowMs, i.e. the window is (now - windowMs, now].
 */

interface LogEntry {
  at: number;
  cost: number;
  id: string;
}

/** The admitted requests of one key, oldest first. */
export interface SlidingWindowLog {
  entries: LogEntry[];
}

export function consumeFromLog(
  log: SlidingWindowLog,
  rule: RateLimitRule,
  request: RateLimitRequest,
): RateLimitConsumption {
  prune(log, rule, request.now);
  const used = usedUnits(log);
  if (used + request.cost > rule.limit) {
    return {
      allowed: false,
      ...usageOf(log, rule, request.now),
      retryAfterMs: retryAfterMs(log, rule, request, used),
    };
  }
  insert(log, { at: request.now, cost: request.cost, id: request.id });
  return { allowed: true, ...usageOf(log, rule, request.now), retryAfterMs: 0 };
}

export function refundToLog(log: SlidingWindowLog, rule: RateLimitRule, request: RateLimitRequest): RateLimitUsage {
  prune(log, rule, request.now);
  const index = log.entries.findIndex((entry) => entry.id === request.id);
  if (index >= 0) log.entries.splice(index, 1);
  return usageOf(log, rule, request.now);
}

/** When the newest entry leaves the window; the log holds nothing worth keeping after that. */
export function logExpiresAt(log: SlidingWindowLog, rule: RateLimitRule): number {
  const newest = log.entries.at(-1);
  return newest ? newest.at + rule.windowMs : Number.NEGATIVE_INFINITY;
}

function prune(log: SlidingWindowLog, rule: RateLimitRule, now: number): void {
  let expired = 0;
  while (expired < log.entries.length && log.entries[expired]!.at <= now - rule.windowMs) expired += 1;
  if (expired > 0) log.entries.splice(0, expired);
}

function insert(log: SlidingWindowLog, entry: LogEntry): void {
  let index = log.entries.length;
  while (index > 0 && log.entries[index - 1]!.at > entry.at) index -= 1;
  log.entries.splice(index, 0, entry);
}

function usedUnits(log: SlidingWindowLog): number {
  let used = 0;
  for (const entry of log.entries) used += entry.cost;
  return used;
}

function usageOf(log: SlidingWindowLog, rule: RateLimitRule, now: number): RateLimitUsage {
  // A lowered limit (a plan downgrade) can leave more in the window than the limit allows.
  return {
    remaining: Math.max(0, rule.limit - usedUnits(log)),
    resetMs: Math.max(0, logExpiresAt(log, rule) - now),
  };
}

/** The time until enough of the oldest entries leave the window for the request to fit. */
function retryAfterMs(log: SlidingWindowLog, rule: RateLimitRule, request: RateLimitRequest, used: number): number {
  const excess = used + request.cost - rule.limit;
  let freed = 0;
  for (const entry of log.entries) {
    freed += entry.cost;
    if (freed >= excess) return entry.at + rule.windowMs - request.now;
  }
  return rule.windowMs;
}
