// A plain Express host, written the way a user of the published packages would write it.
import { fileURLToPath } from 'node:url';
import { createAnthropicModel } from '@fragmentkit/core/providers';
import { createFragmentkit } from '@fragmentkit/server';
import { toNodeHandler } from '@fragmentkit/server/node';
import express from 'express';

const baseURL = process.env.ANTHROPIC_BASE_URL;
if (!baseURL) throw new Error('Set ANTHROPIC_BASE_URL to the provider to talk to.');

const fragmentkit = createFragmentkit({
  basePath: '/api/fragmentkit',
  model: createAnthropicModel({ apiKey: 'sk-ant-packaging', model: 'claude-sonnet-4-5', baseURL }),
});

const app = express();
app.use('/api/fragmentkit', toNodeHandler(fragmentkit));
app.use(express.static(fileURLToPath(new URL('./dist', import.meta.url))));

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  // The test reads this line to learn the port.
  console.log(`listening on http://127.0.0.1:${address.port}`);
});
