import { type Clock, FragmentkitError, systemClock } from '@fragmentkit/core';
import { defaultExpiredShareRetentionMs, type PreviewShare, type PreviewShareStore } from './previewShareStore.js';

/**
 * Options of {@link createMemoryPreviewShareStore}.
 *
 * @example
 * ```ts
 * const options: MemoryPreviewShareStoreOptions = { expiredRetentionMs: 24 * 3_600_000, maxEntries: 50_000 };
 * ```
 */
export interface MemoryPreviewShareStoreOptions {
  /** How long an expired share link still answers 410. Default 7 days. */
  expiredRetentionMs?: number;
  /** Most preview records and share links kept; the oldest go first. Default 100,000. */
  maxEntries?: number;
  /** Decides expiry. Default `Date.now()`. */
  clock?: Clock;
}

/**
 * A {@link PreviewShareStore} in this process's memory: the default, fine for one instance.
 * Links die with the process; use `createRedisPreviewShareStore` when several instances
 * serve the same links.
 *
 * @example
 * ```ts
 * import { createMemoryPreviewShareStore } from '@fragmentkit/server';
 *
 * const shares = createMemoryPreviewShareStore({ expiredRetentionMs: 24 * 3_600_000 });
 * createFragmentkit({ model, sandbox: { provider, share: { store: shares } } });
 * ```
 */
export function createMemoryPreviewShareStore(options: MemoryPreviewShareStoreOptions = {}): PreviewShareStore {
  const clock = options.clock ?? systemClock;
  const retentionMs = options.expiredRetentionMs ?? defaultExpiredShareRetentionMs;
  const maxEntries = options.maxEntries ?? 100_000;
  const previews = new Map<string, number>();
  const shares = new Map<string, PreviewShare>();

  // Maps keep insertion order, so the first entries are the oldest.
  function prune<Value>(map: Map<string, Value>, expiry: (value: Value) => number): void {
    const now = clock.now();
    for (const [key, value] of map) if (expiry(value) <= now) map.delete(key);
    for (const key of map.keys()) {
      if (map.size <= maxEntries) break;
      map.delete(key);
    }
  }

  return {
    async rememberPreview(teamId, url, ttlMs) {
      const key = JSON.stringify([teamId, url]);
      previews.delete(key);
      previews.set(key, clock.now() + ttlMs);
      prune(previews, (expiresAt) => expiresAt);
    },
    async hasPreview(teamId, url) {
      return (previews.get(JSON.stringify([teamId, url])) ?? 0) > clock.now();
    },
    async saveShare(share) {
      const existing = shares.get(share.id);
      if (existing && existing.expiresAt + retentionMs > clock.now()) {
        throw new FragmentkitError('INVALID_REQUEST', `The share id ${share.id} is taken.`);
      }
      shares.set(share.id, { ...share });
      prune(shares, (kept) => kept.expiresAt + retentionMs);
    },
    async findShare(id) {
      const share = shares.get(id);
      if (!share || share.expiresAt + retentionMs <= clock.now()) return null;
      return { ...share };
    },
  };
}
