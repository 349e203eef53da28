import type { BreakerState, BreakerTargetSnapshot } from './breakerStore.js';
import type { CircuitBreaker } from './circuitBreaker.js';
import { createLatencyStats, type LatencyStats, type LatencySummary } from './latencyStats.js';
import type { RouteTarget } from './routeTarget.js';

/**
 * How one target has been doing, as a UI or a health check shows it.
 *
 * @example
 * ```ts
 * const health: RouterTargetHealth = router.getSnapshot().targets.primary!;
 * if (health.circuit !== 'closed') console.log(`${health.targetId} is ${health.circuit}: ${health.lastError?.message}`);
 * ```
 */
export interface RouterTargetHealth {
  readonly targetId: string;
  /** Known once the target's model exists (a factory target learns it on first use). */
  readonly provider: string | undefined;
  readonly model: string | undefined;
  /** The circuit breaker's state for the target. */
  readonly circuit: BreakerState;
  /** When an open circuit admits a call again. */
  readonly retryAt: number | undefined;
  /** Share of failed attempts among the recent ones (bad requests and aborts not counted). */
  readonly recentErrorRate: number;
  /** Attempts behind {@link RouterTargetHealth.recentErrorRate}, at most the sample size. */
  readonly recentAttempts: number;
  /** Time from sending a request to its first token, over recent answers. */
  readonly timeToFirstTokenMs: LatencySummary | undefined;
  /** Time from sending a request to the end of its answer, over recent answers. */
  readonly totalMs: LatencySummary | undefined;
  readonly lastError: { readonly code: string; readonly message: string; readonly at: number } | undefined;
}

/**
 * Which target answered a task last. `fallback` is true when it was not the first target of
 * the task's route, so a UI can say "answering with the fallback model".
 *
 * @example
 * ```ts
 * const answeredBy = router.getSnapshot().lastAnsweredBy.generate;
 * if (answeredBy?.fallback) banner(`Answering with ${answeredBy.model}`);
 * ```
 */
export interface RouterAnsweredBy {
  readonly targetId: string;
  readonly provider: string;
  readonly model: string;
  readonly fallback: boolean;
  readonly at: number;
}

/**
 * The router's health at a moment. A new object after every change, never mutated, so it
 * works with `useSyncExternalStore`.
 *
 * @example
 * ```ts
 * const snapshot: RouterSnapshot = router.getSnapshot();
 * const unhealthy = Object.values(snapshot.targets).filter((target) => target.circuit !== 'closed');
 * ```
 */
export interface RouterSnapshot {
  readonly targets: Readonly<Record<string, RouterTargetHealth>>;
  /** Task → the target that answered it last. */
  readonly lastAnsweredBy: Readonly<Record<string, RouterAnsweredBy>>;
}

/**
 * One attempt as the health record sees it.
 *
 * @example
 * ```ts
 * health.record('primary', { type: 'success', timeToFirstTokenMs: 420, totalMs: 3100 });
 * ```
 */
export type HealthEvent =
  | { type: 'success'; timeToFirstTokenMs: number; totalMs: number }
  | { type: 'failure'; code: string; message: string; countsAgainstTarget: boolean };

/**
 * The router's observable health: per-target stats plus the breaker's view, behind one snapshot.
 *
 * @example
 * ```ts
 * const unsubscribe = health.subscribe(() => render(health.getSnapshot()));
 * ```
 */
export interface RouterHealth {
  record(targetId: string, event: HealthEvent): void;
  answered(task: string, answeredBy: RouterAnsweredBy): void;
  getSnapshot(): RouterSnapshot;
  subscribe(listener: () => void): () => void;
}

/**
 * Creates the health record of one router's targets. It listens to the breaker only while
 * someone listens to it, so a router built per request never leaks a listener on a shared breaker.
 *
 * @example
 * ```ts
 * const health = createRouterHealth({ targets, breaker, now: () => clock.now(), sampleSize: 100 });
 * ```
 */
export function createRouterHealth(options: {
  targets: readonly RouteTarget[];
  breaker: CircuitBreaker;
  now: () => number;
  sampleSize: number;
}): RouterHealth {
  const { breaker, now } = options;
  const stats = new Map<string, LatencyStats>(
    options.targets.map((target) => [target.id, createLatencyStats(options.sampleSize)]),
  );
  const lastErrors = new Map<string, RouterTargetHealth['lastError']>();
  const listeners = new Set<() => void>();
  let lastAnsweredBy: Readonly<Record<string, RouterAnsweredBy>> = Object.freeze({});
  let version = 0;
  let built: { version: number; breakerTargets: BreakerSnapshotTargets; snapshot: RouterSnapshot } | undefined;
  let unsubscribeBreaker: (() => void) | undefined;

  function entryOf(target: RouteTarget, circuit: BreakerTargetSnapshot | undefined): RouterTargetHealth {
    const targetStats = stats.get(target.id);
    const { provider, model } = target.describe();
    return Object.freeze({
      targetId: target.id,
      provider,
      model,
      circuit: circuit?.state ?? 'closed',
      retryAt: circuit?.retryAt,
      recentErrorRate: targetStats?.errorRate() ?? 0,
      recentAttempts: targetStats?.attempts() ?? 0,
      timeToFirstTokenMs: freeze(targetStats?.timeToFirstToken()),
      totalMs: freeze(targetStats?.total()),
      lastError: lastErrors.get(target.id),
    });
  }

  function getSnapshot(): RouterSnapshot {
    const breakerTargets = breaker.getSnapshot().targets;
    if (built && built.version === version && sameCircuits(built.breakerTargets, breakerTargets)) return built.snapshot;
    const targets = Object.fromEntries(
      options.targets.map((target) => [target.id, entryOf(target, breakerTargets[target.id])]),
    );
    const snapshot = Object.freeze({ targets: Object.freeze(targets), lastAnsweredBy });
    built = { version, breakerTargets, snapshot };
    return snapshot;
  }

  function sameCircuits(a: BreakerSnapshotTargets, b: BreakerSnapshotTargets): boolean {
    return options.targets.every((target) => a[target.id] === b[target.id]);
  }

  function changed(): void {
    version += 1;
    for (const listener of [...listeners]) listener();
  }

  return {
    record(targetId, event) {
      const targetStats = stats.get(targetId);
      if (event.type === 'success') {
        targetStats?.recordSuccess(event.timeToFirstTokenMs, event.totalMs);
      } else {
        if (event.countsAgainstTarget) targetStats?.recordFailure();
        lastErrors.set(targetId, Object.freeze({ code: event.code, message: event.message, at: now() }));
      }
      changed();
    },
    answered(task, answeredBy) {
      lastAnsweredBy = Object.freeze({ ...lastAnsweredBy, [task]: Object.freeze({ ...answeredBy }) });
      changed();
    },
    getSnapshot,
    subscribe(listener) {
      listeners.add(listener);
      // Listening to a shared breaker only while someone listens here keeps short-lived routers from leaking listeners.
      unsubscribeBreaker ??= breaker.subscribe(() => {
        if (!built || !sameCircuits(built.breakerTargets, breaker.getSnapshot().targets)) changed();
      });
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          unsubscribeBreaker?.();
          unsubscribeBreaker = undefined;
        }
      };
    },
  };
}

type BreakerSnapshotTargets = ReturnType<CircuitBreaker['getSnapshot']>['targets'];

function freeze(summary: LatencySummary | undefined): LatencySummary | undefined {
  return summary && Object.freeze({ ...summary });
}
