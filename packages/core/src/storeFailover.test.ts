import { describe, expect, it } from 'vitest';
import { createStoreFailover } from './storeFailover.js';

interface CounterStore {
  readonly name: string;
  increment(key: string): Promise<number>;
}

function createCounterStore(name: string): CounterStore {
  const counts = new Map<string, number>();
  return {
    name,
    async increment(key) {
      const next = (counts.get(key) ?? 0) + 1;
      counts.set(key, next);
      return next;
    },
  };
}

/** A store that fails while `down` is true, like Redis during an outage. */
function createSwitchableStore(name: string) {
  const inner = createCounterStore(name);
  const control = { down: false, calls: 0 };
  const store: CounterStore = {
    name,
    async increment(key) {
      control.calls += 1;
      if (control.down) throw new Error(`${name} is unreachable`);
      return inner.increment(key);
    },
  };
  return { store, control };
}

describe('createStoreFailover', () => {
  it('uses the primary while it answers and never creates the insurance store', async () => {
    let fallbacksCreated = 0;
    const failover = createStoreFailover({
      primary: createCounterStore('redis'),
      createFallback: () => {
        fallbacksCreated += 1;
        return createCounterStore('memory');
      },
    });
    expect(await failover.run('a', (store) => store.increment('a'))).toEqual({ result: 1, fromFallback: false });
    expect(await failover.run('a', (store) => store.increment('a'))).toEqual({ result: 2, fromFallback: false });
    expect(fallbacksCreated).toBe(0);
    expect(failover.fallback).toBeUndefined();
    expect(failover.isHealthy()).toBe(true);
  });

  it('answers from one insurance store during an outage, reports each failure and flags the first', async () => {
    const { store, control } = createSwitchableStore('redis');
    const failures: { message: string; context: string; outageStarted: boolean }[] = [];
    let fallbacksCreated = 0;
    const failover = createStoreFailover<CounterStore, string>({
      primary: store,
      createFallback: () => {
        fallbacksCreated += 1;
        return createCounterStore('memory');
      },
      onFailure: (error, { context, outageStarted }) =>
        failures.push({ message: (error as Error).message, context, outageStarted }),
    });

    control.down = true;
    expect(await failover.run('first', (current) => current.increment('k'))).toEqual({ result: 1, fromFallback: true });
    expect(await failover.run('second', (current) => current.increment('k'))).toEqual({
      result: 2,
      fromFallback: true,
    });
    expect(failures).toEqual([
      { message: 'redis is unreachable', context: 'first', outageStarted: true },
      { message: 'redis is unreachable', context: 'second', outageStarted: false },
    ]);
    expect(fallbacksCreated).toBe(1);
    expect(failover.fallback?.name).toBe('memory');
    expect(failover.isHealthy()).toBe(false);
  });

  it('goes back to the primary as soon as it answers, reports the recovery once, and flags the next outage again', async () => {
    const { store, control } = createSwitchableStore('redis');
    const outageStarts: boolean[] = [];
    const recoveries: string[] = [];
    const failover = createStoreFailover({
      primary: store,
      createFallback: () => createCounterStore('memory'),
      onFailure: (_error, { outageStarted }) => outageStarts.push(outageStarted),
      onRecovery: (context: string) => recoveries.push(context),
    });

    control.down = true;
    await failover.run('during', (current) => current.increment('k'));
    control.down = false;
    expect(await failover.run('back', (current) => current.increment('k'))).toEqual({ result: 1, fromFallback: false });
    expect(await failover.run('steady', (current) => current.increment('k'))).toEqual({
      result: 2,
      fromFallback: false,
    });
    expect(recoveries).toEqual(['back']);
    expect(failover.isHealthy()).toBe(true);

    control.down = true;
    await failover.run('again', (current) => current.increment('k'));
    expect(outageStarts).toEqual([true, true]);
    expect(control.calls).toBe(4);
  });

  it('rejects with the insurance store error when both fail', async () => {
    const failover = createStoreFailover<CounterStore, undefined>({
      primary: { name: 'redis', increment: async () => Promise.reject(new Error('primary down')) },
      createFallback: () => ({ name: 'memory', increment: async () => Promise.reject(new Error('memory broken')) }),
    });
    await expect(failover.run(undefined, (store) => store.increment('k'))).rejects.toThrow('memory broken');
  });
});
