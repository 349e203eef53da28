import { vi } from 'vitest';
import type { ReporterClock } from '../transport.js';

/** A clock whose timers run only when the test advances time. */
export interface FakeClock extends ReporterClock {
  /** Moves time forward, running due timers in order and letting promises settle after each. */
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks run without moving time. */
  settle(): Promise<void>;
}

export function createFakeClock(start = Date.UTC(2025, 0, 2, 3, 4, 5)): FakeClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    setTimeout(callback, delayMs) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, delayMs), callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    settle,
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        await settle();
        const [due] = [...timers.entries()]
          .filter(([, timer]) => timer.at <= target)
          .sort(([idA, a], [idB, b]) => a.at - b.at || idA - idB);
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = target;
      await settle();
    },
  };
}

export interface RecordedRequest {
  url: string;
  method: string | undefined;
  headers: Record<string, string>;
  keepalive: boolean | undefined;
  body: { events: Array<Record<string, unknown>> };
}

/**
 * A `fetch` that records every request and answers with `respond` (default 200). `respond`
 * may return a promise that never settles, or throw to simulate a network error.
 */
export function createEndpoint(
  respond: (request: RecordedRequest, index: number) => Response | Promise<Response> = () =>
    new Response(null, { status: 200 }),
) {
  const requests: RecordedRequest[] = [];
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    const request: RecordedRequest = {
      url: String(url),
      method: init?.method,
      headers: init?.headers as Record<string, string>,
      keepalive: init?.keepalive,
      body: JSON.parse(String(init?.body)),
    };
    requests.push(request);
    return respond(request, requests.length - 1);
  });
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    requests,
    /** Messages of every event sent, request by request. */
    messages: () => requests.map((request) => request.body.events.map((event) => event.message)),
  };
}

export const endpointUrl = 'https://app.example.test/api/fragmentkit/ingest';
