import { describe, expect, it } from 'vitest';
import { createDeferred } from '../test/deferred.js';
import { collectSse, readSse } from '../test/readSse.js';
import { finishEvent, fragmentDeltas, sampleUsage } from '../test/sampleFragment.js';
import { createScriptedModel } from '../test/scriptedModel.js';
import type { AuthContext } from './auth/authContext.js';
import type { ChatQuota, ChatQuotaDecision, CostFunction, QuotaSubjectIds } from './chatQuota.js';
import { setClientAddress } from './clientAddress.js';
import { createFragmentkit } from './fragmentkit.js';

const silentLogger = { info() {}, warn() {}, error() {} };
const auth = async (): Promise<AuthContext> => ({ userId: 'user-1', teamId: 'team-1', roles: ['member'] });

function chat(): Request {
  return setClientAddress(
    new Request('http://localhost/api/fragmentkit/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Make a counter' }),
    }),
    '203.0.113.7',
  );
}

function recordingQuota(decision: ChatQuotaDecision) {
  const recorded = createDeferred();
  const checks: QuotaSubjectIds[] = [];
  const records: { subject: QuotaSubjectIds; consumption: { tokens: number; usd?: number } }[] = [];
  const quota: ChatQuota = {
    async check(subject) {
      checks.push(subject);
      return decision;
    },
    async record(subject, consumption) {
      records.push({ subject, consumption });
      recorded.resolve();
    },
  };
  return { quota, checks, records, recorded: recorded.promise };
}

describe('quota through the chat route', () => {
  it('refuses a subject whose quota is used up with 429 QUOTA_EXCEEDED and Retry-After, without calling the model', async () => {
    const checkedAt = Date.UTC(2025, 6, 1, 22);
    const retryAt = Date.UTC(2025, 6, 2);
    const exceeded = [{ scope: 'user', period: 'day', metric: 'tokens', limit: 1000, used: 1200 }];
    const { quota, checks, records } = recordingQuota({ allowed: false, retryAt, checkedAt, exceeded });
    const model = createScriptedModel([...fragmentDeltas(), finishEvent]);
    const { handler } = createFragmentkit({ model, auth, quota, logger: silentLogger });
    const response = await handler(chat());
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe(String(2 * 60 * 60));
    expect(await response.json()).toEqual({
      error: {
        code: 'QUOTA_EXCEEDED',
        message:
          'Your usage quota is used up. It resets at 2025-07-02T00:00:00.000Z. Try again then, or ask for a higher limit.',
        details: { retryAt, retryAfterSeconds: 7200, exceeded },
      },
    });
    expect(checks).toEqual([{ userId: 'user-1', teamId: 'team-1' }]);
    expect(model.requests).toHaveLength(0);
    expect(records).toHaveLength(0);
  });

  it('charges what the call used, priced by costOf, once the stream ends', async () => {
    const { quota, records } = recordingQuota({ allowed: true });
    const usage = { ...sampleUsage, cachedInputTokens: 1000, cacheWriteTokens: 50 };
    const model = createScriptedModel([...fragmentDeltas(), { ...finishEvent, usage } as typeof finishEvent]);
    const costOf: CostFunction = (used, priced) =>
      priced.modelId === 'scripted-1' ? used.outputTokens / 1000 : undefined;
    const { handler } = createFragmentkit({ model, auth, quota, costOf, logger: silentLogger });
    const events = await collectSse((await handler(chat())).body!);
    expect(events.at(-1)?.data.type).toBe('done');
    expect(records).toEqual([
      { subject: { userId: 'user-1', teamId: 'team-1' }, consumption: { tokens: 120 + 80 + 1000 + 50, usd: 0.08 } },
    ]);
  });

  it('charges the tokens of a stream the client abandoned and leaves out an unknown price', async () => {
    const { quota, records, recorded } = recordingQuota({ allowed: true });
    const model = createScriptedModel([
      { type: 'usage', usage: { inputTokens: 500, outputTokens: 0 } },
      ...fragmentDeltas().slice(0, 1),
      { type: 'wait', until: new Promise(() => {}) },
    ]);
    const { handler } = createFragmentkit({ model, auth, quota, costOf: () => undefined, logger: silentLogger });
    const response = await handler(chat());
    for await (const event of readSse(response.body!)) {
      if (event.data.type === 'fragment-delta') break;
    }
    await recorded;
    expect(records).toEqual([{ subject: { userId: 'user-1', teamId: 'team-1' }, consumption: { tokens: 500 } }]);
  });
});
