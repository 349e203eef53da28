import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scrubSecrets } from './scrubSecrets.js';

describe('scrubSecrets', () => {
  it.each([
    ['OpenAI key sk-proj-4fA9cD2eF7gH1iJ3kL5mN8oP used', 'OpenAI key [redacted] used'],
    ['Anthropic sk-ant-api03-AbCdEfGhIjKlMnOpQrSt-uvwx rejected', 'Anthropic [redacted] rejected'],
    ['token ghp_16C7e42F292c6912E7710c838347Ae178B4a expired', 'token [redacted] expired'],
    ['pat github_pat_11ABCDEFG0123456789_abcdefghijklmnop', 'pat [redacted]'],
    ['Authorization: Bearer abc.DEF-ghi_123~456/789+0==', 'Authorization: Bearer [redacted]'],
    ['aws AKIAIOSFODNN7EXAMPLE in config', 'aws [redacted] in config'],
    [
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok',
      'jwt [redacted] ok',
    ],
    ['login as ana@example.com failed', 'login as [email] failed'],
    ['GET /api?user=7&token=s3cr3t-VALUE&page=2', 'GET /api?user=7&token=[redacted]&page=2'],
    ['{"password": "hunter2", "user": "ana"}', '{"password": "[redacted]", "user": "ana"}'],
    ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key=[redacted]'],
    ['sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'sha [redacted]'],
    ['key Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA1 leaked', 'key [redacted] leaked'],
  ])('%s', (text, expected) => {
    expect(scrubSecrets(text)).toBe(expected);
  });

  it('leaves ordinary stack text alone', () => {
    for (const name of [
      'chrome-vite-dev.txt',
      'firefox-vite-dev.txt',
      'firefox-webpack-dev.txt',
      'node-async.txt',
      'chrome-blob.txt',
    ]) {
      const stack = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
      expect(scrubSecrets(stack)).toBe(stack);
    }
    expect(scrubSecrets('Bearer token missing')).toBe('Bearer token missing');
    expect(scrubSecrets('the author: Ana')).toBe('the author: Ana');
  });

  it('stays fast on long input', () => {
    const text = `${'a'.repeat(200_000)} ${'A1b2'.repeat(50_000)} ${'x@'.repeat(50_000)}`;
    expect(scrubSecrets(text)).toContain('[redacted]');
  });
});
