import { createAnthropicModel } from '@fragmentkit/core/providers';
import { createFragmentkit } from '@fragmentkit/server';
import { toNextHandlers } from '@fragmentkit/server/next';
import { createGatedModel } from '../../../../gatedModel.js';

// The test passes the loopback URLs of its fake Anthropic API and of its gate.
const fragmentkit = createFragmentkit({
  models: {
    fake: createAnthropicModel({
      apiKey: 'test-key',
      model: 'claude-test',
      baseURL: process.env.FRAGMENTKIT_FAKE_ANTHROPIC_URL,
    }),
    gated: createGatedModel(process.env.FRAGMENTKIT_TEST_GATE_URL),
  },
});

export const { GET, POST } = toNextHandlers(fragmentkit);
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
