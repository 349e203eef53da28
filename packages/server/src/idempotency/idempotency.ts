import { createStoreFailover, FragmentkitError, toFragmentkitError } from '@fragmentkit/core';
import { errorResponse } from '../errorResponse.js';
import { defaultLogger, type FragmentkitLogger } from '../logger.js';
import type { IdempotentResponse } from '../store/idempotencyKeys.js';
import type { Tenant } from '../store/tenantTransaction.js';
import { readLastEventId } from '../streams/lastEventId.js';
import { checkWholeNumber } from '../streams/streamBufferInput.js';
import type { IdempotencyKeyId, IdempotencyRecord, IdempotencyStore } from './idempotencyStore.js';
import { createMemoryIdempotencyStore } from './memoryIdempotencyStore.js';
import { replayResponse } from './replayResponse.js';
import { hashRequestBody } from './requestHash.js';

/**
 * How fragmentkit treats `Idempotency-Key` headers; see `createFragmentkit`'s `idempotency`.
 *
 * @example
 * ```ts
 * const idempotency: IdempotencyConfig = { store: createRedisIdempotencyStore(redis), ttlMs: 6 * 3_600_000 };
 * ```
 */
export interface IdempotencyConfig {
  /** Where keys live. Default: the fragment store's table when fragmentkit has a `store`, else memory. */
  store?: IdempotencyStore;
  /** How long a key holds after its request completed: replays and 422 within it. Default 24 hours. */
  ttlMs?: number;
  /**
   * The lease of a key whose request is still running: retries get 409 (or follow the live
   * stream) within it. A request that never completes, because its instance crashed, frees
   * its key when the lease ends; one that runs longer than the lease may then run twice.
   * Default 15 minutes (at most `ttlMs`).
   */
  inFlightTtlMs?: number;
}

/**
 * Options of {@link createIdempotency}.
 *
 * @example
 * ```ts
 * const options: IdempotencyOptions = { store: createMemoryIdempotencyStore(), logger };
 * ```
 */
export interface IdempotencyOptions extends IdempotencyConfig {
  store: IdempotencyStore;
  /** Hears about store outages and responses that could not be recorded. */
  logger?: FragmentkitLogger;
}

/**
 * One request that may carry an `Idempotency-Key`.
 *
 * @example
 * ```ts
 * const call: IdempotentCall = { request, owner: { teamId, userId }, scope: 'POST /tasks', body: task, requestId };
 * ```
 */
export interface IdempotentCall {
  request: Request;
  /** The caller: keys of one caller are invisible to every other. */
  owner: Tenant;
  /** The operation, e.g. `POST /sandbox`. */
  scope: string;
  /** The validated body; its hash tells a retry from a different request reusing the key. */
  body: unknown;
  requestId: string;
}

/**
 * What claiming a key gave: the key (then record the response with `complete`), or the
 * record of the request that holds it.
 *
 * @example
 * ```ts
 * const claim = await ticket.claim();
 * if (claim.acquired) await claim.complete({ status: 201, headers: {}, body: '{}' });
 * ```
 */
export type IdempotencyClaim =
  | { acquired: true; complete(response: IdempotentResponse): Promise<void> }
  | { acquired: false; record: IdempotencyRecord };

/**
 * A request's `Idempotency-Key`, ready to check and claim. Look it up before validating the
 * rest of the request (a replay needs no validation) and claim it only once the request is
 * valid and its work is about to start, so a rejected request never holds the key.
 *
 * @example
 * ```ts
 * const ticket = await idempotency.ticket(call);
 * const earlier = await ticket?.find();
 * if (ticket && earlier) return answerFromRecord(earlier, ticket, { after: 0 });
 * ```
 */
export interface IdempotencyTicket {
  key: string;
  requestHash: string;
  /** The key's live record, or null when it is free. */
  find(): Promise<IdempotencyRecord | null>;
  /** Claims the key for this request. */
  claim(): Promise<IdempotencyClaim>;
}

/**
 * `Idempotency-Key` handling for POST routes; see {@link createIdempotency}.
 *
 * @example
 * ```ts
 * return idempotency.run(call, () => startTask(task));
 * ```
 */
export interface Idempotency {
  /** The request's ticket, or undefined when it sends no key; a malformed key is a 400. */
  ticket(call: IdempotentCall): Promise<IdempotencyTicket | undefined>;
  /**
   * Runs `work` at most once per key: a completed key replays its recorded response (marked
   * `Idempotent-Replayed: true`), a key still running answers 409 `IDEMPOTENCY_IN_FLIGHT`, a
   * key used with another body 422 `IDEMPOTENCY_KEY_REUSED`. What `work` answers or throws is
   * recorded, so validate the request before calling `run`. Without a key, `work` just runs.
   */
  run(call: IdempotentCall, work: () => Promise<Response>): Promise<Response>;
}

const idempotencyKeyPattern = /^[\x20-\x7e]{1,255}$/;

/**
 * Creates the `Idempotency-Key` logic on an {@link IdempotencyStore}, with in-memory
 * insurance: while the store is unreachable, keys live in this instance's memory (logged once
 * per outage) rather than failing requests. `createFragmentkit` makes one for `POST /chat`;
 * routes such as `/sandbox` or `/tasks` use `run`.
 *
 * @example
 * ```ts
 * import { createIdempotency, createMemoryIdempotencyStore } from '@fragmentkit/server';
 *
 * const idempotency = createIdempotency({ store: createMemoryIdempotencyStore() });
 * const handleTask = async (request: Request, owner: { teamId: string; userId: string }, requestId: string) => {
 *   const task = taskSchema.parse(await request.json());
 *   return idempotency.run({ request, owner, scope: 'POST /tasks', body: task, requestId }, async () =>
 *     Response.json(await tasks.start(task), { status: 201 }),
 *   );
 * };
 * ```
 */
export function createIdempotency(options: IdempotencyOptions): Idempotency {
  const ttlMs = checkWholeNumber(options.ttlMs ?? 24 * 60 * 60 * 1000, 'ttlMs');
  const leaseMs = Math.min(ttlMs, checkWholeNumber(options.inFlightTtlMs ?? 15 * 60 * 1000, 'inFlightTtlMs'));
  const logger = options.logger ?? defaultLogger;
  const primary = options.store;
  const failover = createStoreFailover<IdempotencyStore, { operation: 'begin' | 'get' }>({
    primary,
    createFallback: () => createMemoryIdempotencyStore(),
    onFailure(error, { context, outageStarted }) {
      if (!outageStarted) return;
      logger.warn(
        { operation: context.operation, errorMessage: messageOf(error) },
        'The idempotency store failed; keys are kept in this instance until it answers again, so a retry reaching another instance may run twice.',
      );
    },
    onRecovery: () => logger.info({}, 'The idempotency store answers again.'),
  });

  /** A key begun while the store was down lives on in this instance's memory after it recovered. */
  async function keptDuringOutage(owner: Tenant, id: IdempotencyKeyId): Promise<IdempotencyRecord | null> {
    return (await failover.fallback?.get(owner, id)) ?? null;
  }

  async function ticket(call: IdempotentCall): Promise<IdempotencyTicket | undefined> {
    const header = call.request.headers.get('idempotency-key');
    if (header === null) return undefined;
    const key = header.trim();
    if (!idempotencyKeyPattern.test(key)) {
      throw new FragmentkitError(
        'INVALID_REQUEST',
        'The Idempotency-Key header must be 1 to 255 printable ASCII characters, e.g. a UUID.',
      );
    }
    const requestHash = await hashRequestBody(call.body);
    const id = { scope: call.scope, key };
    return {
      key,
      requestHash,
      async find() {
        const local = await keptDuringOutage(call.owner, id);
        if (local) return local;
        return (await failover.run({ operation: 'get' }, (store) => store.get(call.owner, id))).result;
      },
      async claim() {
        const local = await keptDuringOutage(call.owner, id);
        if (local) return { acquired: false, record: local };
        const input = { ...id, requestHash, requestId: call.requestId, ttlMs: leaseMs };
        const { result, fromFallback } = await failover.run({ operation: 'begin' }, (store) =>
          store.begin(call.owner, input),
        );
        if (!result.acquired) return result;
        // The response goes to the store that holds the key, even if the other one answers by then.
        const holder = fromFallback && failover.fallback ? failover.fallback : primary;
        return {
          acquired: true,
          async complete(response) {
            await holder.complete(call.owner, { ...id, response, ttlMs }).catch((error: unknown) => {
              logger.error(
                { requestId: call.requestId, scope: call.scope, errorMessage: messageOf(error) },
                'fragmentkit could not record the response of an idempotent request; retries with its key get 409 until its lease ends.',
              );
            });
          },
        };
      },
    };
  }

  return {
    ticket,
    async run(call, work) {
      const found = await ticket(call);
      if (!found) return work();
      const claim = await found.claim();
      if (!claim.acquired) return answerFromRecord(claim.record, found, { after: readLastEventId(call.request) });
      let response: Response;
      try {
        response = await work();
      } catch (error) {
        const failed = errorResponse(toFragmentkitError(error), call.requestId);
        await claim.complete({ status: failed.status, headers: headersOf(failed), body: await failed.text() });
        throw error;
      }
      const body = await response.text();
      await claim.complete({ status: response.status, headers: headersOf(response), body });
      return new Response(body === '' ? null : body, { status: response.status, headers: response.headers });
    },
  };
}

/**
 * Answers a request whose key is taken, for routes that use {@link IdempotencyTicket}s
 * directly: throws 422 `IDEMPOTENCY_KEY_REUSED` when the bodies differ, replays the response
 * when the first request completed (a recorded stream from the event after `after` on), else
 * answers what `attach` makes of the running request (e.g. its live stream) or throws 409
 * `IDEMPOTENCY_IN_FLIGHT`.
 *
 * @example
 * ```ts
 * import { answerFromRecord } from '@fragmentkit/server';
 *
 * const ticket = await idempotency.ticket(call);
 * const earlier = await ticket?.find();
 * if (ticket && earlier) return answerFromRecord(earlier, ticket, { after: 0, attach: (record) => followRun(record.requestId) });
 * ```
 */
export async function answerFromRecord(
  record: IdempotencyRecord,
  ticket: IdempotencyTicket,
  options: { after: number; attach?: (record: IdempotencyRecord) => Promise<Response | undefined> },
): Promise<Response> {
  if (record.requestHash !== ticket.requestHash) {
    throw new FragmentkitError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used for a request with a different body. Send a new key with a new request.',
    );
  }
  if (record.status === 'completed' && record.response) return replayResponse(record.response, options.after);
  const attached = await options.attach?.(record);
  if (attached) return attached;
  throw new FragmentkitError(
    'IDEMPOTENCY_IN_FLIGHT',
    'A request with this Idempotency-Key is still running. Retry shortly to get its result.',
    { isRetryable: true, details: { retryAfterSeconds: 1 } },
  );
}

function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  // Cookies belong to the first answer only.
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  return headers;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
