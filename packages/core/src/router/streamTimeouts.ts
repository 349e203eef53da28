import { FragmentkitError } from '../errors.js';
import { abortedError, type TimerClock } from './timerClock.js';

/**
 * How long the router waits on a model stream before it gives the attempt up as
 * `PROVIDER_TIMEOUT`, aborts the upstream request and moves to the next target. All three are
 * measured on the router's clock.
 *
 * @example
 * ```ts
 * const timeouts: StreamTimeouts = { headersMs: 10_000, firstTokenMs: 15_000, idleMs: 30_000 };
 * ```
 */
export interface StreamTimeouts {
  /** From sending the request until the provider answers with headers (the model's `stream()` resolves). */
  headersMs: number;
  /** From sending the request until the first event of the answer. */
  firstTokenMs: number;
  /**
   * Longest wait for the next event once the answer is flowing. Only time spent waiting on the
   * provider counts: a consumer that reads slowly never trips it.
   */
  idleMs: number;
}

/**
 * The defaults of {@link StreamTimeouts}: 10 s for headers, 15 s to the first token, 30 s
 * between events.
 *
 * @example
 * ```ts
 * import { createRouter, defaultStreamTimeouts } from '@fragmentkit/core';
 * const router = createRouter({ targets, routes, timeouts: { ...defaultStreamTimeouts, idleMs: 60_000 } });
 * ```
 */
export const defaultStreamTimeouts: Readonly<StreamTimeouts> = Object.freeze({
  headersMs: 10_000,
  firstTokenMs: 15_000,
  idleMs: 30_000,
});

/**
 * Which wait timed out.
 *
 * @example
 * ```ts
 * const phase: TimeoutPhase = 'first-token';
 * ```
 */
export type TimeoutPhase = 'headers' | 'first-token' | 'idle';

const phaseOption: Record<TimeoutPhase, keyof StreamTimeouts> = {
  headers: 'headersMs',
  'first-token': 'firstTokenMs',
  idle: 'idleMs',
};

/**
 * The timeouts that apply to one target: its own overrides over the router's, over the defaults.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when a value is not a positive number.
 *
 * @example
 * ```ts
 * const timeouts = resolveStreamTimeouts("target 'primary'", { firstTokenMs: 20_000 }, { idleMs: 60_000 });
 * ```
 */
export function resolveStreamTimeouts(
  where: string,
  ...layers: ReadonlyArray<Partial<StreamTimeouts> | undefined>
): StreamTimeouts {
  const resolved: StreamTimeouts = { ...defaultStreamTimeouts };
  for (const layer of layers) {
    for (const key of Object.keys(defaultStreamTimeouts) as Array<keyof StreamTimeouts>) {
      const value = layer?.[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !(value > 0)) {
        throw new FragmentkitError(
          'INVALID_REQUEST',
          `${where}: timeouts.${key} must be a positive number of milliseconds, got ${String(value)}.`,
          { details: { option: `timeouts.${key}`, value } },
        );
      }
      resolved[key] = value;
    }
  }
  return resolved;
}

/**
 * Guards the waits of one attempt. A timer that fires aborts the attempt's upstream request
 * and fails whatever the attempt is waiting on with `PROVIDER_TIMEOUT`; the caller's signal
 * fails it with `ABORTED`. Both reach the waiting code through {@link StreamWatchdog.race}.
 *
 * @example
 * ```ts
 * watchdog.arm('idle');
 * try {
 *   return await watchdog.race(reader.read());
 * } finally {
 *   watchdog.disarm('idle');
 * }
 * ```
 */
export interface StreamWatchdog {
  /** Starts (or restarts) the timer of `phase`. */
  arm(phase: TimeoutPhase): void;
  disarm(phase: TimeoutPhase): void;
  /** Settles like `promise`, or rejects first when a timer fires or the caller aborts. */
  race<T>(promise: Promise<T>): Promise<T>;
  /**
   * Why the watchdog tripped, once it has. Aborting the upstream request makes the model's own
   * promises reject too (with `ABORTED`); this is the error that counts.
   */
  readonly error: FragmentkitError | undefined;
  /** Clears every timer and stops listening to the caller's signal. */
  dispose(): void;
}

/**
 * Everything {@link createStreamWatchdog} needs.
 *
 * @example
 * ```ts
 * const options: StreamWatchdogOptions = { clock, timeouts, upstream: new AbortController(), signal, describe: { targetId, provider, model } };
 * ```
 */
export interface StreamWatchdogOptions {
  clock: TimerClock;
  timeouts: StreamTimeouts;
  /** Aborted when the watchdog trips; pass its signal to the upstream request. */
  upstream: AbortController;
  /** The caller's signal. */
  signal: AbortSignal;
  /** Names the target in timeout messages. */
  describe: { targetId: string; provider: string; model: string };
}

/**
 * Creates the watchdog of one attempt. The first trip wins: later timers and aborts change nothing.
 *
 * @example
 * ```ts
 * const watchdog = createStreamWatchdog({ clock, timeouts, upstream, signal, describe });
 * watchdog.arm('headers');
 * const stream = await watchdog.race(model.stream({ ...request, signal: upstream.signal }));
 * ```
 */
export function createStreamWatchdog(options: StreamWatchdogOptions): StreamWatchdog {
  const { clock, timeouts, upstream, signal, describe } = options;
  const timers = new Map<TimeoutPhase, unknown>();
  let trippedBy: FragmentkitError | undefined;
  let trip: (error: FragmentkitError) => void = () => {};
  const tripped = new Promise<never>((_, reject) => {
    trip = reject;
  });
  // Nobody may be racing at the moment it trips; the rejection is still seen by the next race.
  tripped.catch(() => {});

  const fail = (error: FragmentkitError) => {
    if (trippedBy) return;
    trippedBy = error;
    for (const handle of timers.values()) clock.clearTimeout(handle);
    timers.clear();
    // Rejected before the abort, so a race sees this error ahead of the model's own ABORTED.
    trip(error);
    upstream.abort(error);
  };
  const onAbort = () => fail(abortedError(signal.reason));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  return {
    arm(phase) {
      const previous = timers.get(phase);
      if (previous !== undefined) clock.clearTimeout(previous);
      const ms = timeouts[phaseOption[phase]];
      timers.set(
        phase,
        clock.setTimeout(() => fail(timeoutError(phase, ms, describe)), ms),
      );
    },
    disarm(phase) {
      const handle = timers.get(phase);
      if (handle === undefined) return;
      clock.clearTimeout(handle);
      timers.delete(phase);
    },
    race: (promise) => Promise.race([promise, tripped]),
    get error() {
      return trippedBy;
    },
    dispose() {
      for (const handle of timers.values()) clock.clearTimeout(handle);
      timers.clear();
      signal.removeEventListener('abort', onAbort);
    },
  };
}

function timeoutError(phase: TimeoutPhase, ms: number, describe: StreamWatchdogOptions['describe']): FragmentkitError {
  const waitedFor = {
    headers: 'to start answering',
    'first-token': 'to send the first token',
    idle: 'to send the next part of the answer',
  }[phase];
  return new FragmentkitError(
    'PROVIDER_TIMEOUT',
    `${describe.provider} (${describe.model}) took longer than ${ms} ms ${waitedFor}; the request was cancelled. Retry, or raise timeouts.${phaseOption[phase]} for target '${describe.targetId}'.`,
    {
      isRetryable: true,
      details: {
        provider: describe.provider,
        model: describe.model,
        targetId: describe.targetId,
        phase,
        timeoutMs: ms,
      },
    },
  );
}
