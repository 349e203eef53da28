import { describe, expect, it } from 'vitest';
import { describeWithRedis } from '../../test/testRedis.js';
import { createFakeClock, type FakeClock } from '../store/__fixtures__/storeTestData.js';
import { createMemoryPreviewShareStore } from './memoryPreviewShareStore.js';
import type { PreviewShare, PreviewShareStore } from './previewShareStore.js';
import { createRedisPreviewShareStore } from './redisPreviewShareStore.js';

const minute = 60_000;
const day = 24 * 60 * minute;

function share(clock: FakeClock, overrides: Partial<PreviewShare> = {}): PreviewShare {
  return {
    id: `share-${Math.random().toString(36).slice(2)}`,
    url: 'http://127.0.0.1:40001/',
    teamId: 'team-a',
    userId: 'user-1',
    createdAt: clock.now(),
    expiresAt: clock.now() + 10 * minute,
    ...overrides,
  };
}

/** The contract every store keeps; `make` gets a clock that decides expiry. */
function contract(make: (clock: FakeClock) => PreviewShareStore) {
  it('remembers a preview URL for its team until its TTL passes', async () => {
    const clock = createFakeClock(Date.now());
    const store = make(clock);
    await store.rememberPreview('team-a', 'http://127.0.0.1:40001/', 5 * minute);
    expect(await store.hasPreview('team-a', 'http://127.0.0.1:40001/')).toBe(true);
    expect(await store.hasPreview('team-b', 'http://127.0.0.1:40001/')).toBe(false);
    expect(await store.hasPreview('team-a', 'http://127.0.0.1:40002/')).toBe(false);
    clock.advance(5 * minute);
    expect(await store.hasPreview('team-a', 'http://127.0.0.1:40001/')).toBe(false);
  });

  it('keeps team ids that look alike apart', async () => {
    const clock = createFakeClock(Date.now());
    const store = make(clock);
    await store.rememberPreview('a:b', 'c', minute);
    expect(await store.hasPreview('a', 'b:c')).toBe(false);
    expect(await store.hasPreview('a:b', 'c')).toBe(true);
  });

  it('finds a share link, also for the retention period after it expired, then forgets it', async () => {
    const clock = createFakeClock(Date.now());
    const store = make(clock);
    const link = share(clock);
    await store.saveShare(link);
    expect(await store.findShare(link.id)).toEqual(link);
    clock.advance(11 * minute);
    expect(await store.findShare(link.id)).toEqual(link);
    clock.advance(day);
    expect(await store.findShare(link.id)).toBeNull();
    expect(await store.findShare('never-made')).toBeNull();
  });

  it('refuses a second link with a taken id', async () => {
    const clock = createFakeClock(Date.now());
    const store = make(clock);
    const link = share(clock);
    await store.saveShare(link);
    await expect(store.saveShare({ ...link, url: 'http://127.0.0.1:40009/' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    expect((await store.findShare(link.id))?.url).toBe(link.url);
  });
}

describe('memory preview share store', () => {
  contract((clock) => createMemoryPreviewShareStore({ clock, expiredRetentionMs: day }));

  it('keeps at most maxEntries, dropping the oldest first', async () => {
    const clock = createFakeClock(Date.now());
    const store = createMemoryPreviewShareStore({ clock, maxEntries: 2 });
    for (const port of [1, 2, 3]) await store.rememberPreview('team-a', `http://127.0.0.1:${port}/`, minute);
    expect(await store.hasPreview('team-a', 'http://127.0.0.1:1/')).toBe(false);
    expect(await store.hasPreview('team-a', 'http://127.0.0.1:3/')).toBe(true);
  });
});

describeWithRedis('redis preview share store', ({ redis, prefix }) => {
  contract((clock) => createRedisPreviewShareStore(redis, { keyPrefix: prefix(), clock, expiredRetentionMs: day }));

  it('lets Redis drop records when they are no longer needed', async () => {
    const clock = createFakeClock(Date.now());
    const keyPrefix = prefix();
    const store = createRedisPreviewShareStore(redis, { keyPrefix, clock, expiredRetentionMs: day });
    await store.rememberPreview('team-a', 'http://127.0.0.1:40001/', 5 * minute);
    const link = share(clock);
    await store.saveShare(link);
    const keys = (await redis.keys(`${keyPrefix}*`)).sort();
    expect(keys).toHaveLength(2);
    const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
    const [linkTtl, previewTtl] = keys[0]!.includes(':link:') ? ttls : [ttls[1]!, ttls[0]!];
    expect(previewTtl).toBeGreaterThan(0);
    expect(previewTtl).toBeLessThanOrEqual(5 * minute);
    expect(linkTtl).toBeGreaterThan(10 * minute);
    expect(linkTtl).toBeLessThanOrEqual(10 * minute + day);
  });

  it('shares links between instances', async () => {
    const clock = createFakeClock(Date.now());
    const keyPrefix = prefix();
    const first = createRedisPreviewShareStore(redis, { keyPrefix, clock });
    const second = createRedisPreviewShareStore(redis, { keyPrefix, clock });
    const link = share(clock);
    await first.rememberPreview('team-a', link.url, minute);
    await first.saveShare(link);
    expect(await second.hasPreview('team-a', link.url)).toBe(true);
    expect(await second.findShare(link.id)).toEqual(link);
  });
});
