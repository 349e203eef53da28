// #region store
import { createAnthropicModel } from '@fragmentkit/core/providers';
import { createFragmentkit, createFragmentStore } from '@fragmentkit/server';
import { createPgliteDatabase } from '@fragmentkit/server/pglite';

const db = createPgliteDatabase(); // PostgreSQL in WebAssembly, in .fragmentkit/db: nothing to install
export const fragmentkit = createFragmentkit({
  model: createAnthropicModel({ apiKey: process.env.ANTHROPIC_API_KEY!, model: 'claude-sonnet-4-5' }),
  store: createFragmentStore(db, { retentionDays: 30 }),
});
process.on('SIGTERM', () => void db.close());
// #endregion
