import { describe, expect, it } from 'vitest';
import { computeCost } from './computeCost.js';
import { defaultPrices } from './defaultPrices.js';
import { createPriceTable } from './priceTable.js';

describe('createPriceTable', () => {
  const prices = createPriceTable();

  it('matches an exact id before a snapshot of its family', () => {
    expect(prices.lookup('gpt-4o-2024-05-13')).toEqual({ key: 'gpt-4o-2024-05-13', price: { input: 5, output: 15 } });
    expect(prices.lookup('gpt-4o-2024-08-06')?.key).toBe('gpt-4o');
    expect(prices.lookup('gpt-4o-mini-2024-07-18')?.key).toBe('gpt-4o-mini');
  });

  it('matches dated, Vertex and -latest snapshots to their model, ignoring case', () => {
    expect(prices.lookup('claude-sonnet-4-5-20250929')?.key).toBe('claude-sonnet-4-5');
    expect(prices.lookup('claude-sonnet-4-20250514')?.key).toBe('claude-sonnet-4');
    expect(prices.lookup('claude-sonnet-4-5@20250929')?.key).toBe('claude-sonnet-4-5');
    expect(prices.lookup('claude-3-7-sonnet-latest')?.key).toBe('claude-3-7-sonnet');
    expect(prices.lookup('O4-Mini-2025-04-16')?.key).toBe('o4-mini');
    expect(prices.lookup({ provider: 'anthropic', modelId: 'claude-haiku-4-5-20251001' })?.key).toBe(
      'claude-haiku-4-5',
    );
  });

  it('never matches a different model that shares a prefix', () => {
    expect(prices.lookup('gpt-5-codex')).toBeUndefined();
    expect(prices.lookup('claude-opus-4-6-fast')).toBeUndefined();
    expect(prices.lookup('o3-deep-research')).toBeUndefined();
    expect(prices.lookup('gpt-4o-audio-preview')).toBeUndefined();
  });

  it('prefers a provider-scoped entry, then the provider wildcard, then the bare id', () => {
    const table = createPriceTable({
      'azure:gpt-4o': { input: 2.75, output: 11 },
      'openrouter:*': { input: 9, output: 9 },
    });
    expect(table.lookup({ provider: 'azure', modelId: 'gpt-4o-2024-11-20' })?.key).toBe('azure:gpt-4o');
    expect(table.lookup({ provider: 'openrouter', modelId: 'gpt-4o' })?.key).toBe('openrouter:*');
    expect(table.lookup({ provider: 'openai', modelId: 'gpt-4o' })?.key).toBe('gpt-4o');
    expect(table.lookup({ provider: 'Ollama', modelId: 'gpt-oss:20b' })?.key).toBe('ollama:*');
  });

  it('applies overrides on top of the defaults without changing them', () => {
    const table = createPriceTable({ 'GPT-4o': { input: 2.25, output: 9, cachedInput: 1.125 } });
    expect(computeCost({ inputTokens: 1_000_000, outputTokens: 0 }, 'gpt-4o', table)?.totalUsd).toBe(2.25);
    expect(computeCost({ inputTokens: 1_000_000, outputTokens: 0 }, 'gpt-4o', prices)?.totalUsd).toBe(2.5);
    expect(defaultPrices['gpt-4o']).toEqual({ input: 2.5, output: 10, cachedInput: 1.25 });
    expect(Object.isFrozen(defaultPrices['gpt-4o'])).toBe(true);
  });

  it('starts from an empty base when asked, so only the overrides are known', () => {
    const table = createPriceTable({ 'my-finetune': { input: 1, output: 4 } }, { base: {} });
    expect(Object.keys(table.prices)).toEqual(['my-finetune']);
    expect(table.lookup('gpt-4o')).toBeUndefined();
  });

  it('rejects a price it could not apply exactly, naming the entry', () => {
    expect(() => createPriceTable({ cheap: { input: -1, output: 1 } })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST', details: { price: 'cheap', field: 'input', value: -1 } }),
    );
    expect(() => createPriceTable({ ' ': { input: 1, output: 1 } })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });

  it('holds only valid prices by default, Anthropic ones with cache reads at 0.1x and writes at 1.25x input', () => {
    expect(() => createPriceTable({}, { base: defaultPrices })).not.toThrow();
    // Claude 3 Haiku predates that rule ($0.03 reads, $0.30 writes).
    const anthropic = Object.entries(defaultPrices).filter(
      ([key]) => key.startsWith('claude-') && key !== 'claude-3-haiku',
    );
    expect(anthropic.length).toBeGreaterThan(10);
    for (const [, price] of anthropic) {
      expect(price.cachedInput).toBeCloseTo(price.input / 10, 9);
      expect(price.cacheWrite).toBeCloseTo(price.input * 1.25, 9);
    }
  });
});
