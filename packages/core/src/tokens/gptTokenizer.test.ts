import { encode as encodeO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FragmentkitError } from '../errors.js';

const samples = [
  'export function App() {\n  const [count, setCount] = useState(0);\n  return <button onClick={() => setCount(count + 1)}>{count}</button>;\n}',
  'Erklären Sie bitte, warum der Zähler nicht zurückgesetzt wird. 日本語のテキストも数えます。',
  'const sentinel = "<|endoftext|>"; // special tokens in code are plain text',
];

afterEach(() => {
  vi.doUnmock('gpt-tokenizer/encoding/o200k_base');
  vi.doUnmock('gpt-tokenizer/encoding/cl100k_base');
  vi.resetModules();
});

describe('loadGptTokenizer', () => {
  it('counts exactly like gpt-tokenizer, special tokens as plain text', async () => {
    const { loadGptTokenizer } = await import('./gptTokenizer.js');
    const { encode: encodeCl100k } = await import('gpt-tokenizer/encoding/cl100k_base');
    const o200k = await loadGptTokenizer('o200k_base');
    const cl100k = await loadGptTokenizer('cl100k_base');
    expect(o200k.name).toBe('o200k_base');
    expect(cl100k.name).toBe('cl100k_base');
    for (const text of samples) {
      expect(o200k.count(text)).toBe(encodeO200k(text, { disallowedSpecial: new Set() }).length);
      expect(cl100k.count(text)).toBe(encodeCl100k(text, { disallowedSpecial: new Set() }).length);
    }
    expect(await loadGptTokenizer()).toBe(o200k);
  });

  it('imports the vocabulary only when first asked for', async () => {
    const imported = vi.fn();
    vi.doMock('gpt-tokenizer/encoding/o200k_base', () => {
      imported();
      return { countTokens: (text: string) => text.length };
    });
    const { loadGptTokenizer } = await import('./gptTokenizer.js');
    expect(imported).not.toHaveBeenCalled();
    const tokenizer = await loadGptTokenizer('o200k_base');
    expect(imported).toHaveBeenCalledTimes(1);
    expect(tokenizer.count('abc')).toBe(3);
  });

  it('rejects with INTERNAL naming the package when gpt-tokenizer is missing, and can retry later', async () => {
    vi.doMock('gpt-tokenizer/encoding/cl100k_base', () => {
      throw new Error("Cannot find package 'gpt-tokenizer'");
    });
    const { loadGptTokenizer } = await import('./gptTokenizer.js');
    const error = await loadGptTokenizer('cl100k_base').catch((caught: unknown) => caught);
    expect(FragmentkitError.isInstance(error) && error.code).toBe('INTERNAL');
    expect((error as Error).message).toContain('gpt-tokenizer');
  });

  it('rejects an unknown encoding with INVALID_REQUEST', async () => {
    const { loadGptTokenizer } = await import('./gptTokenizer.js');
    const error = await loadGptTokenizer('p50k_base' as 'o200k_base').catch((caught: unknown) => caught);
    expect(FragmentkitError.isInstance(error) && error.code).toBe('INVALID_REQUEST');
  });
});
