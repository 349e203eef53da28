import type { IncidentEvent } from '../incidents/incidentEvent.js';

/** Time as the reporter sees it; tests pass a fake one. */
export interface ReporterClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Counters a host can log or expose on a health page. */
export interface ReporterStats {
  /** Events waiting to be sent, including a batch waiting to be retried. */
  queued: number;
  /** Events the endpoint accepted. */
  sent: number;
  /** Events given up on: queue overflow, rate limiting, retries exhausted, or rejected by the endpoint. */
  dropped: number;
}

export interface TransportOptions {
  endpoint: string;
  key: string;
  fetch: typeof fetch;
  clock: ReporterClock;
  random: () => number;
  maxQueueSize: number;
  maxBatchSize: number;
  flushIntervalMs: number;
  log: (message: string) => void;
}

export interface Transport {
  send(event: IncidentEvent): void;
  /** Sends what is queued now; resolves once the queue is empty or sending has to wait (backoff, quiet period). */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): ReporterStats;
}

interface Batch {
  events: IncidentEvent[];
  attempts: number;
}

const maxRetries = 3;
const backoffBaseMs = 1000;
const backoffMaxMs = 60_000;
const requestTimeoutMs = 30_000;
const defaultQuietMs = 60_000;
// Browsers reject `keepalive` requests whose bodies exceed 64 KiB; bigger batches go without it.
const keepaliveBodyLimit = 64 * 1024;

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number {
  if (value && /^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? defaultQuietMs : Math.max(0, date - now);
}

function unref(handle: unknown): void {
  // Node timers would otherwise keep a host process alive just to report.
  (handle as { unref?: () => void } | undefined)?.unref?.();
}

/**
 * Batches events and POSTs them, one request at a time: a bounded queue that drops the oldest,
 * exponential backoff with full jitter on network errors and 5xx (three retries, then the batch
 * is dropped), a quiet period on 429 as long as `Retry-After` says, and other 4xx dropped.
 */
export function createTransport(options: TransportOptions): Transport {
  const { clock } = options;
  const queue: IncidentEvent[] = [];
  let retry: Batch | undefined;
  let inFlight: Promise<void> | undefined;
  let resumeAt = 0;
  let consecutiveFailures = 0;
  let timer: unknown;
  let timerAt = 0;
  let sent = 0;
  let dropped = 0;
  let closed = false;

  function drop(count: number, reason: string): void {
    dropped += count;
    options.log(`dropped ${count} event(s): ${reason}`);
  }

  // One pending wake-up, the earliest one asked for; `pump` re-checks what it may do when it fires.
  function wakeUpIn(delayMs: number): void {
    if (closed) return;
    const at = clock.now() + delayMs;
    if (timer !== undefined) {
      if (timerAt <= at) return;
      clock.clearTimeout(timer);
    }
    timerAt = at;
    timer = clock.setTimeout(() => {
      timer = undefined;
      pump();
    }, delayMs);
    unref(timer);
  }

  function pump(): void {
    if (inFlight) return;
    const waitMs = resumeAt - clock.now();
    if (waitMs > 0) {
      if (retry || queue.length > 0) wakeUpIn(waitMs);
      return;
    }
    const batch =
      retry ?? (queue.length > 0 ? { events: queue.splice(0, options.maxBatchSize), attempts: 0 } : undefined);
    if (!batch) return;
    retry = undefined;
    inFlight = deliver(batch).then(() => {
      inFlight = undefined;
      if (retry || queue.length >= options.maxBatchSize) pump();
      else if (queue.length > 0) wakeUpIn(options.flushIntervalMs);
    });
  }

  async function deliver(batch: Batch): Promise<void> {
    let status = 0;
    let retryAfter: string | null = null;
    let timeout: unknown;
    try {
      const body = JSON.stringify({ events: batch.events });
      // A request that never settles must not hold the queue: it counts as a network error.
      const timedOut = new Promise<never>((_, reject) => {
        timeout = clock.setTimeout(reject, requestTimeoutMs);
        unref(timeout);
      });
      const response = await Promise.race([
        options.fetch(options.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${options.key}` },
          body,
          keepalive: new TextEncoder().encode(body).length <= keepaliveBodyLimit,
        }),
        timedOut,
      ]);
      status = response.status;
      retryAfter = response.headers.get('retry-after');
    } catch {
      // Network error or timeout: status stays 0.
    } finally {
      clock.clearTimeout(timeout);
    }
    const count = batch.events.length;
    if (status >= 200 && status < 300) {
      consecutiveFailures = 0;
      sent += count;
    } else if (status === 429) {
      resumeAt = clock.now() + parseRetryAfter(retryAfter, clock.now());
      drop(count, 'HTTP 429');
    } else if (status === 0 || status >= 500) {
      consecutiveFailures++;
      // Full jitter: anywhere between 0 and the exponential ceiling, so many clients do not retry in step.
      const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** (consecutiveFailures - 1));
      resumeAt = clock.now() + options.random() * ceiling;
      if (batch.attempts < maxRetries) retry = { events: batch.events, attempts: batch.attempts + 1 };
      else drop(count, status ? `HTTP ${status}` : 'network error');
    } else {
      drop(count, `HTTP ${status}`);
    }
  }

  async function flush(): Promise<void> {
    for (;;) {
      if (inFlight) {
        await inFlight;
        continue;
      }
      if ((!retry && queue.length === 0) || resumeAt > clock.now()) return;
      pump();
    }
  }

  return {
    send(event) {
      if (closed) return;
      queue.push(event);
      if (queue.length > options.maxQueueSize) {
        queue.shift();
        drop(1, 'queue full');
      }
      if (queue.length >= options.maxBatchSize || event.level === 'fatal') pump();
      else wakeUpIn(options.flushIntervalMs);
    },
    flush,
    async close() {
      closed = true;
      await flush();
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
    stats: () => ({ queued: queue.length + (retry?.events.length ?? 0), sent, dropped }),
  };
}
