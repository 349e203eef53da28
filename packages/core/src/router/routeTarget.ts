import { FragmentkitError, toFragmentkitError } from '../errors.js';
import type { LanguageModel } from '../providers/types.js';
import { resolveStreamTimeouts, type StreamTimeouts } from './streamTimeouts.js';

/**
 * Builds a {@link LanguageModel}, with the caller's own API key when one is given. Without
 * credentials it builds the host's model (its own key). Used for bring-your-own-key targets.
 *
 * @example
 * ```ts
 * import { createAnthropicModel } from '@fragmentkit/core/providers';
 *
 * const factory: LanguageModelFactory = (credentials) =>
 *   createAnthropicModel({ apiKey: credentials?.apiKey ?? process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' });
 * ```
 */
export type LanguageModelFactory = (credentials?: { apiKey: string }) => LanguageModel;

/**
 * One provider × model the router can send a task to.
 *
 * @example
 * ```ts
 * import { createAnthropicModel, createOpenAIModel } from '@fragmentkit/core/providers';
 *
 * const targets: Record<string, RouterTarget> = {
 *   sonnet: {
 *     model: (credentials) =>
 *       createAnthropicModel({ apiKey: credentials?.apiKey ?? process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' }),
 *     provider: 'anthropic',
 *     contextWindow: 200_000,
 *     allowUserKey: true,
 *   },
 *   mini: {
 *     model: createOpenAIModel({ apiKey: process.env.OPENAI_API_KEY, model: 'gpt-4o-mini' }),
 *     contextWindow: 128_000,
 *     timeouts: { firstTokenMs: 8_000 },
 *   },
 * };
 * ```
 */
export interface RouterTarget {
  /**
   * The model, or a factory that builds it. The factory form is needed for
   * {@link RouterTarget.allowUserKey}; the host's model is built from it once, without credentials.
   */
  model: LanguageModel | LanguageModelFactory;
  /**
   * The provider name under which a request's `userKeys` holds this target's key. Defaults to
   * the model's `provider`; required for a factory that cannot build a model without a user key.
   */
  provider?: string;
  /**
   * The model's context window in tokens. After a context-length error the router only tries
   * targets whose window is larger than the one that failed.
   */
  contextWindow?: number;
  /** Overrides the router's timeouts for this target. */
  timeouts?: Partial<StreamTimeouts>;
  /** Lets a request's `userKeys[provider]` pay for this target instead of the host's key. Needs the factory form. */
  allowUserKey?: boolean;
}

/**
 * A model picked for one attempt.
 *
 * @example
 * ```ts
 * const { model, userKey }: ResolvedModel = target.resolve(request.userKeys);
 * ```
 */
export interface ResolvedModel {
  model: LanguageModel;
  /** True when the caller's own key is used. */
  userKey: boolean;
}

/**
 * A validated target of one router.
 *
 * @example
 * ```ts
 * const target: RouteTarget = createRouteTarget('primary', { model, contextWindow: 200_000 }, undefined);
 * target.describe(); // { provider: 'anthropic', model: 'claude-sonnet-4-5' }
 * ```
 */
export interface RouteTarget {
  readonly id: string;
  readonly contextWindow: number | undefined;
  readonly timeouts: StreamTimeouts;
  /** The provider and model id, once known (a factory target learns them from its first model). */
  describe(): { provider: string | undefined; model: string | undefined };
  /** The model for a request: built with the caller's key when allowed and given, the host's otherwise. */
  resolve(userKeys: Readonly<Record<string, string>> | undefined): ResolvedModel;
}

/**
 * Validates a target and prepares how its model is picked.
 *
 * @throws FragmentkitError `INVALID_REQUEST` for an invalid option.
 *
 * @example
 * ```ts
 * const target = createRouteTarget('primary', { model, timeouts: { idleMs: 60_000 } }, { firstTokenMs: 20_000 });
 * const { model: picked } = target.resolve({ anthropic: 'sk-ant-user' });
 * ```
 */
export function createRouteTarget(
  id: string,
  target: RouterTarget,
  routerTimeouts: Partial<StreamTimeouts> | undefined,
): RouteTarget {
  const where = `createRouter: target '${id}'`;
  if (typeof target !== 'object' || target === null || (typeof target.model !== 'function' && !isModel(target.model))) {
    throw invalid(where, 'model', 'needs `model`: a LanguageModel or a function that returns one.');
  }
  if (target.contextWindow !== undefined && !(Number.isInteger(target.contextWindow) && target.contextWindow > 0)) {
    throw invalid(where, 'contextWindow', `must be a positive integer, got ${String(target.contextWindow)}.`);
  }
  const timeouts = resolveStreamTimeouts(where, routerTimeouts, target.timeouts);
  const source = target.model;
  let houseModel: LanguageModel | undefined = typeof source === 'function' ? undefined : source;
  let provider = target.provider ?? houseModel?.provider;
  let modelId = houseModel?.modelId;

  const learn = (model: LanguageModel) => {
    provider ??= model.provider;
    modelId ??= model.modelId;
  };
  const build = (credentials?: { apiKey: string }): LanguageModel => {
    if (typeof source !== 'function') return source;
    let model: unknown;
    try {
      model = source(credentials);
    } catch (error) {
      throw notConfigured(id, credentials !== undefined, error);
    }
    if (!isModel(model)) throw notConfigured(id, credentials !== undefined, new TypeError('not a LanguageModel'));
    learn(model);
    return model;
  };

  if (target.allowUserKey) {
    if (typeof source !== 'function') {
      throw invalid(where, 'allowUserKey', 'needs the factory form of `model` to build a model with the user’s key.');
    }
    if (provider === undefined) {
      try {
        houseModel = build();
      } catch {
        throw invalid(
          where,
          'provider',
          'is required: the factory builds no model without a user key, so name the provider whose user key it takes.',
        );
      }
    }
  }

  return {
    id,
    contextWindow: target.contextWindow,
    timeouts,
    describe: () => ({ provider, model: modelId }),
    resolve(userKeys) {
      const userKey = target.allowUserKey && provider !== undefined ? userKeys?.[provider] : undefined;
      if (typeof userKey === 'string' && userKey.trim() !== '')
        return { model: build({ apiKey: userKey }), userKey: true };
      houseModel ??= build();
      return { model: houseModel, userKey: false };
    },
  };
}

function isModel(value: unknown): value is LanguageModel {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LanguageModel).stream === 'function' &&
    typeof (value as LanguageModel).provider === 'string'
  );
}

function invalid(where: string, option: string, problem: string): FragmentkitError {
  return new FragmentkitError('INVALID_REQUEST', `${where}: \`${option}\` ${problem}`, { details: { option } });
}

function notConfigured(id: string, withUserKey: boolean, error: unknown): FragmentkitError {
  const cause = toFragmentkitError(error);
  const message = withUserKey
    ? `Target '${id}' could not build a model with the user's key: ${cause.message}`
    : `Target '${id}' has no model without a user key: ${cause.message}`;
  return new FragmentkitError('PROVIDER_NOT_CONFIGURED', message, { details: { targetId: id }, cause: error });
}
