import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { createAnthropicTokenCounter } from './anthropicTokenCounter.js';

const countURL = 'https://api.anthropic.com/v1/messages/count_tokens';
const apiKey = 'sk-ant-api03-test-key-0123456789';
const server = setupServer();
let bodies: unknown[] = [];

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  bodies = [];
});
afterAll(() => server.close());

describe('createAnthropicTokenCounter', () => {
  it('asks the token-counting endpoint about the prompt and returns its count', async () => {
    server.use(
      http.post(countURL, async ({ request }) => {
        bodies.push(await request.json());
        expect(request.headers.get('x-api-key')).toBe(apiKey);
        return HttpResponse.json({ input_tokens: 1917 });
      }),
    );
    const countTokens = createAnthropicTokenCounter({ apiKey, model: 'claude-sonnet-4-5' });
    const counted = await countTokens({
      system: 'You write code.',
      systemCacheBreakpoints: [15],
      messages: [{ role: 'user', content: 'Make a counter' }],
    });
    expect(counted).toBe(1917);
    expect(bodies).toEqual([
      {
        model: 'claude-sonnet-4-5',
        system: 'You write code.',
        messages: [{ role: 'user', content: 'Make a counter' }],
      },
    ]);
  });

  it('turns a failure into a provider error without the key', async () => {
    server.use(
      http.post(countURL, () =>
        HttpResponse.json(
          { type: 'error', error: { type: 'authentication_error', message: `bad key ${apiKey}` } },
          { status: 401 },
        ),
      ),
    );
    const countTokens = createAnthropicTokenCounter({ apiKey, model: 'claude-sonnet-4-5' });
    const error = await countTokens({ system: '', messages: [{ role: 'user', content: 'x' }] }).catch(
      (caught: unknown) => caught,
    );
    expect(FragmentkitError.isInstance(error) && error.code).toBe('PROVIDER_AUTH');
    expect((error as Error).message).not.toContain(apiKey);
  });

  it('rejects missing configuration with PROVIDER_NOT_CONFIGURED', () => {
    expect(() => createAnthropicTokenCounter({ apiKey: '', model: 'claude-sonnet-4-5' })).toThrow(
      expect.objectContaining({ code: 'PROVIDER_NOT_CONFIGURED' }),
    );
  });
});
