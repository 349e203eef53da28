import { type Clock, FragmentkitError, systemClock } from '@fragmentkit/core';
import type { Cluster, Redis } from 'ioredis';
import { defaultExpiredShareRetentionMs, type PreviewShare, type PreviewShareStore } from './previewShareStore.js';

/**
 * Options of {@link createRedisPreviewShareStore}.
 *
 * @example
 * ```ts
 * import type { RedisPreviewShareStoreOptions } from '@fragmentkit/server/redis';
 * const options: RedisPreviewShareStoreOptions = { keyPrefix: 'myapp:share:' };
 * ```
 */
export interface RedisPreviewShareStoreOptions {
  /** Prefix of every key. Default `fk:share:`. */
  keyPrefix?: string;
  /** How long an expired share link still answers 410. Default 7 days. */
  expiredRetentionMs?: number;
  /** Decides expiry. Default `Date.now()`; keep host clocks in sync (NTP). */
  clock?: Clock;
}

/**
 * A {@link PreviewShareStore} in Redis, shared by every host instance: each issued preview
 * URL and each share link is one key that Redis drops when it expires (share links after the
 * retention period, so an expired one answers 410 until then).
 *
 * @example
 * ```ts
 * import { createFragmentkit } from '@fragmentkit/server';
 * import { createRedisPreviewShareStore } from '@fragmentkit/server/redis';
 * import { Redis } from 'ioredis';
 *
 * const redis = new Redis(process.env.REDIS_URL!, { commandTimeout: 500, enableOfflineQueue: false });
 * createFragmentkit({ model, sandbox: { provider, share: { store: createRedisPreviewShareStore(redis) } } });
 * ```
 */
export function createRedisPreviewShareStore(
  redis: Redis | Cluster,
  options: RedisPreviewShareStoreOptions = {},
): PreviewShareStore {
  const prefix = options.keyPrefix ?? 'fk:share:';
  const clock = options.clock ?? systemClock;
  const retentionMs = options.expiredRetentionMs ?? defaultExpiredShareRetentionMs;
  const previewKey = (teamId: string, url: string) =>
    `${prefix}preview:${encodeURIComponent(teamId)}:${encodeURIComponent(url)}`;
  const shareKey = (id: string) => `${prefix}link:${encodeURIComponent(id)}`;

  return {
    async rememberPreview(teamId, url, ttlMs) {
      await redis.set(previewKey(teamId, url), String(clock.now() + ttlMs), 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    async hasPreview(teamId, url) {
      const expiresAt = await redis.get(previewKey(teamId, url));
      return expiresAt !== null && Number(expiresAt) > clock.now();
    },
    async saveShare(share) {
      const keepMs = Math.max(1, Math.ceil(share.expiresAt + retentionMs - clock.now()));
      const saved = await redis.set(shareKey(share.id), JSON.stringify(share), 'PX', keepMs, 'NX');
      if (saved === null) throw new FragmentkitError('INVALID_REQUEST', `The share id ${share.id} is taken.`);
    },
    async findShare(id) {
      const json = await redis.get(shareKey(id));
      if (json === null) return null;
      const share = JSON.parse(json) as PreviewShare;
      return share.expiresAt + retentionMs > clock.now() ? share : null;
    },
  };
}
