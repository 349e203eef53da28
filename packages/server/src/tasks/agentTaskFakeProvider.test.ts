import { createRouter } from '@fragmentkit/core';
import { createAnthropicModel, createOpenAIModel } from '@fragmentkit/core/providers';
import { type FakeProvider, startFakeProvider } from '@fragmentkit/fake-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFragmentkit } from '../fragmentkit.js';
import {
  collectTaskEvents,
  counterPatchAnswer,
  createCaller,
  fixedCounterSource,
  headerAuth,
  silentLogger,
  taskBody,
} from './__fixtures__/agentTaskHarness.js';

describe('agent tasks against the fake provider over HTTP', () => {
  let anthropic: FakeProvider;
  let openai: FakeProvider;
  beforeAll(async () => {
    anthropic = await startFakeProvider({
      chunkDelayMs: 0,
      respond: () => ({ text: counterPatchAnswer, usage: { inputTokens: 900, outputTokens: 80 } }),
    });
    // The primary target refuses the request, so the router falls back.
    openai = await startFakeProvider({
      respond: () => ({ error: { status: 400, type: 'invalid_request_error', message: 'model not available' } }),
    });
  });
  afterAll(async () => {
    await anthropic.close();
    await openai.close();
  });

  it('sends the task to the router’s edit route, falls back, and records who answered', async () => {
    const router = createRouter({
      targets: {
        mini: { model: createOpenAIModel({ apiKey: 'test', model: 'gpt-test', baseURL: openai.openaiBaseURL }) },
        claude: {
          model: createAnthropicModel({ apiKey: 'test', model: 'claude-test', baseURL: anthropic.anthropicBaseURL }),
        },
      },
      routes: { generate: ['claude'], edit: ['mini', 'claude'] },
    });
    const fragmentkit = createFragmentkit({ router, auth: headerAuth, guest: false, logger: silentLogger, tasks: {} });
    const call = createCaller(fragmentkit);
    const { taskId } = await (await call('/tasks', { method: 'POST', json: taskBody() })).json();
    const view = (await collectTaskEvents(await call(`/tasks/${taskId}/events`))).at(-1)!.view;

    expect(view.status).toBe('done');
    expect(view.result?.files[0]?.content).toBe(fixedCounterSource);
    expect(view.metrics).toMatchObject({
      provider: 'anthropic',
      model: 'claude-test',
      inputTokens: 900,
      outputTokens: 80,
    });
    expect(openai.requests.map((request) => request.model)).toEqual(['gpt-test']);
    expect(anthropic.requests).toHaveLength(1);
    const [sent] = anthropic.requests;
    expect(sent!.system).toContain('unified diff');
    expect(sent!.messages.at(-1)!.content).toContain('Fix the increment function');
    expect(sent!.messages.at(-1)!.content).toContain('export function double');
  });
});
