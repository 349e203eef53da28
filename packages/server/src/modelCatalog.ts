import { FragmentkitError, type LanguageModel } from '@fragmentkit/core';

/** One selectable model, as the health route lists it. */
export interface ModelEntry {
  id: string;
  model: LanguageModel;
}

/** The models a fragmentkit instance may answer with. */
export interface ModelCatalog {
  entries: ModelEntry[];
  defaultId: string | null;
  /** The model for a request's `model` field, or the default when it is absent. */
  select(id: string | undefined): LanguageModel;
}

/** The id under which a default `model` appears when it is not also one of `models`. */
export const defaultModelId = 'default';

const notConfiguredMessage =
  'No language model is configured. Set ANTHROPIC_API_KEY, OPENAI_API_KEY or an OpenAI-compatible base URL ' +
  '(e.g. a local Ollama at http://localhost:11434/v1), create a model with createAnthropicModel or ' +
  'createOpenAIModel from @fragmentkit/core/providers, and pass it as `model` to createFragmentkit.';

export function createModelCatalog(model: LanguageModel | undefined, models: Record<string, LanguageModel> = {}) {
  const entries: ModelEntry[] = Object.entries(models).map(([id, entry]) => ({ id, model: entry }));
  let defaultId: string | null = entries[0]?.id ?? null;
  if (model) {
    const named = entries.find((entry) => entry.model === model);
    defaultId = named ? named.id : defaultModelId;
    if (!named) entries.unshift({ id: defaultModelId, model });
  }

  const catalog: ModelCatalog = {
    entries,
    defaultId,
    select(id) {
      if (entries.length === 0) throw new FragmentkitError('PROVIDER_NOT_CONFIGURED', notConfiguredMessage);
      const wanted = id ?? defaultId;
      const entry = entries.find((candidate) => candidate.id === wanted);
      if (entry) return entry.model;
      const allowed = entries.map((candidate) => candidate.id);
      throw new FragmentkitError('INVALID_REQUEST', `Unknown model "${id}". Use one of: ${allowed.join(', ')}.`, {
        details: { allowed },
      });
    },
  };
  return catalog;
}
