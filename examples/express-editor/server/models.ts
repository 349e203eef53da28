import type { LanguageModel } from '@fragmentkit/core';
import { createAnthropicModel, createOpenAIModel } from '@fragmentkit/core/providers';

/** The models this app can answer with, read from environment variables. */
export interface ConfiguredModels {
  model: LanguageModel | undefined;
  models: Record<string, LanguageModel>;
}

/**
 * Reads provider settings from the environment:
 * - `ANTHROPIC_API_KEY` (+ optional `ANTHROPIC_MODEL`, `ANTHROPIC_BASE_URL`)
 * - `OPENAI_API_KEY` (+ optional `OPENAI_MODEL`, `OPENAI_BASE_URL`)
 * - `OPENAI_BASE_URL` alone for a keyless OpenAI-compatible server such as a local Ollama
 *   (`OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=qwen2.5-coder`).
 * The first configured one is the default.
 */
export function modelsFromEnv(env: NodeJS.ProcessEnv): ConfiguredModels {
  const models: Record<string, LanguageModel> = {};
  if (env.ANTHROPIC_API_KEY) {
    models.anthropic = createAnthropicModel({
      apiKey: env.ANTHROPIC_API_KEY,
      model: env.ANTHROPIC_MODEL || 'claude-sonnet-4-5',
      ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
    });
  }
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) {
    const isOpenAI = !env.OPENAI_BASE_URL || env.OPENAI_BASE_URL.includes('api.openai.com');
    models.openai = createOpenAIModel({
      model: env.OPENAI_MODEL || (isOpenAI ? 'gpt-4o-mini' : 'qwen2.5-coder'),
      provider: isOpenAI ? 'openai' : 'openai-compatible',
      ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    });
  }
  return { model: Object.values(models)[0], models };
}
