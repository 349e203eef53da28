import type { ServerSentEvent } from '../sse.js';
import type { Tenant } from '../store/tenantTransaction.js';

/**
 * The events of one keyed run as it goes, for retries of its `Idempotency-Key` that follow it.
 *
 * @example
 * ```ts
 * const run = liveRuns.start(owner, requestId);
 * run.append({ id: '1', event: 'meta', data });
 * run.end();
 * ```
 */
export interface LiveSandboxRun {
  append(event: ServerSentEvent): void;
  end(): void;
}

/**
 * Keyed sandbox runs in progress on this instance, so that a retry with the same
 * `Idempotency-Key` from a client that reads streams follows the run instead of getting 409.
 * A retry that reaches another instance gets 409 and retries until the run's record completes.
 *
 * @example
 * ```ts
 * const events = liveRuns.follow(owner, record.requestId, lastEventId);
 * if (events) return new Response(events.pipeThrough(createServerSentEventEncoder()), { headers: eventStreamHeaders });
 * ```
 */
export interface LiveSandboxRuns {
  start(owner: Tenant, requestId: string): LiveSandboxRun;
  /** The run's events after `after` and then the rest as they come; undefined when it is not running here. */
  follow(owner: Tenant, requestId: string, after: number): ReadableStream<ServerSentEvent> | undefined;
}

interface RunState {
  events: ServerSentEvent[];
  ended: boolean;
  waiters: Set<() => void>;
}

/**
 * Creates the in-process registry of keyed runs; see {@link LiveSandboxRuns}.
 *
 * @example
 * ```ts
 * const liveRuns = createLiveSandboxRuns();
 * ```
 */
export function createLiveSandboxRuns(): LiveSandboxRuns {
  const runs = new Map<string, RunState>();
  const keyOf = (owner: Tenant, requestId: string) => JSON.stringify([owner.teamId, owner.userId, requestId]);

  function wake(state: RunState): void {
    const waiters = [...state.waiters];
    state.waiters.clear();
    for (const waiter of waiters) waiter();
  }

  return {
    start(owner, requestId) {
      const key = keyOf(owner, requestId);
      const state: RunState = { events: [], ended: false, waiters: new Set() };
      runs.set(key, state);
      return {
        append(event) {
          state.events.push(event);
          wake(state);
        },
        end() {
          state.ended = true;
          if (runs.get(key) === state) runs.delete(key);
          wake(state);
        },
      };
    },
    follow(owner, requestId, after) {
      const state = runs.get(keyOf(owner, requestId));
      if (!state) return undefined;
      // Ids run 1, 2, 3…, so the event after id `after` is at index `after`.
      let position = Math.min(after, state.events.length);
      let waiter: (() => void) | undefined;
      return new ReadableStream<ServerSentEvent>(
        {
          async pull(controller) {
            while (position >= state.events.length && !state.ended) {
              await new Promise<void>((resolve) => {
                waiter = resolve;
                state.waiters.add(resolve);
              });
            }
            if (position < state.events.length) controller.enqueue(state.events[position++]!);
            else controller.close();
          },
          cancel() {
            if (waiter) state.waiters.delete(waiter);
          },
        },
        { highWaterMark: 0 },
      );
    },
  };
}
