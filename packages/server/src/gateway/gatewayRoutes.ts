import { FragmentkitError, type Router } from '@fragmentkit/core';
import type { RouteMethods } from '../router.js';
import { createChatCompletionsRoute } from './chatCompletionsRoute.js';
import type { GatewayAccounting } from './gatewayAccounting.js';
import { type GatewayOptions, resolveGatewayOptions } from './gatewayOptions.js';
import { createModelsRoute } from './modelsRoute.js';
import { openAIErrorResponse } from './openAIError.js';

/**
 * Options of {@link createGatewayRoutes}.
 *
 * @example
 * ```ts
 * const options: GatewayRoutesOptions = { router, gateway: { models: { 'fk-smart': 'generate' } }, maxBodyBytes: 1_000_000, accounting };
 * ```
 */
export interface GatewayRoutesOptions {
  router: Router | undefined;
  gateway: GatewayOptions | undefined;
  maxBodyBytes: number;
  accounting: GatewayAccounting;
}

/**
 * The OpenAI-compatible routes, `/v1/chat/completions` (rate limited like `/chat`) and
 * `/v1/models`, when the host configured a gateway. Their errors, including auth and rate
 * limit refusals, use OpenAI's error shape.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when `gateway` is set without a `router`, or is invalid.
 *
 * @example
 * ```ts
 * const routes = { ...createGatewayRoutes({ router, gateway, maxBodyBytes, accounting }) };
 * ```
 */
export function createGatewayRoutes(options: GatewayRoutesOptions): Record<string, RouteMethods> {
  const { router } = options;
  if (!options.gateway) return {};
  if (!router) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      'createFragmentkit: `gateway` answers through a router; pass `router` (createRouter from @fragmentkit/core) too.',
      { details: { option: 'gateway' } },
    );
  }
  const gateway = resolveGatewayOptions(options.gateway);
  return {
    '/v1/chat/completions': {
      POST: {
        rateLimited: true,
        errorResponse: openAIErrorResponse,
        handler: createChatCompletionsRoute({
          router,
          gateway,
          maxBodyBytes: options.maxBodyBytes,
          accounting: options.accounting,
        }),
      },
    },
    '/v1/models': { GET: { errorResponse: openAIErrorResponse, handler: createModelsRoute(gateway) } },
  };
}
