import { describe, expect, it } from 'vitest';
import { computeCost } from './computeCost.js';
import { createPriceTable } from './priceTable.js';

const prices = createPriceTable();

describe('computeCost with a price', () => {
  it('prices each kind of token at its rate and sums exactly', () => {
    const cost = computeCost(
      { inputTokens: 1_234, outputTokens: 567, cachedInputTokens: 1_000 },
      { input: 2.5, output: 10, cachedInput: 1.25 },
    );
    expect(cost).toEqual({
      inputUsd: 0.003085,
      outputUsd: 0.00567,
      cachedInputUsd: 0.00125,
      cacheWriteUsd: 0,
      totalUsd: 0.010005,
    });
    // The float sum of the parts drifts; the exact total does not.
    expect(cost.inputUsd + cost.outputUsd + cost.cachedInputUsd).not.toBe(0.010005);
  });

  it('bills cache reads and writes at the input rate when the price has no rate for them', () => {
    expect(
      computeCost(
        { inputTokens: 100, outputTokens: 0, cachedInputTokens: 200, cacheWriteTokens: 300 },
        { input: 1, output: 2 },
      ),
    ).toEqual({ inputUsd: 0.0001, outputUsd: 0, cachedInputUsd: 0.0002, cacheWriteUsd: 0.0003, totalUsd: 0.0006 });
  });

  it('stays exact for token counts whose product passes 2^53 pico-dollars', () => {
    const cost = computeCost({ inputTokens: 3_000_000_000, outputTokens: 1 }, { input: 15, output: 75 });
    expect(cost.inputUsd).toBe(45_000);
    expect(cost.totalUsd).toBe(45_000.000075);
  });

  it('rejects token counts and rates it cannot price exactly', () => {
    expect(() => computeCost({ inputTokens: -1, outputTokens: 0 }, { input: 1, output: 1 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST', details: { field: 'inputTokens', value: -1 } }),
    );
    expect(() => computeCost({ inputTokens: 1.5, outputTokens: 0 }, { input: 1, output: 1 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    expect(() => computeCost({ inputTokens: 1, outputTokens: 0 }, { input: 0.0000001, output: 1 })).toThrowError(
      expect.objectContaining({
        code: 'INVALID_REQUEST',
        details: { price: 'price', field: 'input', value: 0.0000001 },
      }),
    );
    expect(() => computeCost({ inputTokens: 1, outputTokens: 0 }, { input: Number.NaN, output: 1 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});

describe('computeCost with the default price table', () => {
  it('prices Claude Sonnet 4.5 with cache reads and 5-minute cache writes', () => {
    const usage = { inputTokens: 100, outputTokens: 800, cachedInputTokens: 50_000, cacheWriteTokens: 2_000 };
    expect(computeCost(usage, { provider: 'anthropic', modelId: 'claude-sonnet-4-5' }, prices)).toEqual({
      inputUsd: 0.0003,
      outputUsd: 0.012,
      cachedInputUsd: 0.015,
      cacheWriteUsd: 0.0075,
      totalUsd: 0.0348,
    });
  });

  it('prices Claude Opus 4.1 at the old rate and Opus 4.5 at the new one', () => {
    const usage = { inputTokens: 10_000, outputTokens: 2_000, cachedInputTokens: 20_000, cacheWriteTokens: 4_000 };
    expect(computeCost(usage, 'claude-opus-4-1-20250805', prices)).toEqual({
      inputUsd: 0.15,
      outputUsd: 0.15,
      cachedInputUsd: 0.03,
      cacheWriteUsd: 0.075,
      totalUsd: 0.405,
    });
    expect(computeCost(usage, 'claude-opus-4-5-20251101', prices)?.totalUsd).toBe(0.135);
  });

  it('prices Claude 3.5 Haiku, GPT-4.1 nano and GPT-5 mini with cached input', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000, cachedInputTokens: 1_000_000 };
    expect(computeCost(usage, 'claude-3-5-haiku-latest', prices)?.totalUsd).toBe(4.88);
    expect(computeCost(usage, 'gpt-4.1-nano', prices)?.totalUsd).toBe(0.525);
    expect(computeCost(usage, 'gpt-5-mini-2025-08-07', prices)).toEqual({
      inputUsd: 0.25,
      outputUsd: 2,
      cachedInputUsd: 0.025,
      cacheWriteUsd: 0,
      totalUsd: 2.275,
    });
  });

  it('prices Groq Llama only when Groq serves it, and local Ollama models at 0', () => {
    const usage = { inputTokens: 10_000, outputTokens: 1_000 };
    expect(computeCost(usage, { provider: 'groq', modelId: 'llama-3.3-70b-versatile' }, prices)?.totalUsd).toBe(
      0.00669,
    );
    expect(computeCost(usage, 'llama-3.3-70b-versatile', prices)).toBeUndefined();
    expect(computeCost(usage, { provider: 'ollama', modelId: 'qwen2.5-coder:7b' }, prices)).toEqual({
      inputUsd: 0,
      outputUsd: 0,
      cachedInputUsd: 0,
      cacheWriteUsd: 0,
      totalUsd: 0,
    });
  });

  it('answers undefined for a model it has no price for, never the price of a similar name', () => {
    const usage = { inputTokens: 1_000, outputTokens: 1_000 };
    expect(computeCost(usage, 'o3-pro', prices)).toBeUndefined();
    expect(computeCost(usage, 'claude-opus-4-9', prices)).toBeUndefined();
    expect(computeCost(usage, { provider: 'openai', modelId: 'my-finetune' }, prices)).toBeUndefined();
  });
});
