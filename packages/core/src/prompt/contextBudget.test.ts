import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { contextTooLargeError, resolveContextBudget } from './contextBudget.js';

describe('resolveContextBudget', () => {
  it('reserves the answer and min(1000, 2% of the window) from a known model', () => {
    expect(resolveContextBudget({ model: 'gpt-4o' })).toEqual({
      model: 'gpt-4o',
      contextWindow: 128_000,
      reservedOutputTokens: 8192,
      safetyMarginTokens: 1000,
      availableTokens: 118_808,
    });
    expect(resolveContextBudget({ model: 'claude-3-haiku-20240307' })).toMatchObject({ reservedOutputTokens: 4096 });
    expect(resolveContextBudget({ model: 'gpt-4' })).toMatchObject({
      reservedOutputTokens: 2048,
      safetyMarginTokens: 163,
    });
  });

  it('takes an explicit window and output reserve, with 2% as the margin of a small window', () => {
    expect(resolveContextBudget({ contextWindow: 8000, maxOutputTokens: 1000 })).toEqual({
      contextWindow: 8000,
      reservedOutputTokens: 1000,
      safetyMarginTokens: 160,
      availableTokens: 6840,
    });
    expect(resolveContextBudget({ contextWindow: 8000 })).toMatchObject({ reservedOutputTokens: 2000 });
    expect(resolveContextBudget({ model: 'gpt-4o', contextWindow: 50_000, maxOutputTokens: 0 })).toMatchObject({
      availableTokens: 49_000,
    });
  });

  it('is undefined when the window is unknown', () => {
    expect(resolveContextBudget({})).toBeUndefined();
    expect(resolveContextBudget({ model: 'llama3.1:8b' })).toBeUndefined();
  });

  it.each([
    { contextWindow: 0 },
    { contextWindow: 1.5 },
    { contextWindow: 4096, maxOutputTokens: -1 },
    { contextWindow: 4096, maxOutputTokens: 4096 },
  ])('rejects %j with INVALID_REQUEST', (options) => {
    try {
      resolveContextBudget(options);
      expect.unreachable();
    } catch (error) {
      expect(FragmentkitError.isInstance(error) && error.code).toBe('INVALID_REQUEST');
    }
  });
});

describe('contextTooLargeError', () => {
  it('says by how much the protected parts overflow, in the message and the details', () => {
    const budget = resolveContextBudget({ contextWindow: 8000, maxOutputTokens: 1000 })!;
    const error = contextTooLargeError(budget, { system: 2000, input: 5000 });
    expect(error.code).toBe('CONTEXT_TOO_LARGE');
    expect(error.details).toEqual({
      overflowTokens: 160,
      requiredTokens: 7000,
      ...budget,
      parts: { system: 2000, input: 5000 },
    });
    expect(error.message).toContain('Shorten the input by at least 160 tokens');
  });
});
