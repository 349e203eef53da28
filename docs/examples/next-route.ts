// #region route
// app/api/fragmentkit/[...path]/route.ts
import { createAnthropicModel } from '@fragmentkit/core/providers';
import { createFragmentkit } from '@fragmentkit/server';
import { toNextHandlers } from '@fragmentkit/server/next';

const fragmentkit = createFragmentkit({
  basePath: '/api/fragmentkit', // the route's folder
  model: createAnthropicModel({ apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' }),
});

export const { GET, POST, OPTIONS } = toNextHandlers(fragmentkit);
export const runtime = 'nodejs'; // streams need the Node runtime
export const dynamic = 'force-dynamic'; // never cache or prerender the API
// #endregion
