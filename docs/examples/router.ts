// #region router
import { createCircuitBreaker, createRouter } from '@fragmentkit/core';
import { createAnthropicModel, createOpenAIModel } from '@fragmentkit/core/providers';
import { createFragmentkit } from '@fragmentkit/server';

export const router = createRouter({
  targets: {
    sonnet: {
      model: createAnthropicModel({
        apiKey: process.env.ANTHROPIC_API_KEY!,
        model: 'claude-sonnet-4-5',
        baseURL: process.env.ANTHROPIC_BASE_URL,
      }),
      contextWindow: 200_000,
    },
    mini: {
      model: createOpenAIModel({
        apiKey: process.env.OPENAI_API_KEY,
        model: 'gpt-4o-mini',
        baseURL: process.env.OPENAI_BASE_URL,
      }),
      contextWindow: 128_000,
      timeouts: { firstTokenMs: 8_000 }, // this target's own limit
    },
  },
  // Task → targets in the order to try them. Chats use `generate`, and `edit` when the prompt
  // carries an earlier answer (falling back to `generate` when there is no `edit` route).
  routes: { generate: ['sonnet', 'mini'], edit: ['sonnet', 'mini'] },
  retry: { attempts: 2, maxRetryAfterMs: 10_000 },
  timeouts: { headersMs: 10_000, firstTokenMs: 20_000, idleMs: 30_000 },
  breaker: createCircuitBreaker({ failureThreshold: 5, resetTimeoutMs: 30_000 }),
});

export const fragmentkit = createFragmentkit({ router }); // instead of `model`
// #endregion

/** Watching the router's health, e.g. for a dashboard or an alert. */
export function watchCircuits(alert: (message: string) => void): () => void {
  // #region health
  const unsubscribe = router.subscribe(() => {
    for (const target of Object.values(router.getSnapshot().targets)) {
      if (target.circuit !== 'closed') alert(`${target.targetId} is ${target.circuit}`);
    }
  });
  // #endregion
  return unsubscribe;
}
