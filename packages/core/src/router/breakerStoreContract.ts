import { beforeEach, describe, expect, it } from 'vitest';
import type {
  BreakerConfig,
  BreakerOutcome,
  BreakerStore,
  BreakerTargetSnapshot,
  BreakerTicket,
} from './breakerStore.js';

/*
 * The behaviour every BreakerStore must show, as one suite that each store's test file runs.
 * Test support only: nothing in the package imports this file.
 */

const start = 1_700_000_000_000;

const baseConfig: BreakerConfig = {
  failureThreshold: 3,
  windowMs: 60_000,
  failureRateThreshold: 0.5,
  minimumVolume: 10,
  resetTimeoutMs: 1_000,
  maxResetTimeoutMs: 5_000,
  halfOpenMaxProbes: 2,
  successesToClose: 2,
  probeTimeoutMs: 10_000,
};

const failure: BreakerOutcome = {
  type: 'failure',
  error: { code: 'PROVIDER_UNAVAILABLE', message: '503 from upstream' },
};
const success: BreakerOutcome = { type: 'success' };

/**
 * Runs the shared {@link BreakerStore} contract against stores made by `makeStore` (called
 * before each test; give each store fresh state, e.g. a unique Redis key prefix).
 *
 * @example
 * ```ts
 * import { describeBreakerStoreContract } from './breakerStoreContract.js';
 * import { createMemoryBreakerStore } from './breakerStoreMemory.js';
 *
 * describeBreakerStoreContract('memory', () => createMemoryBreakerStore());
 * ```
 */
export function describeBreakerStoreContract(
  name: string,
  makeStore: () => BreakerStore | Promise<BreakerStore>,
): void {
  describe(`BreakerStore contract: ${name}`, () => {
    let store: BreakerStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    async function admit(target: string, now: number, config = baseConfig): Promise<BreakerTicket> {
      const acquisition = await store.tryAcquire(target, now, config);
      if (!acquisition.allowed) throw new Error(`expected ${target} to admit a call at ${now - start}`);
      return acquisition.ticket;
    }

    async function call(target: string, now: number, outcome: BreakerOutcome, config = baseConfig) {
      return store.recordResult(target, await admit(target, now, config), outcome, now, config);
    }

    /** Opens `target` at `now` with failureThreshold failures. */
    async function trip(target: string, now: number, config = baseConfig): Promise<BreakerTargetSnapshot> {
      let snapshot: BreakerTargetSnapshot | undefined;
      for (let index = 0; index < config.failureThreshold; index += 1)
        snapshot = await call(target, now, failure, config);
      return snapshot!;
    }

    it('reports a target it has never seen as closed and empty, with every field present', async () => {
      const snapshot = await store.get('fresh', start, baseConfig);
      expect(Object.keys(snapshot).sort()).toEqual(
        [
          'target',
          'state',
          'failures',
          'calls',
          'failureRate',
          'openedAt',
          'retryAt',
          'consecutiveOpens',
          'probesInFlight',
          'probeSuccesses',
          'lastError',
        ].sort(),
      );
      expect(snapshot).toEqual({
        target: 'fresh',
        state: 'closed',
        failures: 0,
        calls: 0,
        failureRate: 0,
        openedAt: undefined,
        retryAt: undefined,
        consecutiveOpens: 0,
        probesInFlight: 0,
        probeSuccesses: 0,
        lastError: undefined,
      });
    });

    it('admits calls while closed and counts their results in the window', async () => {
      await call('counting', start, success);
      await call('counting', start + 1, success);
      const snapshot = await call('counting', start + 2, failure);
      expect(snapshot).toMatchObject({
        state: 'closed',
        calls: 3,
        failures: 1,
        failureRate: 1 / 3,
        lastError: { code: 'PROVIDER_UNAVAILABLE', message: '503 from upstream' },
      });
    });

    it('opens after failureThreshold failures within the window', async () => {
      await call('threshold', start, failure);
      expect((await call('threshold', start + 10, failure)).state).toBe('closed');
      const opened = await call('threshold', start + 20, failure);
      expect(opened).toMatchObject({
        state: 'open',
        failures: 3,
        calls: 3,
        openedAt: start + 20,
        retryAt: start + 1_020,
        consecutiveOpens: 1,
      });
      const denied = await store.tryAcquire('threshold', start + 1_019, baseConfig);
      expect(denied).toMatchObject({ allowed: false, snapshot: { state: 'open', retryAt: start + 1_020 } });
    });

    it('forgets results once they leave the window', async () => {
      await call('window', start, failure);
      await call('window', start, failure);
      expect((await store.get('window', start + 59_999, baseConfig)).failures).toBe(2);
      expect(await store.get('window', start + 60_000, baseConfig)).toMatchObject({ failures: 0, calls: 0 });
      const snapshot = await call('window', start + 60_000, failure);
      expect(snapshot).toMatchObject({ state: 'closed', failures: 1, calls: 1 });
    });

    it('opens at or above the failure rate, only once minimumVolume calls are in the window', async () => {
      const config = { ...baseConfig, failureThreshold: 100 };
      for (const outcome of [success, success, success, success, failure, failure, failure, failure, failure]) {
        await call('rate', start, outcome, config);
      }
      expect(await store.get('rate', start, config)).toMatchObject({ state: 'closed', calls: 9, failures: 5 });
      const opened = await call('rate', start + 1, failure, config);
      expect(opened).toMatchObject({ state: 'open', calls: 10, failures: 6, failureRate: 0.6, consecutiveOpens: 1 });

      for (let index = 0; index < 5; index += 1) await call('boundary', start, success, config);
      for (let index = 0; index < 4; index += 1) await call('boundary', start, failure, config);
      expect(await call('boundary', start, failure, config)).toMatchObject({ state: 'open', failureRate: 0.5 });

      for (let index = 0; index < 7; index += 1) await call('low-rate', start, success, config);
      for (let index = 0; index < 3; index += 1) await call('low-rate', start, failure, config);
      expect(await store.get('low-rate', start, config)).toMatchObject({
        state: 'closed',
        calls: 10,
        failureRate: 0.3,
      });
    });

    it('turns half-open when the open time is over and admits at most halfOpenMaxProbes probes', async () => {
      await trip('probes', start);
      expect(await store.get('probes', start + 999, baseConfig)).toMatchObject({ state: 'open' });
      expect(await store.get('probes', start + 1_000, baseConfig)).toMatchObject({
        state: 'half-open',
        retryAt: undefined,
      });

      const first = await store.tryAcquire('probes', start + 1_000, baseConfig);
      const second = await store.tryAcquire('probes', start + 1_001, baseConfig);
      const third = await store.tryAcquire('probes', start + 1_002, baseConfig);
      expect(first).toMatchObject({ allowed: true, ticket: { kind: 'probe' } });
      expect(second).toMatchObject({ allowed: true, ticket: { kind: 'probe' } });
      expect(third).toMatchObject({
        allowed: false,
        snapshot: { state: 'half-open', probesInFlight: 2, retryAt: start + 1_000 + baseConfig.probeTimeoutMs },
      });
    });

    it('closes after successesToClose probe successes and starts a fresh window', async () => {
      await trip('close', start);
      const now = start + 1_000;
      const first = await admit('close', now);
      const second = await admit('close', now);
      expect(await store.recordResult('close', first, success, now, baseConfig)).toMatchObject({
        state: 'half-open',
        probeSuccesses: 1,
        probesInFlight: 1,
      });
      expect(await store.recordResult('close', second, success, now + 5, baseConfig)).toMatchObject({
        state: 'closed',
        failures: 0,
        calls: 0,
        openedAt: undefined,
        retryAt: undefined,
        consecutiveOpens: 0,
        probeSuccesses: 0,
        probesInFlight: 0,
      });
      expect(await store.tryAcquire('close', now + 6, baseConfig)).toMatchObject({
        allowed: true,
        ticket: { kind: 'call' },
      });
    });

    it('reopens on a probe failure for twice as long each time, up to maxResetTimeoutMs', async () => {
      let snapshot = await trip('growth', start);
      const openTimes = [snapshot.retryAt! - snapshot.openedAt!];
      for (let round = 0; round < 4; round += 1) {
        snapshot = await call('growth', snapshot.retryAt!, failure);
        expect(snapshot.state).toBe('open');
        openTimes.push(snapshot.retryAt! - snapshot.openedAt!);
      }
      expect(openTimes).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
      expect(snapshot.consecutiveOpens).toBe(5);
    });

    it('starts again from resetTimeoutMs after a full close', async () => {
      let snapshot = await trip('regrow', start);
      snapshot = await call('regrow', snapshot.retryAt!, failure);
      expect(snapshot).toMatchObject({ consecutiveOpens: 2 });
      const now = snapshot.retryAt!;
      await call('regrow', now, success);
      expect((await call('regrow', now, success)).state).toBe('closed');
      snapshot = await trip('regrow', now + 1);
      expect(snapshot).toMatchObject({ state: 'open', consecutiveOpens: 1, retryAt: now + 1 + 1_000 });
    });

    it('opens for exactly retryAfterMs on a rate limit, without growing the open time', async () => {
      const limited: BreakerOutcome = {
        type: 'rate-limited',
        retryAfterMs: 12_345,
        error: { code: 'PROVIDER_RATE_LIMITED', message: '429' },
      };
      const snapshot = await call('limited', start, limited);
      expect(snapshot).toMatchObject({
        state: 'open',
        openedAt: start,
        retryAt: start + 12_345,
        consecutiveOpens: 0,
        lastError: { code: 'PROVIDER_RATE_LIMITED' },
      });
      expect((await store.tryAcquire('limited', start + 12_344, baseConfig)).allowed).toBe(false);
      const probe = await store.tryAcquire('limited', start + 12_345, baseConfig);
      expect(probe).toMatchObject({ allowed: true, ticket: { kind: 'probe' } });
      const reopened = await store.recordResult(
        'limited',
        (probe as { ticket: BreakerTicket }).ticket,
        failure,
        start + 12_345,
        baseConfig,
      );
      expect(reopened).toMatchObject({ consecutiveOpens: 1, retryAt: start + 12_345 + 1_000 });
    });

    it('extends an open circuit on a longer rate limit but never shortens it', async () => {
      const callTicket = await admit('extend', start);
      await trip('extend', start);
      const shorter: BreakerOutcome = { type: 'rate-limited', retryAfterMs: 500 };
      expect(await store.recordResult('extend', callTicket, shorter, start + 10, baseConfig)).toMatchObject({
        retryAt: start + 1_000,
      });
      const longer: BreakerOutcome = { type: 'rate-limited', retryAfterMs: 3_000 };
      expect(await store.recordResult('extend', callTicket, longer, start + 20, baseConfig)).toMatchObject({
        state: 'open',
        openedAt: start,
        retryAt: start + 3_020,
      });
    });

    it('disables the target on a disable result until reset', async () => {
      const pending = await admit('auth', start);
      const disabled = await call('auth', start, { type: 'disable', error: { code: 'PROVIDER_AUTH', message: '401' } });
      expect(disabled).toMatchObject({
        state: 'disabled',
        openedAt: start,
        retryAt: undefined,
        lastError: { code: 'PROVIDER_AUTH' },
      });
      await store.recordResult('auth', pending, success, start + 1, baseConfig);
      const dayLater = start + 86_400_000;
      expect(await store.tryAcquire('auth', dayLater, baseConfig)).toMatchObject({
        allowed: false,
        snapshot: { state: 'disabled' },
      });
      expect(await store.reset('auth', dayLater, baseConfig)).toMatchObject({
        state: 'closed',
        lastError: undefined,
        openedAt: undefined,
      });
      expect(await store.tryAcquire('auth', dayLater, baseConfig)).toMatchObject({ allowed: true });
    });

    it('gives an ignored probe its slot back without counting it', async () => {
      await trip('ignore', start);
      const now = start + 1_000;
      const first = await admit('ignore', now);
      await admit('ignore', now);
      expect((await store.tryAcquire('ignore', now, baseConfig)).allowed).toBe(false);
      expect(await store.recordResult('ignore', first, { type: 'ignore' }, now, baseConfig)).toMatchObject({
        state: 'half-open',
        probesInFlight: 1,
        probeSuccesses: 0,
      });
      expect((await store.tryAcquire('ignore', now, baseConfig)).allowed).toBe(true);

      expect(await call('ignore-closed', start, { type: 'ignore' })).toMatchObject({ calls: 0, failures: 0 });
    });

    it('ignores results of calls admitted before the circuit moved on', async () => {
      const early = await admit('stale', start);
      await trip('stale', start);
      const now = start + 1_000;
      const probe = await admit('stale', now);
      expect(await store.recordResult('stale', early, success, now, baseConfig)).toMatchObject({ probeSuccesses: 0 });
      expect(await store.recordResult('stale', early, failure, now, baseConfig)).toMatchObject({ state: 'half-open' });
      await store.recordResult('stale', probe, success, now, baseConfig);
      await call('stale', now, success);
      expect(await store.recordResult('stale', early, failure, now + 1, baseConfig)).toMatchObject({
        state: 'closed',
        failures: 0,
      });
    });

    it('hands the slot of a probe that never reports back to a new probe after probeTimeoutMs', async () => {
      await trip('lost', start);
      const now = start + 1_000;
      const lost = await admit('lost', now);
      await admit('lost', now);
      expect((await store.tryAcquire('lost', now + baseConfig.probeTimeoutMs - 1, baseConfig)).allowed).toBe(false);
      const later = now + baseConfig.probeTimeoutMs;
      const replacements = await Promise.all([
        store.tryAcquire('lost', later, baseConfig),
        store.tryAcquire('lost', later, baseConfig),
        store.tryAcquire('lost', later, baseConfig),
      ]);
      expect(replacements.filter((acquisition) => acquisition.allowed)).toHaveLength(2);
      expect(await store.recordResult('lost', lost, success, later, baseConfig)).toMatchObject({ probeSuccesses: 0 });
    });

    it('admits exactly halfOpenMaxProbes of many concurrent acquires', async () => {
      await trip('race', start);
      const now = start + 1_000;
      const acquisitions = await Promise.all(
        Array.from({ length: 10 }, () => store.tryAcquire('race', now, baseConfig)),
      );
      const tickets = acquisitions.flatMap((acquisition) => (acquisition.allowed ? [acquisition.ticket] : []));
      expect(tickets).toHaveLength(2);
      expect(new Set(tickets.map((ticket) => (ticket.kind === 'probe' ? ticket.probeId : 'call'))).size).toBe(2);
    });

    it('ignores probe tickets issued before a reset', async () => {
      await trip('reset', start);
      const oldProbe = await admit('reset', start + 1_000);
      await store.reset('reset', start + 1_001, baseConfig);
      await trip('reset', start + 1_002);
      await admit('reset', start + 2_002);
      expect(await store.recordResult('reset', oldProbe, success, start + 2_003, baseConfig)).toMatchObject({
        state: 'half-open',
        probeSuccesses: 0,
        probesInFlight: 1,
      });
    });

    it('keeps targets apart', async () => {
      await trip('anthropic:claude-sonnet-4-5', start);
      expect((await store.get('anthropic:claude-sonnet-4-5', start, baseConfig)).state).toBe('open');
      expect((await store.get('openai:gpt-5', start, baseConfig)).state).toBe('closed');
    });
  });
}
