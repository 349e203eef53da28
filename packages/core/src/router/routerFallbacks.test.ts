import { describe, expect, it } from 'vitest';
import { answer, drain, errors, rejectionOf, scriptedModel } from './__fixtures__/scriptedModel.js';
import { createManualClock } from './manualClock.js';
import { createRouter } from './router.js';
import type { RouterBeforeRouteContext } from './routerTypes.js';

const request = { system: 'You write code.', messages: [{ role: 'user' as const, content: 'A counter' }] };

function setup() {
  const primary = scriptedModel('anthropic', 'sonnet', [{ reject: errors.badRequest() }]);
  const extra = scriptedModel('openai', 'mini', [answer('from extra')]);
  const local = scriptedModel('ollama', 'qwen', [answer('from local')]);
  const contexts: RouterBeforeRouteContext[] = [];
  const router = createRouter({
    targets: { primary: { model: primary }, extra: { model: extra }, local: { model: local } },
    routes: { generate: ['primary'] },
    clock: createManualClock(Date.UTC(2025, 0, 1)),
    logger: { info() {}, warn() {} },
    beforeRoute: (context) => void contexts.push(context),
  });
  return { router, primary, extra, local, contexts };
}

describe('createRouter: per-request fallbacks', () => {
  it('tries the request’s fallbacks after the route, in order, and tells beforeRoute the whole list', async () => {
    const { router, primary, extra, local, contexts } = setup();

    const { events } = await drain(
      await router.stream('generate', { ...request, fallbacks: ['extra', 'primary', 'local'] }),
    );

    expect(events[0]).toEqual({ type: 'start', targetId: 'extra', provider: 'openai', model: 'mini' });
    expect(primary.requests).toHaveLength(1);
    expect(extra.requests).toHaveLength(1);
    expect(local.requests).toHaveLength(0);
    expect(contexts[0]?.targets).toEqual([
      { targetId: 'primary', provider: 'anthropic', model: 'sonnet' },
      { targetId: 'extra', provider: 'openai', model: 'mini' },
      { targetId: 'local', provider: 'ollama', model: 'qwen' },
    ]);
  });

  it('keeps fallbacks, subject and cache out of what the models receive', async () => {
    const { router, primary } = setup();

    await router.generate('generate', {
      ...request,
      fallbacks: ['extra'],
      subject: { userId: 'u1' },
      cache: 'bypass',
    });

    expect(Object.keys(primary.requests[0]!).sort()).toEqual(['messages', 'signal', 'system']);
  });

  it('rejects an unknown fallback or a malformed list with INVALID_REQUEST before any model runs', async () => {
    const { router, primary } = setup();

    const unknown = await rejectionOf(router.stream('generate', { ...request, fallbacks: ['extra', 'gpt-9'] }));
    const malformed = await rejectionOf(router.stream('generate', { ...request, fallbacks: 'extra' as never }));
    const badCache = await rejectionOf(router.stream('generate', { ...request, cache: 'never' as never }));

    expect(unknown).toMatchObject({ code: 'INVALID_REQUEST', details: { option: 'fallbacks', unknown: ['gpt-9'] } });
    expect(malformed.code).toBe('INVALID_REQUEST');
    expect(badCache.code).toBe('INVALID_REQUEST');
    expect(primary.requests).toHaveLength(0);
  });
});
