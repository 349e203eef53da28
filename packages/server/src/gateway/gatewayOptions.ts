import { FragmentkitError } from '@fragmentkit/core';

/**
 * Settings of the OpenAI-compatible gateway (`POST {basePath}/v1/chat/completions`), which
 * answers through the configured router.
 *
 * @example
 * ```ts
 * const gateway: GatewayOptions = {
 *   models: { 'fk-smart': 'generate', 'fk-fast': 'summarize' },
 *   fallbacks: ['local-ollama'],
 * };
 * ```
 */
export interface GatewayOptions {
  /** The model names clients send → the router task (route) that answers them. */
  models: Readonly<Record<string, string>>;
  /**
   * Router target ids a request's `fallbacks` field may add after its route. Default: none, so
   * a request naming any gets 400: callers must not pick what the host pays for.
   */
  fallbacks?: readonly string[];
  /** Most fallbacks one request may add. Default 5. */
  maxFallbacks?: number;
}

/**
 * {@link GatewayOptions} with defaults applied.
 *
 * @example
 * ```ts
 * const resolved: ResolvedGatewayOptions = resolveGatewayOptions({ models: { 'fk-smart': 'generate' } });
 * resolved.models.get('fk-smart'); // 'generate'
 * ```
 */
export interface ResolvedGatewayOptions {
  models: ReadonlyMap<string, string>;
  fallbacks: ReadonlySet<string>;
  maxFallbacks: number;
}

/**
 * Checks the gateway settings once, when the server is created.
 *
 * @throws FragmentkitError `INVALID_REQUEST` naming the setting that is wrong.
 *
 * @example
 * ```ts
 * const gateway = resolveGatewayOptions({ models: { 'fk-smart': 'generate' }, fallbacks: ['local'] });
 * gateway.fallbacks.has('local'); // true
 * ```
 */
export function resolveGatewayOptions(options: GatewayOptions): ResolvedGatewayOptions {
  const models = Object.entries(options?.models ?? {});
  const invalid = (option: string, problem: string) =>
    new FragmentkitError('INVALID_REQUEST', `createFragmentkit: \`gateway.${option}\` ${problem}`, {
      details: { option: `gateway.${option}` },
    });
  if (models.length === 0) throw invalid('models', 'must map at least one model name to a router task.');
  const badModel = models.find(([alias, task]) => alias.trim() === '' || typeof task !== 'string' || task === '');
  if (badModel)
    throw invalid('models', `maps '${badModel[0]}' to '${String(badModel[1])}': both must be non-empty strings.`);
  const fallbacks = options.fallbacks ?? [];
  if (!Array.isArray(fallbacks) || fallbacks.some((id) => typeof id !== 'string' || id === '')) {
    throw invalid('fallbacks', 'must be an array of router target ids.');
  }
  const maxFallbacks = options.maxFallbacks ?? 5;
  if (!Number.isInteger(maxFallbacks) || maxFallbacks < 0)
    throw invalid('maxFallbacks', 'must be a whole number of at least 0.');
  return { models: new Map(models), fallbacks: new Set(fallbacks), maxFallbacks };
}
