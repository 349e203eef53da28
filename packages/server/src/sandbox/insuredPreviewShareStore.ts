import { type Clock, createStoreFailover } from '@fragmentkit/core';
import type { FragmentkitLogger } from '../logger.js';
import { createMemoryPreviewShareStore } from './memoryPreviewShareStore.js';
import type { PreviewShareStore } from './previewShareStore.js';

/**
 * A share store that keeps working while its shared store (Redis) is unreachable: records go
 * to this instance's memory meanwhile (logged once per outage), and what was kept there stays
 * found after the store answers again. Links made during an outage open only on this instance.
 *
 * @example
 * ```ts
 * const shares = createInsuredPreviewShareStore(createRedisPreviewShareStore(redis), logger, systemClock);
 * ```
 */
export function createInsuredPreviewShareStore(
  primary: PreviewShareStore,
  logger: FragmentkitLogger,
  clock: Clock,
): PreviewShareStore {
  const failover = createStoreFailover<PreviewShareStore, { operation: string }>({
    primary,
    createFallback: () => createMemoryPreviewShareStore({ clock }),
    onFailure(error, { context, outageStarted }) {
      if (!outageStarted) return;
      logger.warn(
        { operation: context.operation, errorMessage: error instanceof Error ? error.message : String(error) },
        'The preview share store failed; issued preview URLs and share links are kept in this instance until it answers again.',
      );
    },
    onRecovery: () => logger.info({}, 'The preview share store answers again.'),
  });
  const run = async <T>(operation: string, call: (store: PreviewShareStore) => Promise<T>) =>
    (await failover.run({ operation }, call)).result;

  return {
    rememberPreview: (teamId, url, ttlMs) =>
      run('rememberPreview', (store) => store.rememberPreview(teamId, url, ttlMs)),
    async hasPreview(teamId, url) {
      if (await failover.fallback?.hasPreview(teamId, url)) return true;
      return run('hasPreview', (store) => store.hasPreview(teamId, url));
    },
    saveShare: (share) => run('saveShare', (store) => store.saveShare(share)),
    async findShare(id) {
      return (await failover.fallback?.findShare(id)) ?? run('findShare', (store) => store.findShare(id));
    },
  };
}
