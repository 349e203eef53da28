// #region node-http
import http from 'node:http';
// #endregion
// #region server
import { createAnthropicModel } from '@fragmentkit/core/providers';
import { createFragmentkit } from '@fragmentkit/server';
import { toNodeHandler } from '@fragmentkit/server/node';
import express from 'express';

const fragmentkit = createFragmentkit({
  basePath: '/api/fragmentkit',
  model: createAnthropicModel({
    apiKey: process.env.ANTHROPIC_API_KEY!,
    model: 'claude-sonnet-4-5',
    baseURL: process.env.ANTHROPIC_BASE_URL, // optional: a proxy or gateway in front of Anthropic
  }),
});

export const app = express();
app.use(express.json()); // optional: the adapter also works when a body parser already read the body
app.use('/api/fragmentkit', toNodeHandler(fragmentkit));
// #endregion

/** Starts the app as the guide shows it; the tests listen on an ephemeral port instead. */
export function listen(): void {
  // #region server
  app.listen(3000);
  // #endregion
}

/** The same handler without Express. */
export function listenWithoutExpress(): http.Server {
  // #region node-http
  // basePath must match the paths this server is reached on: /api/fragmentkit/chat, /api/fragmentkit/health
  const server = http.createServer(toNodeHandler(fragmentkit)).listen(3000);
  // #endregion
  return server;
}
