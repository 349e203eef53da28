import type {
  BreakerConfig,
  BreakerErrorSummary,
  BreakerOutcome,
  BreakerState,
  BreakerTargetSnapshot,
  BreakerTicket,
} from './breakerStore.js';

/*
 * The circuit breaker's state machine, written once for every store. The memory store runs
 * it directly; the Redis store runs a line-by-line Lua mirror (src/redis/breakerStoreScript.ts)
 * over the same record shape, and one contract suite holds both to the same behaviour.
 */

/** The window is kept as this many slices, so its size stays bounded whatever the traffic. */
export const windowSlices = 60;

/** The persisted state of one target. Plain JSON, so the Redis store can keep the same shape. */
export interface BreakerRecord {
  state: BreakerState;
  /** Window slice index → [calls, failures]. */
  window: Record<string, [number, number]>;
  /** Counts closed periods; a call ticket from an earlier one is stale. */
  generation: number;
  consecutiveOpens: number;
  openedAt?: number;
  retryAt?: number;
  /** Probe id → when it was admitted. */
  probes: Record<string, number>;
  probeSuccesses: number;
  /** Never reused, so a stale probe ticket can never match a newer probe. */
  nextProbeId: number;
  lastError?: BreakerErrorSummary;
}

/** A target's state as a store reports it, before {@link toTargetSnapshot} adds the target and failure rate. */
export type BreakerDescription = Omit<
  BreakerTargetSnapshot,
  'target' | 'failureRate' | 'openedAt' | 'retryAt' | 'lastError'
> & { openedAt?: number; retryAt?: number; lastError?: BreakerErrorSummary };

export function createBreakerRecord(generation = 0, nextProbeId = 0): BreakerRecord {
  return {
    state: 'closed',
    window: {},
    generation,
    consecutiveOpens: 0,
    probes: {},
    probeSuccesses: 0,
    nextProbeId,
  };
}

function sliceOf(time: number, config: BreakerConfig): number {
  return Math.floor(time / Math.ceil(config.windowMs / windowSlices));
}

function windowTotals(record: BreakerRecord): { calls: number; failures: number } {
  let calls = 0;
  let failures = 0;
  for (const [sliceCalls, sliceFailures] of Object.values(record.window)) {
    calls += sliceCalls;
    failures += sliceFailures;
  }
  return { calls, failures };
}

function openFor(record: BreakerRecord, now: number, durationMs: number): void {
  record.state = 'open';
  record.openedAt = now;
  record.retryAt = now + durationMs;
  record.probes = {};
  record.probeSuccesses = 0;
}

function tripOnFailures(record: BreakerRecord, now: number, config: BreakerConfig): void {
  record.consecutiveOpens += 1;
  const durationMs = Math.min(config.resetTimeoutMs * 2 ** (record.consecutiveOpens - 1), config.maxResetTimeoutMs);
  openFor(record, now, durationMs);
}

function close(record: BreakerRecord): void {
  record.state = 'closed';
  record.window = {};
  record.generation += 1;
  record.consecutiveOpens = 0;
  record.openedAt = undefined;
  record.retryAt = undefined;
  record.probes = {};
  record.probeSuccesses = 0;
}

function countResult(record: BreakerRecord, failed: boolean, now: number, config: BreakerConfig): void {
  const slice = String(sliceOf(now, config));
  const [calls, failures] = record.window[slice] ?? [0, 0];
  record.window[slice] = [calls + 1, failures + (failed ? 1 : 0)];
  const totals = windowTotals(record);
  if (
    totals.failures >= config.failureThreshold ||
    (totals.calls >= config.minimumVolume && totals.failures / totals.calls >= config.failureRateThreshold)
  ) {
    tripOnFailures(record, now, config);
  }
}

function noteError(record: BreakerRecord, error: BreakerErrorSummary | undefined): void {
  if (error) record.lastError = { code: error.code, message: error.message };
}

function isCurrentCall(record: BreakerRecord, ticket: BreakerTicket): boolean {
  return record.state === 'closed' && ticket.kind === 'call' && ticket.generation === record.generation;
}

function isLiveProbe(record: BreakerRecord, ticket: BreakerTicket): ticket is { kind: 'probe'; probeId: string } {
  return record.state === 'half-open' && ticket.kind === 'probe' && record.probes[ticket.probeId] !== undefined;
}

function releaseProbe(record: BreakerRecord, probeId: string): void {
  record.probes = Object.fromEntries(Object.entries(record.probes).filter(([id]) => id !== probeId));
}

/** Applies what time alone changes: a due open circuit turns half-open, stale probes and window slices drop out. */
export function advance(record: BreakerRecord, now: number, config: BreakerConfig): void {
  if (record.state === 'open' && now >= (record.retryAt ?? now)) {
    record.state = 'half-open';
    record.probes = {};
    record.probeSuccesses = 0;
  }
  if (record.state === 'half-open') {
    record.probes = Object.fromEntries(
      Object.entries(record.probes).filter(([, acquiredAt]) => acquiredAt + config.probeTimeoutMs > now),
    );
  }
  const oldestSlice = sliceOf(now, config) - windowSlices;
  record.window = Object.fromEntries(Object.entries(record.window).filter(([slice]) => Number(slice) > oldestSlice));
}

/** Admits a call or a probe, or nothing. Expects {@link advance} to have run at `now`. */
export function acquire(record: BreakerRecord, now: number, config: BreakerConfig): BreakerTicket | undefined {
  if (record.state === 'closed') return { kind: 'call', generation: record.generation };
  if (record.state === 'half-open' && Object.keys(record.probes).length < config.halfOpenMaxProbes) {
    const probeId = String(record.nextProbeId);
    record.nextProbeId += 1;
    record.probes[probeId] = now;
    return { kind: 'probe', probeId };
  }
  return undefined;
}

/** Applies the outcome of the call `ticket` admitted. Expects {@link advance} to have run at `now`. */
export function recordResult(
  record: BreakerRecord,
  ticket: BreakerTicket,
  outcome: BreakerOutcome,
  now: number,
  config: BreakerConfig,
): void {
  if (record.state === 'disabled') return;
  switch (outcome.type) {
    case 'disable':
      // Bad credentials stay bad whenever the call started, so this applies to stale tickets too.
      noteError(record, outcome.error);
      record.state = 'disabled';
      record.openedAt = now;
      record.retryAt = undefined;
      record.probes = {};
      record.probeSuccesses = 0;
      return;
    case 'rate-limited': {
      // The target's own word on when to come back is current whichever call heard it.
      noteError(record, outcome.error);
      const until = now + outcome.retryAfterMs;
      if (record.state !== 'open') openFor(record, now, outcome.retryAfterMs);
      else if ((record.retryAt ?? now) < until) record.retryAt = until;
      return;
    }
    case 'failure':
      if (isCurrentCall(record, ticket)) {
        noteError(record, outcome.error);
        countResult(record, true, now, config);
      } else if (isLiveProbe(record, ticket)) {
        noteError(record, outcome.error);
        tripOnFailures(record, now, config);
      }
      return;
    case 'success':
      if (isCurrentCall(record, ticket)) {
        countResult(record, false, now, config);
      } else if (isLiveProbe(record, ticket)) {
        releaseProbe(record, ticket.probeId);
        record.probeSuccesses += 1;
        if (record.probeSuccesses >= config.successesToClose) close(record);
      }
      return;
    case 'ignore':
      if (isLiveProbe(record, ticket)) releaseProbe(record, ticket.probeId);
      return;
  }
}

/** A fresh closed record that keeps counting generations and probe ids, so older tickets stay stale. */
export function resetRecord(record: BreakerRecord): BreakerRecord {
  return createBreakerRecord(record.generation + 1, record.nextProbeId);
}

export function describeRecord(record: BreakerRecord, config: BreakerConfig): BreakerDescription {
  const { calls, failures } = windowTotals(record);
  const probeTimes = Object.values(record.probes);
  let retryAt: number | undefined;
  if (record.state === 'open') retryAt = record.retryAt;
  else if (record.state === 'half-open' && probeTimes.length >= config.halfOpenMaxProbes) {
    retryAt = Math.min(...probeTimes) + config.probeTimeoutMs;
  }
  return {
    state: record.state,
    failures,
    calls,
    openedAt: record.openedAt,
    retryAt,
    consecutiveOpens: record.consecutiveOpens,
    probesInFlight: probeTimes.length,
    probeSuccesses: record.probeSuccesses,
    lastError: record.lastError,
  };
}

export function toTargetSnapshot(target: string, description: BreakerDescription): BreakerTargetSnapshot {
  // Every field present, so snapshots from any store have the same keys.
  return {
    target,
    state: description.state,
    failures: description.failures,
    calls: description.calls,
    failureRate: description.calls === 0 ? 0 : description.failures / description.calls,
    openedAt: description.openedAt,
    retryAt: description.retryAt,
    consecutiveOpens: description.consecutiveOpens,
    probesInFlight: description.probesInFlight,
    probeSuccesses: description.probeSuccesses,
    lastError: description.lastError && { code: description.lastError.code, message: description.lastError.message },
  };
}
