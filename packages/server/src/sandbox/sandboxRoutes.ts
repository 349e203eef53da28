import { FragmentkitError, systemClock } from '@fragmentkit/core';
import { createFragmentStoreIdempotencyStore } from '../idempotency/fragmentStoreIdempotencyStore.js';
import { createIdempotency, type IdempotencyConfig } from '../idempotency/idempotency.js';
import { createMemoryIdempotencyStore } from '../idempotency/memoryIdempotencyStore.js';
import type { FragmentkitLogger } from '../logger.js';
import { observeSandboxProvider } from '../observability/observedSandboxProvider.js';
import type { FragmentkitMetrics } from '../observability/serverMetrics.js';
import type { RouteMethods } from '../router.js';
import type { FragmentStore } from '../store/fragmentStore.js';
import { createInsuredPreviewShareStore } from './insuredPreviewShareStore.js';
import { createMemoryPreviewShareStore } from './memoryPreviewShareStore.js';
import type { SandboxConfig } from './sandboxConfig.js';
import { createSandboxRoute } from './sandboxRoute.js';
import { createShareRoutes } from './shareRoutes.js';

/**
 * Options of {@link createSandboxRoutes}: `createFragmentkit`'s settings that the routes use.
 *
 * @example
 * ```ts
 * const options: SandboxRoutesOptions = { sandbox, basePath, idempotency: undefined, store: undefined, metrics, logger, maxBodyBytes: 1_000_000 };
 * ```
 */
export interface SandboxRoutesOptions {
  sandbox: SandboxConfig | undefined;
  basePath: string;
  idempotency: IdempotencyConfig | false | undefined;
  /** With a store and no idempotency store of its own, keys live in the store's table. */
  store: FragmentStore | undefined;
  metrics: FragmentkitMetrics;
  logger: FragmentkitLogger;
  maxBodyBytes: number;
}

/**
 * The sandbox routes, when a `sandbox` is configured: `POST /sandbox` and `POST /share`
 * (rate limited like chat) and the public `GET /s/:id`. The provider is wrapped with
 * `observeSandboxProvider`, so its operations show in the metrics.
 *
 * @example
 * ```ts
 * const match = createRouter(basePath, { ...createSandboxRoutes({ sandbox: config.sandbox, basePath, ...rest }) });
 * ```
 */
export function createSandboxRoutes(options: SandboxRoutesOptions): Record<string, RouteMethods> {
  const { sandbox, logger } = options;
  if (!sandbox) return {};
  if (typeof sandbox.provider?.acquire !== 'function') {
    throw new FragmentkitError('INVALID_REQUEST', 'sandbox.provider must be a SandboxProvider (it has no acquire()).');
  }
  const share = sandbox.share ?? {};
  const defaultTtlSeconds = wholePositive(share.defaultTtlSeconds ?? 3_600, 'sandbox.share.defaultTtlSeconds');
  const maxTtlSeconds = wholePositive(share.maxTtlSeconds ?? 86_400, 'sandbox.share.maxTtlSeconds');
  if (defaultTtlSeconds > maxTtlSeconds) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `sandbox.share.defaultTtlSeconds (${defaultTtlSeconds}) must not exceed maxTtlSeconds (${maxTtlSeconds}).`,
    );
  }
  const previewTtlMs = wholePositive(share.previewTtlMs ?? 3_600_000, 'sandbox.share.previewTtlMs');
  const clock = share.clock ?? systemClock;
  const shares = share.store
    ? createInsuredPreviewShareStore(share.store, logger, clock)
    : createMemoryPreviewShareStore({ clock });
  const idempotency =
    options.idempotency === false
      ? undefined
      : createIdempotency({
          ...options.idempotency,
          store:
            options.idempotency?.store ??
            (options.store
              ? createFragmentStoreIdempotencyStore(options.store.idempotencyKeys)
              : createMemoryIdempotencyStore()),
          logger,
        });
  const shareRoutes = createShareRoutes({
    shares,
    basePath: options.basePath,
    defaultTtlSeconds,
    maxTtlSeconds,
    maxBodyBytes: options.maxBodyBytes,
    clock,
  });

  return {
    '/sandbox': {
      POST: {
        rateLimited: true,
        handler: createSandboxRoute({
          config: { ...sandbox, provider: observeSandboxProvider(sandbox.provider, options.metrics) },
          idempotency,
          shares,
          previewTtlMs,
          maxBodyBytes: options.maxBodyBytes,
          logger,
        }),
      },
    },
    '/share': { POST: { rateLimited: true, handler: shareRoutes.share } },
    '/s/:id': { GET: { public: true, handler: shareRoutes.open } },
  };
}

function wholePositive(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new FragmentkitError('INVALID_REQUEST', `${name} must be a positive whole number; got ${value}.`);
  }
  return value;
}
