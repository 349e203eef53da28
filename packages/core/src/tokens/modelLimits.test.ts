import { describe, expect, it } from 'vitest';
import { defaultModelLimits, findModelLimits } from './modelLimits.js';
import { estimateTokenizer, estimateTokens } from './tokenizer.js';
import { loadTokenizerForModel, tokenizerForModel } from './tokenizerForModel.js';

describe('findModelLimits', () => {
  it('finds models by id, snapshot, provider prefix and family', () => {
    expect(findModelLimits('gpt-4o')).toBe(defaultModelLimits['gpt-4o']);
    expect(findModelLimits('GPT-4o-mini-2024-07-18')).toBe(defaultModelLimits['gpt-4o-mini']);
    expect(findModelLimits('claude-sonnet-4-5-20250929')).toBe(defaultModelLimits['claude-sonnet-4-5']);
    expect(findModelLimits('anthropic/claude-3-5-haiku-latest')).toBe(defaultModelLimits['claude-3-5-haiku']);
    expect(findModelLimits('gpt-5.2')).toBe(defaultModelLimits['gpt-5']);
    expect(findModelLimits('gpt-5-nano')).toBe(defaultModelLimits['gpt-5-nano']);
    expect(findModelLimits('claude-opus-9')).toBe(defaultModelLimits.claude);
  });

  it('knows nothing of unknown models, and reads a custom table', () => {
    expect(findModelLimits('llama3.1:8b')).toBeUndefined();
    expect(findModelLimits('gpt-4oops')).toBeUndefined();
    const table = { 'qwen2.5-coder': { contextWindow: 32_768, maxOutputTokens: 4096, tokenCorrection: 1.2 } };
    expect(findModelLimits('qwen2.5-coder:7b', table)).toEqual(table['qwen2.5-coder']);
  });

  it('lists context windows and output limits that leave room for a prompt', () => {
    for (const limits of Object.values(defaultModelLimits)) {
      expect(limits.contextWindow).toBeGreaterThanOrEqual(limits.maxOutputTokens);
    }
  });
});

describe('tokenizerForModel', () => {
  it('corrects the estimate for models without a public tokenizer and leaves others alone', () => {
    const claude = tokenizerForModel('claude-sonnet-4-5');
    expect(claude.name).toBe('estimate*1.3');
    expect(claude.count('const answer = 42;')).toBe(Math.ceil(estimateTokens('const answer = 42;') * 1.3));
    expect(tokenizerForModel('gpt-4o')).toBe(estimateTokenizer);
    expect(tokenizerForModel('unknown-model')).toBe(estimateTokenizer);
  });

  it('loads the exact encoding for OpenAI models', async () => {
    expect((await loadTokenizerForModel('gpt-4o-mini')).name).toBe('o200k_base');
    expect((await loadTokenizerForModel('gpt-4')).name).toBe('cl100k_base');
    expect((await loadTokenizerForModel('claude-haiku-4-5')).name).toBe('estimate*1.3');
  });
});
