// #region server
import { createAnthropicModel } from '@fragmentkit/core/providers';
import { createFragmentkit } from '@fragmentkit/server';
import { fragmentkitPlugin } from '@fragmentkit/server/fastify';
import Fastify from 'fastify';

const fragmentkit = createFragmentkit({
  model: createAnthropicModel({
    apiKey: process.env.ANTHROPIC_API_KEY!,
    model: 'claude-sonnet-4-5',
    baseURL: process.env.ANTHROPIC_BASE_URL,
  }),
});

export const app = Fastify();
await app.register(fragmentkitPlugin, { prefix: fragmentkit.basePath, fragmentkit });
// #endregion

/** Starts the app as the guide shows it; the tests call `app.inject` instead. */
export async function listen(): Promise<void> {
  // #region server
  await app.listen({ port: 3000 });
  // #endregion
}
