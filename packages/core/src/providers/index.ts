export type { AnthropicModelOptions } from './anthropic.js';
export { createAnthropicModel } from './anthropic.js';
export type { AnthropicTokenCounterOptions } from './anthropicTokenCounter.js';
export { createAnthropicTokenCounter } from './anthropicTokenCounter.js';
export type { OpenAICompatibleModelOptions, OpenAIModelOptions } from './openai.js';
export { createOpenAICompatibleModel, createOpenAIModel } from './openai.js';
export type { ProviderErrorOptions } from './providerErrors.js';
export { toProviderError } from './providerErrors.js';
