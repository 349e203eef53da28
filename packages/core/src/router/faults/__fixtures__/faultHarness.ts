// The router against real sockets: the fake provider speaks both wire formats and the real
// providers talk to it. The fake is a private workspace package that core does not depend on,
// hence the relative import.
import { expect, vi } from 'vitest';
import {
  createFaultScenarios,
  type FakeApi,
  type FakeProvider,
  type FaultScenarios,
  type FaultScenariosOptions,
  type RecordedRequest,
  startFakeProvider,
} from '../../../../../../internal/fake-provider/src/index.js';
import { FragmentkitError } from '../../../errors.js';
import { createAnthropicModel } from '../../../providers/anthropic.js';
import { createOpenAIModel } from '../../../providers/openai.js';
import type { LanguageModel } from '../../../providers/types.js';
import { type CircuitBreakerOptions, createCircuitBreaker } from '../../circuitBreaker.js';
import { createManualClock, type ManualClock } from '../../manualClock.js';
import { createRouter } from '../../router.js';
import type { Router, RouterOptions, RouterStreamEvent } from '../../routerTypes.js';
import type { RouterTarget } from '../../routeTarget.js';

export const apis: FakeApi[] = ['anthropic', 'openai'];

export const request = {
  system: 'Answer with one bare JSON fragment.',
  messages: [{ role: 'user' as const, content: 'Make a counter' }],
  maxOutputTokens: 1000,
};

/** Each model's own answer, long enough for many chunks, so two answers glued together would show. */
export function answerOf(model: string): string {
  return `Answer from ${model}: ${'the quick brown fox jumps over the lazy dog. '.repeat(3)}`;
}

/** Usage each model reports: large for the fault models, so usage taken from a failed attempt would show. */
export function usageOf(model: string) {
  return model.startsWith('healthy') ? { inputTokens: 11, outputTokens: 22 } : { inputTokens: 900, outputTokens: 900 };
}

export interface FaultRig {
  fake: FakeProvider;
  faults: FaultScenarios;
  clock: ManualClock;
  router: Router;
  /** Requests the fake received for a model. */
  requestsFor(model: string): RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts the fake with fault scenarios and a router whose targets are the given model names
 * (the target id is the model name), all on one wire format, on a manual clock.
 */
export async function startRig(
  api: FakeApi,
  route: string[],
  options: Partial<RouterOptions> & {
    targetOptions?: Record<string, Partial<RouterTarget>>;
    scenarios?: FaultScenariosOptions;
    /** Settings of the router's breaker, which runs on the rig's clock. */
    breakerOptions?: Omit<CircuitBreakerOptions, 'clock'>;
  } = {},
): Promise<FaultRig> {
  const faults = createFaultScenarios({
    answer: (recorded) => ({ text: answerOf(recorded.model), usage: usageOf(recorded.model) }),
    ...options.scenarios,
  });
  const fake = await startFakeProvider({ chunkDelayMs: 0, chunkSize: 12, respond: faults.respond });
  const clock = createManualClock(Date.UTC(2025, 0, 1));
  const { targetOptions, scenarios: _, breakerOptions, ...routerOptions } = options;
  const router = createRouter({
    targets: Object.fromEntries(
      route.map((model) => [model, { model: modelFor(fake, api, model), ...targetOptions?.[model] }]),
    ),
    routes: { generate: route },
    clock,
    breaker: createCircuitBreaker({ clock, ...breakerOptions }),
    random: () => 0.5,
    logger: { info() {}, warn() {} },
    ...routerOptions,
  });
  return {
    fake,
    faults,
    clock,
    router,
    requestsFor: (model) => fake.requests.filter((recorded) => recorded.model === model),
    async close() {
      await fake.close();
    },
  };
}

export function modelFor(fake: FakeProvider, api: FakeApi, model: string): LanguageModel {
  return api === 'anthropic'
    ? createAnthropicModel({ apiKey: 'sk-ant-test', model, baseURL: fake.anthropicBaseURL })
    : createOpenAIModel({ apiKey: 'sk-test', model, baseURL: fake.openaiBaseURL });
}

/** Waits, in real time (sockets are real), until exactly these timers are pending on the clock. */
export async function timersPending(clock: ManualClock, expected: number[]): Promise<void> {
  await vi.waitFor(() => expect(clock.pendingTimers()).toEqual(expected), { interval: 2, timeout: 5000 });
}

/** Waits until the fake has received `count` requests in all. */
export async function requestsReceived(fake: FakeProvider, count: number): Promise<void> {
  await vi.waitFor(() => expect(fake.requests).toHaveLength(count), { interval: 2, timeout: 5000 });
}

/** A routed stream read in the background, to look at while it runs and when it ends. */
export interface Reading {
  events: RouterStreamEvent[];
  /** Resolves with the error the stream ended with, or `undefined` after `finish`. */
  done: Promise<FragmentkitError | undefined>;
}

export function read(stream: ReadableStream<RouterStreamEvent>): Reading {
  const events: RouterStreamEvent[] = [];
  const reader = stream.getReader();
  const done = (async () => {
    try {
      for (let result = await reader.read(); !result.done; result = await reader.read()) events.push(result.value);
      return undefined;
    } catch (error) {
      if (FragmentkitError.isInstance(error)) return error;
      throw error;
    }
  })();
  return { events, done };
}

/** Waits until the background reader has collected `count` events. */
export async function eventsReceived(reading: Reading, count: number): Promise<void> {
  await vi.waitFor(() => expect(reading.events.length).toBeGreaterThanOrEqual(count), { interval: 2, timeout: 5000 });
}

/** The text a consumer keeps: what arrived after the last `start` or `restart`. */
export function keptText(events: RouterStreamEvent[]): string {
  let text = '';
  for (const event of events) {
    if (event.type === 'start' || event.type === 'restart') text = '';
    if (event.type === 'text-delta') text += event.text;
  }
  return text;
}

export function eventTypes(events: RouterStreamEvent[]): string[] {
  // Runs of text deltas collapse to one entry: how many chunks arrived depends on the network.
  return events
    .map((event) => event.type)
    .filter((type, index, all) => !(type === 'text-delta' && all[index - 1] === 'text-delta'));
}

/** The rejection of a promise that must reject with a FragmentkitError. */
export async function rejectionOf(promise: Promise<unknown>): Promise<FragmentkitError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!FragmentkitError.isInstance(error)) throw new Error(`expected a FragmentkitError, got ${String(error)}`);
  return error;
}
