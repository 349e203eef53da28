import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ResponseCacheKeyInput, responseCacheKey } from './responseCacheKey.js';

const base: ResponseCacheKeyInput = {
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  system: 'You write React.',
  messages: [
    { role: 'user', content: 'A counter' },
    { role: 'assistant', content: 'Here it is.' },
    { role: 'user', content: 'Add a reset button' },
  ],
  maxOutputTokens: 4_096,
  temperature: 0,
};

describe('responseCacheKey', () => {
  it('is the SHA-256 hex of a canonical JSON text with sorted keys', async () => {
    const key = await responseCacheKey({
      provider: 'openai',
      model: 'gpt-4o-mini',
      system: 'S',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.5,
      responseFormat: { type: 'json', strict: true },
    });
    const canonical =
      '{"messages":[{"content":"hi","role":"user"}],"model":"gpt-4o-mini","parameters":{"responseFormat":{"strict":true,"type":"json"},"temperature":0.5},"provider":"openai","system":"S","v":1}';
    expect(key).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('gives the same key whatever the order of fields, at any depth', async () => {
    const reordered: ResponseCacheKeyInput = {
      temperature: 0,
      messages: base.messages.map(({ role, content }) => ({ content, role })),
      maxOutputTokens: 4_096,
      system: 'You write React.',
      model: 'claude-sonnet-4-5',
      provider: 'anthropic',
    };
    expect(await responseCacheKey(reordered)).toBe(await responseCacheKey(base));
    expect(await responseCacheKey({ ...base, stop: { b: 1, a: [2, 3] } })).toBe(
      await responseCacheKey({ ...base, stop: { a: [2, 3], b: 1 } }),
    );
  });

  it('ignores undefined parameters and the abort signal, but not null', async () => {
    const key = await responseCacheKey(base);
    expect(await responseCacheKey({ ...base, topP: undefined, signal: new AbortController().signal })).toBe(key);
    expect(await responseCacheKey({ ...base, topP: null })).not.toBe(key);
  });

  it('treats CRLF and LF line endings in the prompt alike', async () => {
    const unix = { ...base, system: 'Line one\nline two', messages: [{ role: 'user' as const, content: 'a\nb\n' }] };
    const windows = {
      ...base,
      system: 'Line one\r\nline two',
      messages: [{ role: 'user' as const, content: 'a\r\nb\r\n' }],
    };
    expect(await responseCacheKey(windows)).toBe(await responseCacheKey(unix));
  });

  it('changes with anything that can change the answer', async () => {
    const key = await responseCacheKey(base);
    const variants: ResponseCacheKeyInput[] = [
      { ...base, temperature: 0.7 },
      { ...base, maxOutputTokens: 1_024 },
      { ...base, provider: 'bedrock' },
      { ...base, model: 'claude-sonnet-4-5-20250929' },
      { ...base, system: 'You write React. ' },
      { ...base, messages: [...base.messages.slice(0, 2), { role: 'user', content: 'Add a reset button ' }] },
      { ...base, messages: base.messages.slice(1) },
      { ...base, messages: [base.messages[1]!, base.messages[0]!, base.messages[2]!] },
      { ...base, stop: ['\r\n'] },
    ];
    const keys = await Promise.all(variants.map((variant) => responseCacheKey(variant)));
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1);
    expect(await responseCacheKey({ ...base, stop: ['\r\n'] })).not.toBe(
      await responseCacheKey({ ...base, stop: ['\n'] }),
    );
  });

  it('rejects values that have no stable JSON form', async () => {
    await expect(responseCacheKey({ ...base, topP: Number.NaN })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      details: { field: 'request.parameters.topP' },
    });
    await expect(responseCacheKey({ ...base, seedDate: new Date(0) })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(responseCacheKey({ ...base, onToken: () => {} })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(responseCacheKey({ ...base, provider: '' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      details: { field: 'provider' },
    });
  });
});
