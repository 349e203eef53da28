import { readdirSync, readFileSync } from 'node:fs';
import { encode as encodeO200k } from 'gpt-tokenizer';
import { encode as encodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { describe, expect, it } from 'vitest';
import { estimateTokenizer, estimateTokens } from './tokenizer.js';

const fixturesDirectory = new URL('./__fixtures__/', import.meta.url);
const fixtures = readdirSync(fixturesDirectory)
  .sort()
  .map((name) => ({ name, text: readFileSync(new URL(name, fixturesDirectory), 'utf8') }));

const encodings = [
  { encoding: 'o200k_base', count: (text: string) => encodeO200k(text).length },
  { encoding: 'cl100k_base', count: (text: string) => encodeCl100k(text).length },
];

/** Deterministic pseudo-random bytes (mulberry32), so the samples are the same on every run. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  let state = seed;
  return Uint8Array.from({ length }, () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) & 0xff;
  });
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

const randomLookingSamples = [
  { name: 'base64 blob', text: `const icon = "data:image/png;base64,${base64(pseudoRandomBytes(1500, 1))}";` },
  {
    name: 'hex digests',
    text: Array.from({ length: 20 }, (_, i) => `${hex(pseudoRandomBytes(32, i + 2))}  file${i}.js`).join('\n'),
  },
  {
    name: 'uuids',
    text: Array.from({ length: 40 }, (_, i) => {
      const digits = hex(pseudoRandomBytes(16, i + 100));
      return `"${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}"`;
    }).join(',\n'),
  },
  {
    name: 'JWT',
    text: `Authorization: Bearer ${[1, 2, 3]
      .map((seed) =>
        base64(pseudoRandomBytes(90, seed * 7))
          .replace(/=+$/, '')
          .replaceAll('+', '-')
          .replaceAll('/', '_'),
      )
      .join('.')}`,
  },
];

describe('estimateTokens', () => {
  it('covers the kinds of text the budget sees', () => {
    expect(fixtures.map((fixture) => fixture.name)).toEqual(
      expect.arrayContaining([
        'component.tsx.txt',
        'styles.css.txt',
        'readme.md.txt',
        'analysis.py.txt',
        'package-lock.json.txt',
        'page.html.txt',
        'bundle.min.js.txt',
        'prose.txt',
        'cjk.txt',
        'long-line.txt',
      ]),
    );
    expect(
      fixtures
        .find((fixture) => fixture.name === 'long-line.txt')
        ?.text.trim()
        .includes('\n'),
    ).toBe(false);
  });

  it('is measured against fixtures on which chars/4 undercounts', () => {
    const undercounted = fixtures.filter(({ text }) => Math.ceil(text.length / 4) < encodeO200k(text).length);
    expect(undercounted.map((fixture) => fixture.name)).toEqual(
      expect.arrayContaining(['styles.css.txt', 'bundle.min.js.txt', 'cjk.txt', 'long-line.txt']),
    );
  });

  describe.each(encodings)('against $encoding', ({ count }) => {
    it.each(fixtures)('never undercounts $name and stays within 1.7x', ({ text }) => {
      const exact = count(text);
      const estimate = estimateTokens(text);
      expect(exact).toBeGreaterThan(100);
      expect(estimate).toBeGreaterThanOrEqual(exact);
      expect(estimate).toBeLessThanOrEqual(1.7 * exact);
    });

    it.each(randomLookingSamples)('never undercounts $name and stays within 1.7x', ({ text }) => {
      const exact = count(text);
      const estimate = estimateTokens(text);
      expect(estimate).toBeGreaterThanOrEqual(exact);
      expect(estimate).toBeLessThanOrEqual(1.7 * exact);
    });
  });

  it('counts nothing as zero and anything else as at least one token', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens(' ')).toBe(1);
    expect(estimateTokens('\n')).toBe(1);
    expect(estimateTokens('a')).toBe(1);
    expect(estimateTokens('中')).toBe(2);
  });

  it('charges surrogate pairs as one character, not two broken halves', () => {
    expect(estimateTokens('👍')).toBe(3);
    expect(estimateTokens('👍🏽')).toBe(6);
    expect(estimateTokens('✅✅')).toBe(3);
  });

  it('is deterministic and does not depend on earlier calls', () => {
    const text = fixtures.map((fixture) => fixture.text).join('\n');
    const first = estimateTokens(text);
    estimateTokens('ä中😀');
    expect(estimateTokens(text)).toBe(first);
  });
});

describe('estimateTokenizer', () => {
  it('is named estimate and counts with estimateTokens', () => {
    expect(estimateTokenizer.name).toBe('estimate');
    expect(estimateTokenizer.count('const answer = 42;')).toBe(estimateTokens('const answer = 42;'));
  });
});
