// #region limits
import { computeCost, createPriceTable, createQuota } from '@fragmentkit/core';
import { createAnthropicModel } from '@fragmentkit/core/providers';
import { createFragmentkit, createRateLimiter, type RateLimitPolicy, tieredDailyPolicies } from '@fragmentkit/server';

// Built-in prices (USD per million tokens) plus your own; `provider:*` prices a whole provider.
const prices = createPriceTable({
  'ollama:*': { input: 0, output: 0 },
  'acme:coder-large': { input: 2, output: 8, cachedInput: 0.5 },
});

// Requests per day by plan, plus a burst limit of 5 a minute per user (or per address for guests).
const burst: RateLimitPolicy = {
  name: 'burst',
  algorithm: 'token-bucket',
  limit: 5,
  windowMs: 60_000,
  key: (subject) => (subject.userId ? `user:${subject.userId}` : subject.ip ? `ip:${subject.ip}` : null),
};

export const fragmentkit = createFragmentkit({
  model: createAnthropicModel({
    apiKey: process.env.ANTHROPIC_API_KEY!,
    model: 'claude-sonnet-4-5',
    baseURL: process.env.ANTHROPIC_BASE_URL,
  }),
  // Prices every model call for the quota (and the usage ledger when a store is configured).
  costOf: (usage, model) => computeCost(usage, model, prices)?.totalUsd,
  // Spending limits, checked before each model call and charged after it.
  quota: createQuota({ limits: { user: { dailyUsd: 2, dailyTokens: 500_000 }, team: { monthlyUsd: 200 } } }),
  // Request limits, answered with 429 and the IETF RateLimit headers.
  rateLimit: createRateLimiter({
    policies: [...tieredDailyPolicies({ guest: 10, free: 50, pro: 200 }), burst],
  }),
});
// #endregion

// #region cost
const usage = { inputTokens: 1_200, outputTokens: 800, cachedInputTokens: 50_000 };
export const cost = computeCost(usage, { provider: 'anthropic', modelId: 'claude-sonnet-4-5-20250929' }, prices);
// cost?.totalUsd: the price of this call; undefined when the table has no price for the model
// #endregion
