// #region models
import { createAnthropicModel, createOpenAICompatibleModel, createOpenAIModel } from '@fragmentkit/core/providers';
import { createFragmentkit } from '@fragmentkit/server';

const claude = createAnthropicModel({ apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' });
const gpt = createOpenAIModel({ apiKey: process.env.OPENAI_API_KEY, model: 'gpt-4o-mini' });
// Any server that speaks the OpenAI Chat Completions API; a local Ollama needs no key.
const local = createOpenAICompatibleModel({
  baseURL: 'http://localhost:11434/v1',
  model: 'qwen2.5-coder:7b',
  provider: 'ollama',
});

export const fragmentkit = createFragmentkit({
  model: claude, // answers requests that name no model
  models: { claude, gpt, local }, // a request picks one with its `model` field; GET /health lists them
});
// #endregion
