import { describe, expect, it } from 'vitest';
import { contentHash } from './contentHash.js';

describe('contentHash', () => {
  it('is 16 lowercase hex digits and deterministic', () => {
    const hash = contentHash('export const a = 1;\n');
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(contentHash('export const a = 1;\n')).toBe(hash);
  });

  it('pins known values so a change of algorithm is noticed', () => {
    expect(contentHash('')).toBe('488bdcb81aee8d83');
    expect(contentHash('hello')).toBe('bfb06f3a63cd7226');
  });

  it('hashes CRLF and CR line endings like LF', () => {
    expect(contentHash('a\r\nb\r\nc')).toBe(contentHash('a\nb\nc'));
    expect(contentHash('a\rb')).toBe(contentHash('a\nb'));
    expect(contentHash('a\r\n')).toBe(contentHash('a\n'));
  });

  it('tells apart texts that differ in one character, in order, or in whitespace', () => {
    const texts = ['abc', 'abd', 'acb', 'abc ', ' abc', 'abc\n', 'ab\nc', 'ABC', 'ábc', '😀', '😁'];
    expect(new Set(texts.map(contentHash)).size).toBe(texts.length);
  });

  it('has no collisions across many similar lines', () => {
    const hashes = new Set<string>();
    for (let line = 0; line < 20_000; line++) hashes.add(contentHash(`const value${line} = ${line * 31};`));
    expect(hashes.size).toBe(20_000);
  });
});
