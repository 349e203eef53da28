// #region config
import { createAnthropicModel } from '@fragmentkit/core/providers';
import { createFragmentkit } from '@fragmentkit/server';

export const fragmentkit = createFragmentkit({
  basePath: '/api/fragmentkit',
  model: createAnthropicModel({
    apiKey: process.env.ANTHROPIC_API_KEY!,
    model: 'claude-sonnet-4-5',
    baseURL: process.env.ANTHROPIC_BASE_URL,
  }),
  limits: { maxBodyBytes: 500_000, maxAttachments: 10 },
  attachmentBudget: { maxTokensPerAttachment: 3_000, maxTotalTokens: 12_000 },
  logger: {
    info: (fields, message) => console.log(message, fields),
    warn: (fields, message) => console.warn(message, fields),
    error: (fields, message) => console.error(message, fields),
  },
});
// #endregion
