import { FragmentkitError, type LanguageModel, type Router } from '@fragmentkit/core';
import type { Caller } from './auth/caller.js';
import type { ChatModel } from './chatModel.js';
import { type ChatTasks, createRouterChatModel } from './routerModel.js';

/** One selectable model, as the health route lists it. */
export interface ModelEntry {
  id: string;
  model: LanguageModel;
}

/** The models a fragmentkit instance may answer with. */
export interface ModelCatalog {
  entries: ModelEntry[];
  defaultId: string | null;
  /** Answers requests that name no model, when the host configured one. */
  router: Router | undefined;
  /**
   * The model for a request's `model` field, or the default when it is absent: the router
   * (for this caller) when there is one, else the default model.
   */
  select(id: string | undefined, caller?: Caller): ChatModel;
}

/**
 * A router that answers chats which name no model, and the tasks it answers them with.
 *
 * @example
 * ```ts
 * const catalog = createModelCatalog(undefined, {}, { router, tasks: defaultChatTasks });
 * ```
 */
export interface CatalogRouter {
  router: Router;
  tasks: ChatTasks;
}

/** The id under which a default `model` appears when it is not also one of `models`. */
export const defaultModelId = 'default';

const notConfiguredMessage =
  'No language model is configured. Set ANTHROPIC_API_KEY, OPENAI_API_KEY or an OpenAI-compatible base URL ' +
  '(e.g. a local Ollama at http://localhost:11434/v1), create a model with createAnthropicModel or ' +
  'createOpenAIModel from @fragmentkit/core/providers, and pass it as `model` to createFragmentkit.';

export function createModelCatalog(
  model: LanguageModel | undefined,
  models: Record<string, LanguageModel> = {},
  routed?: CatalogRouter,
) {
  if (model && routed) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      'createFragmentkit: pass either `model` or `router` as what answers chats that name no model, not both.',
      { details: { option: 'router' } },
    );
  }
  const entries: ModelEntry[] = Object.entries(models).map(([id, entry]) => ({ id, model: entry }));
  let defaultId: string | null = routed ? null : (entries[0]?.id ?? null);
  if (model) {
    const named = entries.find((entry) => entry.model === model);
    defaultId = named ? named.id : defaultModelId;
    if (!named) entries.unshift({ id: defaultModelId, model });
  }

  const catalog: ModelCatalog = {
    entries,
    defaultId,
    router: routed?.router,
    select(id, caller) {
      if (id === undefined && routed) {
        const subject = caller && { userId: caller.auth.userId, teamId: caller.auth.teamId };
        return createRouterChatModel({ ...routed, ...(subject ? { subject } : {}) });
      }
      if (entries.length === 0 && !routed) throw new FragmentkitError('PROVIDER_NOT_CONFIGURED', notConfiguredMessage);
      const wanted = id ?? defaultId;
      const entry = entries.find((candidate) => candidate.id === wanted);
      if (entry) return entry.model;
      const allowed = entries.map((candidate) => candidate.id);
      const choice =
        allowed.length === 0
          ? 'This server picks the model itself: leave `model` out.'
          : `Use one of: ${allowed.join(', ')}${routed ? ', or leave `model` out to let the server pick' : ''}.`;
      throw new FragmentkitError('INVALID_REQUEST', `Unknown model "${id}". ${choice}`, { details: { allowed } });
    },
  };
  return catalog;
}
