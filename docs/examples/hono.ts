// #region server
import { createAnthropicModel } from '@fragmentkit/core/providers';
import { createFragmentkit } from '@fragmentkit/server';
import { toHonoHandler } from '@fragmentkit/server/hono';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const fragmentkit = createFragmentkit({
  model: createAnthropicModel({
    apiKey: process.env.ANTHROPIC_API_KEY!,
    model: 'claude-sonnet-4-5',
    baseURL: process.env.ANTHROPIC_BASE_URL,
  }),
});

export const app = new Hono();
app.all(`${fragmentkit.basePath}/*`, toHonoHandler(fragmentkit));
// #endregion

/** Starts the app as the guide shows it; the tests call `app.request` instead. */
export function listen(): void {
  // #region server
  serve({ fetch: app.fetch, port: 3000 });
  // #endregion
}
