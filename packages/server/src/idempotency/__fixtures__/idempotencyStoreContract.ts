import { FragmentkitError } from '@fragmentkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../../store/__fixtures__/storeTestData.js';
import type { IdempotentResponse } from '../../store/idempotencyKeys.js';
import type { Tenant } from '../../store/tenantTransaction.js';
import type { IdempotencyBeginInput, IdempotencyStore } from '../idempotencyStore.js';

/** A fresh store under test, on the given clock, and how to get rid of it. */
export interface IdempotencyStoreUnderTest {
  store: IdempotencyStore;
  close?(): Promise<void>;
}

const scope = 'POST /chat';
const minute = 60_000;
const alice: Tenant = { teamId: 'team-a', userId: 'alice' };

function beginInput(overrides: Partial<IdempotencyBeginInput> = {}): IdempotencyBeginInput {
  return { scope, key: 'key-1', requestHash: 'hash-1', requestId: 'request-1', ttlMs: 10 * minute, ...overrides };
}

const streamResponse: IdempotentResponse = {
  status: 200,
  headers: { 'content-type': 'text/event-stream; charset=utf-8' },
  events: [
    { id: '1', event: 'meta', data: '{"type":"meta"}' },
    { id: '2', event: 'done', data: '{"type":"done","code":"line 1\\nünïcødé ✓"}' },
  ],
};

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  return FragmentkitError.isInstance(error) ? error.code : String(error);
}

/**
 * What every {@link IdempotencyStore} promises, run against memory, Redis, PGlite and
 * PostgreSQL: atomic claims, recorded responses, per-caller keys and expiry by the store's clock.
 */
export function describeIdempotencyStoreContract(
  name: string,
  open: (clock: FakeClock) => Promise<IdempotencyStoreUnderTest>,
): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let clock: FakeClock;
    let opened: IdempotencyStoreUnderTest;
    let store: IdempotencyStore;

    beforeEach(async () => {
      clock = createFakeClock(Date.UTC(2025, 5, 1));
      opened = await open(clock);
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close?.();
    });

    it('claims a free key, then shows everyone else the in-flight record of its first request', async () => {
      expect(await store.begin(alice, beginInput())).toEqual({ acquired: true });
      const inFlight = {
        requestHash: 'hash-1',
        requestId: 'request-1',
        status: 'in_flight',
        response: null,
        expiresAt: clock.now() + 10 * minute,
      };
      expect(await store.begin(alice, beginInput({ requestId: 'request-2' }))).toEqual({
        acquired: false,
        record: inFlight,
      });
      expect(await store.begin(alice, beginInput({ requestHash: 'other', requestId: 'request-3' }))).toEqual({
        acquired: false,
        record: inFlight,
      });
      expect(await store.get(alice, { scope, key: 'key-1' })).toEqual(inFlight);
      expect(await store.get(alice, { scope, key: 'unused' })).toBeNull();
    });

    it('records a streamed response and gives it back', async () => {
      await store.begin(alice, beginInput());
      await store.complete(alice, { scope, key: 'key-1', response: streamResponse });
      const completed = {
        requestHash: 'hash-1',
        requestId: 'request-1',
        status: 'completed',
        response: streamResponse,
        expiresAt: clock.now() + 10 * minute,
      };
      expect(await store.get(alice, { scope, key: 'key-1' })).toEqual(completed);
      expect(await store.begin(alice, beginInput({ requestId: 'request-2' }))).toEqual({
        acquired: false,
        record: completed,
      });
    });

    it('records a plain response', async () => {
      const response: IdempotentResponse = {
        status: 201,
        headers: { 'content-type': 'application/json' },
        body: '{"ok":true}',
      };
      await store.begin(alice, beginInput());
      await store.complete(alice, { scope, key: 'key-1', response });
      expect((await store.get(alice, { scope, key: 'key-1' }))?.response).toEqual(response);
    });

    it('completes only a key in flight', async () => {
      expect(await errorCode(store.complete(alice, { scope, key: 'never-begun', response: streamResponse }))).toBe(
        'NOT_FOUND',
      );
      await store.begin(alice, beginInput());
      await store.complete(alice, { scope, key: 'key-1', response: streamResponse });
      expect(await errorCode(store.complete(alice, { scope, key: 'key-1', response: streamResponse }))).toBe(
        'NOT_FOUND',
      );
    });

    it('keeps the keys of each caller and scope apart', async () => {
      const bob: Tenant = { teamId: 'team-a', userId: 'bob' };
      const aliceElsewhere: Tenant = { teamId: 'team-b', userId: 'alice' };
      expect(await store.begin(alice, beginInput())).toEqual({ acquired: true });
      expect(await store.begin(bob, beginInput({ requestHash: 'bob-hash', requestId: 'bob-1' }))).toEqual({
        acquired: true,
      });
      expect(await store.begin(aliceElsewhere, beginInput({ requestId: 'b-1' }))).toEqual({ acquired: true });
      expect(await store.begin(alice, beginInput({ scope: 'POST /tasks', requestId: 't-1' }))).toEqual({
        acquired: true,
      });
      await store.complete(bob, { scope, key: 'key-1', response: streamResponse });
      expect((await store.get(alice, { scope, key: 'key-1' }))?.status).toBe('in_flight');
      expect(await store.get(bob, { scope, key: 'key-1' })).toMatchObject({
        status: 'completed',
        requestHash: 'bob-hash',
      });
    });

    it('holds a completed key for the TTL given at completion, counted from then', async () => {
      await store.begin(alice, beginInput({ ttlMs: minute }));
      clock.advance(30_000);
      await store.complete(alice, { scope, key: 'key-1', response: streamResponse, ttlMs: 60 * minute });
      clock.advance(59 * minute);
      expect(await store.get(alice, { scope, key: 'key-1' })).toMatchObject({
        status: 'completed',
        expiresAt: Date.UTC(2025, 5, 1) + 30_000 + 60 * minute,
      });
      clock.advance(minute);
      expect(await store.get(alice, { scope, key: 'key-1' })).toBeNull();
    });

    it('frees an in-flight key whose lease ran out, as after a crash', async () => {
      await store.begin(alice, beginInput({ ttlMs: minute }));
      clock.advance(minute);
      expect(await store.begin(alice, beginInput({ requestId: 'request-2' }))).toEqual({ acquired: true });
      expect(await store.get(alice, { scope, key: 'key-1' })).toMatchObject({
        status: 'in_flight',
        requestId: 'request-2',
      });
    });

    it('forgets a key once its TTL has passed on the store clock, so the key can be claimed again', async () => {
      await store.begin(alice, beginInput());
      await store.complete(alice, { scope, key: 'key-1', response: streamResponse });
      clock.advance(10 * minute - 1);
      expect((await store.get(alice, { scope, key: 'key-1' }))?.status).toBe('completed');
      clock.advance(1);
      expect(await store.get(alice, { scope, key: 'key-1' })).toBeNull();
      expect(await store.begin(alice, beginInput({ requestHash: 'hash-2', requestId: 'request-2' }))).toEqual({
        acquired: true,
      });
      expect(await store.get(alice, { scope, key: 'key-1' })).toMatchObject({
        requestHash: 'hash-2',
        requestId: 'request-2',
        status: 'in_flight',
      });
    });

    it('does not complete a key that expired while in flight', async () => {
      await store.begin(alice, beginInput());
      clock.advance(10 * minute);
      expect(await errorCode(store.complete(alice, { scope, key: 'key-1', response: streamResponse }))).toBe(
        'NOT_FOUND',
      );
    });

    it('lets exactly one of several concurrent claims win', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, index) => store.begin(alice, beginInput({ requestId: `request-${index}` }))),
      );
      expect(results.filter((result) => result.acquired)).toHaveLength(1);
      const winner = (await store.get(alice, { scope, key: 'key-1' }))!.requestId;
      for (const result of results) {
        if (!result.acquired) expect(result.record.requestId).toBe(winner);
      }
    });

    it('rejects malformed input with INVALID_REQUEST', async () => {
      expect(await errorCode(store.begin(alice, beginInput({ key: '' })))).toBe('INVALID_REQUEST');
      expect(await errorCode(store.begin(alice, beginInput({ requestId: 'has space' })))).toBe('INVALID_REQUEST');
      expect(await errorCode(store.begin({ teamId: '', userId: 'x' }, beginInput()))).toBe('INVALID_REQUEST');
      expect(await errorCode(store.get(alice, { scope: '', key: 'k' }))).toBe('INVALID_REQUEST');
    });
  });
}
