import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { toProviderError } from './providerErrors.js';

function anthropicError(
  status: number | undefined,
  type: string,
  message: string,
  headers: Record<string, string> = {},
) {
  return Anthropic.APIError.generate(
    status,
    { type: 'error', error: { type, message } },
    undefined,
    new Headers(headers),
  );
}

function openAIError(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) {
  return OpenAI.APIError.generate(status, { error }, undefined, new Headers(headers));
}

describe('toProviderError', () => {
  it.each([
    [401, 'authentication_error', 'PROVIDER_AUTH', false],
    [403, 'permission_error', 'PROVIDER_AUTH', false],
    [400, 'invalid_request_error', 'PROVIDER_BAD_REQUEST', false],
    [404, 'not_found_error', 'PROVIDER_BAD_REQUEST', false],
    [422, 'invalid_request_error', 'PROVIDER_BAD_REQUEST', false],
    [408, 'timeout_error', 'PROVIDER_TIMEOUT', true],
    [429, 'rate_limit_error', 'PROVIDER_RATE_LIMITED', true],
    [500, 'api_error', 'PROVIDER_UNAVAILABLE', true],
    [502, 'api_error', 'PROVIDER_UNAVAILABLE', true],
    [503, 'api_error', 'PROVIDER_UNAVAILABLE', true],
    [504, 'api_error', 'PROVIDER_UNAVAILABLE', true],
    [529, 'overloaded_error', 'PROVIDER_UNAVAILABLE', true],
  ])('maps HTTP %i (%s) to %s', (status, type, code, isRetryable) => {
    const error = toProviderError(anthropicError(status, type, 'upstream says no'), 'anthropic');

    expect(error).toBeInstanceOf(FragmentkitError);
    expect(error.code).toBe(code);
    expect(error.isRetryable).toBe(isRetryable);
    expect(error.statusCode).toBe(status);
    expect(error.details).toMatchObject({ provider: 'anthropic', type, providerMessage: 'upstream says no' });
    expect(error.message).toContain('upstream says no');
  });

  it('treats an overloaded_error as unavailable whatever its status', () => {
    expect(toProviderError(anthropicError(400, 'overloaded_error', 'Overloaded'), 'anthropic').code).toBe(
      'PROVIDER_UNAVAILABLE',
    );
  });

  it.each([
    ['rate_limit_error', 'PROVIDER_RATE_LIMITED'],
    ['invalid_request_error', 'PROVIDER_BAD_REQUEST'],
    ['authentication_error', 'PROVIDER_AUTH'],
    ['api_error', 'PROVIDER_UNAVAILABLE'],
    ['something_new', 'PROVIDER_UNAVAILABLE'],
  ])('maps an in-band %s (no HTTP status) to %s', (type, code) => {
    const inBand = new Anthropic.APIError(
      undefined,
      { type: 'error', error: { type, message: 'mid-stream' } },
      undefined,
      undefined,
    );

    const error = toProviderError(inBand, 'anthropic');

    expect(error.code).toBe(code);
    expect(error.statusCode).toBeUndefined();
  });

  it('reads retry-after-ms before retry-after', () => {
    const error = toProviderError(
      openAIError(429, { message: 'slow down' }, { 'retry-after-ms': '250', 'retry-after': '9' }),
      'openai',
    );
    expect(error.details?.retryAfterMs).toBe(250);
  });

  it('reads retry-after in seconds', () => {
    const error = toProviderError(openAIError(429, { message: 'slow down' }, { 'retry-after': '2.5' }), 'openai');
    expect(error.details?.retryAfterMs).toBe(2500);
    expect(error.message).toContain('after 3s');
  });

  it('reads retry-after as an HTTP date against the injected clock', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    const error = toProviderError(
      openAIError(429, { message: 'slow down' }, { 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }),
      'openai',
      { now: () => now },
    );
    expect(error.details?.retryAfterMs).toBe(30_000);
  });

  it('leaves retryAfterMs out when the header is missing or unreadable', () => {
    expect(toProviderError(openAIError(429, { message: 'a' }), 'openai').details).not.toHaveProperty('retryAfterMs');
    expect(
      toProviderError(openAIError(429, { message: 'a' }, { 'retry-after': 'soon' }), 'openai').details,
    ).not.toHaveProperty('retryAfterMs');
  });

  it.each([
    ['prompt is too long: 208310 tokens > 200000 maximum', undefined],
    ['input length and `max_tokens` exceed context limit: 197000 + 8192 > 200000', undefined],
    ["This model's maximum context length is 8192 tokens.", 'context_length_exceeded'],
    ['The input (9000 tokens) is longer than the model context length (8192 tokens).', undefined],
  ] as const)('flags "%s" as a context length error', (message, code) => {
    const error = toProviderError(openAIError(400, { message, type: 'invalid_request_error', code }), 'openai');
    expect(error.code).toBe('PROVIDER_BAD_REQUEST');
    expect(error.details?.reason).toBe('context_length');
    expect(error.message).toContain('context window');
  });

  it('flags content policy rejections', () => {
    const error = toProviderError(
      openAIError(400, {
        message: 'Your request was rejected as a result of our safety system.',
        type: 'invalid_request_error',
        code: 'content_policy_violation',
      }),
      'openai',
    );
    expect(error.details?.reason).toBe('content_policy');
  });

  it('flags 413 request_too_large', () => {
    const error = toProviderError(
      anthropicError(413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.'),
      'anthropic',
    );
    expect(error.code).toBe('PROVIDER_BAD_REQUEST');
    expect(error.details?.reason).toBe('request_too_large');
  });

  it('maps connection failures to retryable PROVIDER_UNAVAILABLE and connection timeouts to PROVIDER_TIMEOUT', () => {
    const connection = toProviderError(
      new OpenAI.APIConnectionError({ message: 'Connection error.', cause: new TypeError('fetch failed') }),
      'ollama',
    );
    const timeout = toProviderError(new Anthropic.APIConnectionTimeoutError(), 'anthropic');

    expect(connection).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', isRetryable: true });
    expect(connection.message).toContain('Could not connect to ollama');
    expect(timeout).toMatchObject({ code: 'PROVIDER_TIMEOUT', isRetryable: true });
  });

  it('maps aborts from either SDK and from fetch to ABORTED', () => {
    expect(toProviderError(new Anthropic.APIUserAbortError(), 'anthropic').code).toBe('ABORTED');
    expect(toProviderError(new OpenAI.APIUserAbortError(), 'openai').code).toBe('ABORTED');
    expect(toProviderError(new DOMException('stop', 'AbortError'), 'openai').code).toBe('ABORTED');
  });

  it('redacts the given key and anything shaped like one', () => {
    const error = toProviderError(
      openAIError(401, { message: 'Incorrect API key provided: my-custom-key-123. Also sk-abcdefghijklmnop.' }),
      'openai',
      { apiKey: 'my-custom-key-123' },
    );
    const serialised = JSON.stringify({ message: error.message, details: error.details });
    expect(serialised).not.toContain('my-custom-key-123');
    expect(serialised).not.toContain('sk-abcdefghijklmnop');
  });

  it('reads a bare string error body from an OpenAI-compatible server', () => {
    const error = toProviderError(
      OpenAI.APIError.generate(404, { error: 'model "llama9" not found' }, undefined, new Headers()),
      'ollama',
    );
    expect(error.details?.providerMessage).toBe('model "llama9" not found');
  });

  it('passes fragmentkit errors through and wraps anything else as INTERNAL', () => {
    const existing = new FragmentkitError('STREAM_INCOMPLETE', 'cut');
    expect(toProviderError(existing, 'openai')).toBe(existing);
    expect(toProviderError(new RangeError('bug'), 'openai').code).toBe('INTERNAL');
  });
});
