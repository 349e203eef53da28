import type { FakeErrorReply, FakeReply, FakeTextReply } from './fakeReply.js';
import { defaultFragmentReply } from './fragmentReply.js';
import type { FakeApi, RecordedRequest } from './recordedRequest.js';

/**
 * The faults a model name can select. A model named `<fault>` or `<fault>:<label>` (the label
 * tells several targets with the same fault apart) gets that behaviour, in both wire formats:
 *
 * | fault | behaviour |
 * |---|---|
 * | `fault-429-retry-after` | 429 with `retry-after: 1` on the first request, then answers |
 * | `fault-429-persistent` | 429 with `retry-after: 60` on every request |
 * | `fault-500-once` | 500 on the first request, then answers |
 * | `fault-503-persistent` | 503 on every request |
 * | `fault-reset-before-headers` | closes the connection before writing any header |
 * | `fault-no-response` | accepts the request and never answers |
 * | `fault-slow-first-token` | sends headers and the opening events, then waits before the first delta |
 * | `fault-cut-mid-stream` | closes the connection after a few deltas |
 * | `fault-stall` | stops sending after a few deltas, keeping the connection open |
 * | `fault-malformed-chunk` | one event with invalid JSON after a few deltas, then the rest |
 * | `fault-error-mid-stream` | the API's in-band error event after a few deltas |
 * | `fault-no-terminal` | every delta, then ends without `message_stop` / `finish_reason` and `[DONE]` |
 * | `fault-context-length` | 400 with the API's real context-length error |
 * | `fault-content-policy` | 400 with the API's content-policy error |
 * | `fault-down-then-up` | 503 until {@link FaultScenarios.setHealthy} or `downForRequests` requests |
 *
 * @example
 * ```ts
 * import { faultNames } from '@fragmentkit/fake-provider';
 * const everyFault = faultNames.map((name) => `${name}:primary`);
 * ```
 */
export const faultNames = [
  'fault-429-retry-after',
  'fault-429-persistent',
  'fault-500-once',
  'fault-503-persistent',
  'fault-reset-before-headers',
  'fault-no-response',
  'fault-slow-first-token',
  'fault-cut-mid-stream',
  'fault-stall',
  'fault-malformed-chunk',
  'fault-error-mid-stream',
  'fault-no-terminal',
  'fault-context-length',
  'fault-content-policy',
  'fault-down-then-up',
] as const;

/**
 * One of {@link faultNames}.
 *
 * @example
 * ```ts
 * const fault: FaultName = 'fault-stall';
 * ```
 */
export type FaultName = (typeof faultNames)[number];

/**
 * Options for {@link createFaultScenarios}.
 *
 * @example
 * ```ts
 * const options: FaultScenariosOptions = { answer: (request) => ({ text: `answer of ${request.model}` }) };
 * ```
 */
export interface FaultScenariosOptions {
  /** The answer of `healthy-*` models and of faults that let a request through. Defaults to {@link defaultFragmentReply}. */
  answer?: (request: RecordedRequest) => FakeTextReply;
  /** Requests `fault-down-then-up` fails before it recovers by itself. Defaults to never: only `setHealthy` brings it up. */
  downForRequests?: number;
  /** Text chunks a mid-stream fault sends before it strikes. Defaults to 2. */
  chunksBeforeFault?: number;
  /** How long `fault-slow-first-token` waits before its first delta. Defaults to 60 s. */
  slowFirstTokenMs?: number;
  /** The answer to any other model. Defaults to a 404 naming the model, as the real APIs answer an unknown one. */
  otherwise?: (request: RecordedRequest) => FakeReply;
}

/**
 * Fault injection for the fake provider, chosen by model name. See {@link createFaultScenarios}.
 *
 * @example
 * ```ts
 * faults.setHealthy('fault-down-then-up', true);
 * expect(faults.requestCount('fault-down-then-up')).toBe(2);
 * ```
 */
export interface FaultScenarios {
  /** Pass as `respond` to `startFakeProvider`. */
  respond(request: RecordedRequest): FakeReply;
  /**
   * Overrides a model's health: `true` makes any model (a fault included) answer normally,
   * `false` makes any model answer 503. Brings `fault-down-then-up` up.
   */
  setHealthy(model: string, healthy: boolean): void;
  /** Requests received for a model so far. */
  requestCount(model: string): number;
}

const endlessChunks = Number.MAX_SAFE_INTEGER;

/**
 * Creates the fault scenarios of {@link faultNames}: wire `respond` into `startFakeProvider`
 * and name each model after the fault it should show. `healthy` and `healthy-*` models always
 * answer. State (request counts, health overrides) lives in this object, so create one per test.
 *
 * @example
 * ```ts
 * import { createFaultScenarios, startFakeProvider } from '@fragmentkit/fake-provider';
 *
 * const faults = createFaultScenarios();
 * const fake = await startFakeProvider({ chunkDelayMs: 0, respond: faults.respond });
 * const primary = createAnthropicModel({ apiKey: 'test', model: 'fault-down-then-up', baseURL: fake.anthropicBaseURL });
 * // ... the primary fails until:
 * faults.setHealthy('fault-down-then-up', true);
 * ```
 */
export function createFaultScenarios(options: FaultScenariosOptions = {}): FaultScenarios {
  const answer = options.answer ?? defaultFragmentReply;
  const chunksBeforeFault = options.chunksBeforeFault ?? 2;
  const slowFirstTokenMs = options.slowFirstTokenMs ?? 60_000;
  const otherwise = options.otherwise ?? unknownModel;
  const counts = new Map<string, number>();
  const health = new Map<string, boolean>();

  function reply(fault: FaultName, request: RecordedRequest, count: number): FakeReply {
    switch (fault) {
      case 'fault-429-retry-after':
        return count === 1 ? rateLimited(request.api, '1') : answer(request);
      case 'fault-429-persistent':
        return rateLimited(request.api, '60');
      case 'fault-500-once':
        return count === 1 ? serverError(request.api) : answer(request);
      case 'fault-503-persistent':
        return unavailable(request.api);
      case 'fault-reset-before-headers':
        return { connection: 'reset' };
      case 'fault-no-response':
        return { connection: 'hang' };
      case 'fault-slow-first-token':
        return { ...answer(request), firstChunkDelayMs: slowFirstTokenMs };
      case 'fault-cut-mid-stream':
        return { ...answer(request), interrupt: { afterChunks: chunksBeforeFault, kind: 'reset' } };
      case 'fault-stall':
        return { ...answer(request), interrupt: { afterChunks: chunksBeforeFault, kind: 'stall' } };
      case 'fault-malformed-chunk':
        return { ...answer(request), malformedChunk: { afterChunks: chunksBeforeFault } };
      case 'fault-error-mid-stream':
        return { ...answer(request), interrupt: { afterChunks: chunksBeforeFault, kind: 'error' } };
      case 'fault-no-terminal':
        return { ...answer(request), interrupt: { afterChunks: endlessChunks, kind: 'cut' } };
      case 'fault-context-length':
        return contextLength(request.api);
      case 'fault-content-policy':
        return contentPolicy(request.api);
      case 'fault-down-then-up':
        return count <= (options.downForRequests ?? Number.POSITIVE_INFINITY)
          ? unavailable(request.api)
          : answer(request);
    }
  }

  return {
    respond(request) {
      const count = (counts.get(request.model) ?? 0) + 1;
      counts.set(request.model, count);
      const override = health.get(request.model);
      if (override === false) return unavailable(request.api);
      const fault = faultOf(request.model);
      if (override === true || isHealthyModel(request.model)) return answer(request);
      return fault ? reply(fault, request, count) : otherwise(request);
    },
    setHealthy(model, healthy) {
      health.set(model, healthy);
    },
    requestCount: (model) => counts.get(model) ?? 0,
  };
}

function faultOf(model: string): FaultName | undefined {
  return faultNames.find((name) => model === name || model.startsWith(`${name}:`));
}

function isHealthyModel(model: string): boolean {
  return model === 'healthy' || model.startsWith('healthy-') || model.startsWith('healthy:');
}

function errorReply(status: number, type: string, message: string, extra: Partial<FakeErrorReply['error']> = {}) {
  return { error: { status, type, message, ...extra } } satisfies FakeErrorReply;
}

function rateLimited(api: FakeApi, retryAfterSeconds: string): FakeErrorReply {
  const headers = { 'retry-after': retryAfterSeconds };
  return api === 'anthropic'
    ? errorReply(
        429,
        'rate_limit_error',
        'This request would exceed the rate limit for your organization of 50 requests per minute. Please try again later.',
        { headers },
      )
    : errorReply(
        429,
        'requests',
        'Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again later.',
        { code: 'rate_limit_exceeded', headers },
      );
}

function serverError(api: FakeApi): FakeErrorReply {
  return api === 'anthropic'
    ? errorReply(500, 'api_error', 'Internal server error')
    : errorReply(500, 'server_error', 'The server had an error while processing your request. Sorry about that!');
}

function unavailable(api: FakeApi): FakeErrorReply {
  return api === 'anthropic'
    ? errorReply(503, 'api_error', 'Service temporarily unavailable')
    : errorReply(503, 'server_error', 'The engine is currently overloaded, please try again later.');
}

function contextLength(api: FakeApi): FakeErrorReply {
  return api === 'anthropic'
    ? errorReply(400, 'invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum')
    : errorReply(
        400,
        'invalid_request_error',
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.",
        { code: 'context_length_exceeded' },
      );
}

function contentPolicy(api: FakeApi): FakeErrorReply {
  return api === 'anthropic'
    ? errorReply(400, 'invalid_request_error', 'Output blocked by content filtering policy')
    : errorReply(
        400,
        'invalid_request_error',
        'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
        { code: 'content_policy_violation' },
      );
}

function unknownModel(request: RecordedRequest): FakeErrorReply {
  return request.api === 'anthropic'
    ? errorReply(404, 'not_found_error', `model: ${request.model}`)
    : errorReply(
        404,
        'invalid_request_error',
        `The model \`${request.model}\` does not exist or you do not have access to it.`,
        {
          code: 'model_not_found',
        },
      );
}
