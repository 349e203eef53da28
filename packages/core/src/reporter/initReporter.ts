import { fingerprint } from '../incidents/fingerprint.js';
import type { IncidentEvent, IncidentLevel } from '../incidents/incidentEvent.js';
import {
  maxEventsPerBatch,
  maxExtraLength,
  maxMessageLength,
  maxMetadataLength,
  maxTagKeyLength,
  maxTags,
  maxTagValueLength,
  maxTypeLength,
} from '../incidents/incidentLimits.js';
import { parseStackTrace, type StackFrame } from '../incidents/parseStackTrace.js';
import { scrubSecrets } from '../incidents/scrubSecrets.js';
import { installGlobalHandlers } from './globalHandlers.js';
import { detectCommitSha, detectRuntime } from './runtimeMetadata.js';
import { createTransport, type ReporterClock, type ReporterStats } from './transport.js';

/** Options for {@link initReporter}. */
export interface ReporterOptions {
  /** The ingest URL, e.g. `https://host/api/fragmentkit/ingest`. In a browser it may be relative to the page. */
  endpoint: string;
  /** The ingest key, sent as `Authorization: Bearer <key>`. */
  key: string;
  release?: string;
  environment?: string;
  /** Defaults to the deploy platform's variable (`VERCEL_GIT_COMMIT_SHA`, `GITHUB_SHA`, ...) when `process.env` exists. */
  commitSha?: string;
  /** Where the code lives, e.g. `github.com/acme/shop`. */
  repository?: string;
  /** Share of events kept, 0 to 1. Default 1. */
  sampleRate?: number;
  /** Last look at each event: return it (changed or not) to send it, `null` to drop it. */
  beforeSend?: (event: IncidentEvent) => IncidentEvent | null;
  /** Events held while waiting to send; the oldest are dropped beyond it. Default 100. */
  maxQueueSize?: number;
  /** Longest wait between an event and its request. Default 2000. */
  flushIntervalMs?: number;
  /** Events per request; a full batch is sent at once. Default 20. */
  maxBatchSize?: number;
  fetch?: typeof fetch;
  random?: () => number;
  clock?: ReporterClock;
  /** Report uncaught errors and unhandled rejections. Default true. */
  captureGlobal?: boolean;
  /** Log drops and failed requests to the console. */
  debug?: boolean;
}

/** Per-call details for {@link Reporter.captureException}. */
export interface CaptureContext {
  /** Default `error`. */
  level?: IncidentLevel;
  tags?: Record<string, string>;
  /** JSON-serialisable data; secrets in strings are redacted. */
  extra?: Record<string, unknown>;
  /** Groups the event by these parts instead of its stack. */
  fingerprint?: string[];
}

/**
 * Captures errors and sends them to the fragmentkit ingest endpoint. No method throws and none
 * blocks: events are queued and sent in the background.
 */
export interface Reporter {
  /** False when the reporter was disabled by its configuration; every method is then a no-op. */
  readonly enabled: boolean;
  /** Reports an error (or anything thrown). @returns the event id, or `undefined` when the event was not kept. */
  captureException(error: unknown, context?: CaptureContext): string | undefined;
  /** Reports a message with no exception behind it. Default level `info`. */
  captureMessage(message: string, level?: IncidentLevel): string | undefined;
  /**
   * Sends what is queued now. Resolves once sent, or as soon as sending has to wait for a backoff
   * or a rate limit; a request the endpoint never answers is abandoned after 30 seconds.
   */
  flush(): Promise<void>;
  /** Removes the global handlers (restoring the previous ones), sends what is queued, and stops. */
  close(): Promise<void>;
  stats(): ReporterStats;
}

const prefix = '[fragmentkit]';

const doNothing = () => undefined;
const settled = () => Promise.resolve();
const disabledReporter: Reporter = {
  enabled: false,
  captureException: doNothing,
  captureMessage: doNothing,
  flush: settled,
  close: settled,
  stats: () => ({ queued: 0, sent: 0, dropped: 0 }),
};

/**
 * Starts reporting errors from a browser or Node to the fragmentkit ingest endpoint. Events
 * carry the parsed stack, a grouping fingerprint and deploy metadata; secrets and e-mail
 * addresses are redacted first and environment variables are never sent. With `captureGlobal`
 * (the default) uncaught errors and unhandled rejections are reported while the host's own
 * handling (`window.onerror`, Node's crash on an uncaught exception) stays as it was.
 *
 * A missing or invalid `endpoint` or `key` logs one warning and returns a reporter whose
 * methods do nothing.
 *
 * What is still queued is sent when the page is hidden or closed (with `keepalive`) and, in Node,
 * when the event loop empties before the process exits.
 * An uncaught exception, though, ends the process synchronously, before a request can go out:
 * the event is captured and handed to `fetch`, and it is delivered only if the process lives
 * on, for example when the host has its own `uncaughtException` handler that awaits
 * `reporter.flush()` before exiting.
 *
 * @example
 * ```ts
 * import { initReporter } from '@fragmentkit/core/reporter';
 *
 * const reporter = initReporter({
 *   endpoint: 'https://app.example.com/api/fragmentkit/ingest',
 *   key: import.meta.env.VITE_FRAGMENTKIT_INGEST_KEY,
 *   release: '1.4.2',
 *   environment: 'production',
 * });
 *
 * try {
 *   await saveDraft();
 * } catch (error) {
 *   reporter.captureException(error, { tags: { feature: 'drafts' } });
 * }
 * ```
 */
export function initReporter(options: ReporterOptions): Reporter {
  try {
    const endpoint = resolveEndpoint(options?.endpoint);
    if (!endpoint || typeof options.key !== 'string' || !options.key.trim()) {
      console.warn(`${prefix} Reporter disabled: pass an http(s) endpoint and an ingest key.`);
      return disabledReporter;
    }
    return createReporter(options, endpoint);
  } catch (error) {
    console.warn(`${prefix} Reporter disabled: ${String(error)}`);
    return disabledReporter;
  }
}

function resolveEndpoint(endpoint: unknown): string | undefined {
  if (typeof endpoint !== 'string' || endpoint.trim() === '') return undefined;
  try {
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    const url = new URL(endpoint, base);
    return /^https?:$/.test(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function createReporter(options: ReporterOptions, endpoint: string): Reporter {
  const clock: ReporterClock = options.clock ?? {
    now: () => Date.now(),
    setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  const random = options.random ?? Math.random;
  const rate = options.sampleRate;
  const sampleRate = typeof rate === 'number' && !Number.isNaN(rate) ? Math.min(1, Math.max(0, rate)) : 1;
  const log = (message: string) => {
    if (options.debug) console.warn(`${prefix} ${message}`);
  };
  const transport = createTransport({
    endpoint,
    key: options.key,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    clock,
    random,
    maxQueueSize: positive(options.maxQueueSize, 100),
    maxBatchSize: Math.min(positive(options.maxBatchSize, 20), maxEventsPerBatch),
    flushIntervalMs: positive(options.flushIntervalMs, 2000),
    log,
  });
  const metadata = {
    release: metadataText(options.release),
    environment: metadataText(options.environment),
    commitSha: metadataText(options.commitSha ?? detectCommitSha()),
    repository: metadataText(options.repository),
    runtime: detectRuntime(),
  };
  // An error captured by hand and then rethrown reaches the global handler too; report it once.
  const seen = new WeakSet<object>();
  let warnedAboutBeforeSend = false;
  let closed = false;

  function capture(error: unknown, level: IncidentLevel, context: CaptureContext = {}): string | undefined {
    if (closed) return undefined;
    if (typeof error === 'object' && error !== null) {
      if (seen.has(error)) return undefined;
      seen.add(error);
    }
    if (random() >= sampleRate) return undefined;
    let event: IncidentEvent | null = createEvent(error, context.level ?? level, context);
    if (options.beforeSend) {
      try {
        event = options.beforeSend(event);
      } catch (hookError) {
        if (!warnedAboutBeforeSend) {
          warnedAboutBeforeSend = true;
          console.warn(`${prefix} beforeSend threw; event dropped: ${String(hookError)}`);
        }
        return undefined;
      }
      if (!event) return undefined;
    }
    transport.send(event);
    return event.eventId;
  }

  function createEvent(error: unknown, level: IncidentLevel, context: CaptureContext): IncidentEvent {
    const now = clock.now();
    const { type, message, stack } = describe(error);
    const frames = parseStackTrace(stack).map(scrubFrame);
    const cleanMessage = scrubSecrets(message.slice(0, maxMessageLength)).slice(0, maxMessageLength);
    const cleanType = type.slice(0, maxTypeLength);
    return {
      eventId: createEventId(now, random),
      timestamp: new Date(now).toISOString(),
      level,
      type: cleanType,
      message: cleanMessage,
      frames,
      fingerprint: fingerprint({ type: cleanType, message: cleanMessage, frames, fingerprint: context.fingerprint }),
      ...metadata,
      tags: cleanTags(context.tags),
      extra: cleanExtra(context.extra, log),
    };
  }

  const flush = guardAsync(() => transport.flush());
  const uninstall = options.captureGlobal === false ? undefined : installGlobalHandlers(guard(capture), flush);

  return {
    enabled: true,
    captureException: guard((error: unknown, context?: CaptureContext) => capture(error, 'error', context)),
    captureMessage: guard((message: string, level: IncidentLevel = 'info') =>
      capture({ name: 'Message', message: String(message) }, level),
    ),
    flush,
    close: guardAsync(() => {
      closed = true;
      uninstall?.();
      return transport.close();
    }),
    stats: transport.stats,
  };
}

function describe(error: unknown): { type: string; message: string; stack: string } {
  const { name, message, stack } = (error ?? {}) as { name?: unknown; message?: unknown; stack?: unknown };
  if (typeof error === 'object' && error !== null && message !== undefined) {
    return { type: String(name || 'Error'), message: String(message), stack: typeof stack === 'string' ? stack : '' };
  }
  if (typeof error === 'string') return { type: 'Error', message: error, stack: '' };
  let text = String(error);
  try {
    // A rejected `{ code: 42 }` says more as JSON than as `[object Object]`.
    text = JSON.stringify(error) ?? text;
  } catch {
    // Cycles and BigInt keep the String() form.
  }
  return { type: 'NonError', message: text, stack: '' };
}

// Frames come from lines of at most 1000 characters and redaction barely changes a length,
// so they stay within the frame limits without cutting.
function scrubFrame(frame: StackFrame): StackFrame {
  const clean = { ...frame, raw: scrubSecrets(frame.raw) };
  if (frame.file) clean.file = scrubSecrets(frame.file);
  return clean;
}

function cleanTags(tags: Record<string, string> | undefined): Record<string, string> | undefined {
  const entries = Object.entries(tags ?? {})
    .filter(([key]) => key !== '')
    .slice(0, maxTags)
    .map(([key, value]) => [key.slice(0, maxTagKeyLength), scrubSecrets(String(value)).slice(0, maxTagValueLength)]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * Redacts the JSON text rather than each string, so `{ password: 'hunter2' }` is caught by its
 * key too. Anything that does not survive the round trip (cycles, BigInt, an oversized
 * result) drops `extra` rather than the event.
 */
function cleanExtra(extra: Record<string, unknown> | undefined, log: (message: string) => void) {
  if (!extra) return undefined;
  try {
    const json = scrubSecrets(JSON.stringify(extra));
    if (json.length <= maxExtraLength) return JSON.parse(json) as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  log('extra dropped: not JSON or too large');
  return undefined;
}

function metadataText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, maxMetadataLength) : undefined;
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 && Number.isFinite(value) ? Math.floor(value) : fallback;
}

function createEventId(now: number, random: () => number): string {
  // randomUUID needs a secure context in browsers; plain http pages fall back.
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return crypto?.randomUUID?.() ?? `${now.toString(36)}-${random().toString(36).slice(2)}`;
}

function guard<Args extends unknown[], Result>(run: (...args: Args) => Result): (...args: Args) => Result | undefined {
  return (...args) => {
    try {
      return run(...args);
    } catch {
      return undefined;
    }
  };
}

function guardAsync(run: () => Promise<void>): () => Promise<void> {
  return () => {
    try {
      return run().catch(() => undefined);
    } catch {
      return Promise.resolve();
    }
  };
}
