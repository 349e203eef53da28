import { describe, expect, it } from 'vitest';
import { createOutputCollector } from './outputCollector.js';
import { buildSandboxEnvironment, isSecretLikeName } from './sandboxEnvironment.js';

describe('buildSandboxEnvironment', () => {
  const hostEnvironment = {
    PATH: '/host/bin',
    LANG: 'de_DE.UTF-8',
    OPENAI_API_KEY: 'sk-1',
    DATABASE_URL: 'postgres://x',
    EDITOR: 'vim',
  };

  it('starts from an allowlist and inherits nothing else', () => {
    const environment = buildSandboxEnvironment({ home: '/workspace', path: ['/usr/bin', '/bin'], hostEnvironment });
    expect(environment).toMatchObject({
      PATH: '/usr/bin:/bin',
      HOME: '/workspace',
      LANG: 'de_DE.UTF-8',
      TMPDIR: '/tmp',
    });
    expect(Object.keys(environment)).not.toContain('OPENAI_API_KEY');
    expect(Object.keys(environment)).not.toContain('DATABASE_URL');
    expect(Object.keys(environment)).not.toContain('EDITOR');
  });

  it('passes named host variables through and refuses secret-looking names', () => {
    expect(buildSandboxEnvironment({ home: '/w', path: [], inherit: ['EDITOR'], hostEnvironment }).EDITOR).toBe('vim');
    expect(() => buildSandboxEnvironment({ home: '/w', path: [], inherit: ['DATABASE_URL'], hostEnvironment })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    expect(() =>
      buildSandboxEnvironment({ home: '/w', path: [], extra: { 'BAD NAME': 'x' }, hostEnvironment }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it.each([
    ['OPENAI_API_KEY', true],
    ['GITHUB_TOKEN', true],
    ['STRIPE_SECRET', true],
    ['DB_PASSWORD', true],
    ['AWS_REGION', true],
    ['DATABASE_URL', true],
    ['KEYBOARD_LAYOUT', false],
    ['LANG', false],
    ['MPLBACKEND', false],
  ])('treats %s as secret-looking: %s', (name, secret) => {
    expect(isSecretLikeName(name)).toBe(secret);
  });
});

describe('createOutputCollector', () => {
  it('keeps whole characters, marks the cut once and ignores the rest', () => {
    const seen: string[] = [];
    const collector = createOutputCollector(5, (text) => seen.push(text));
    collector.push(Buffer.from('abc'));
    collector.push(Buffer.from('dé€'));
    collector.push(Buffer.from('more'));
    collector.end();
    expect(collector.truncated).toBe(true);
    expect(collector.text()).toBe('abcd\n[fragmentkit: output truncated after 5 bytes]\n');
    expect(seen.join('')).toBe(collector.text());
  });

  it('joins a character split across chunks', () => {
    const collector = createOutputCollector(100);
    const bytes = Buffer.from('€');
    collector.push(bytes.subarray(0, 1));
    collector.push(bytes.subarray(1));
    collector.end();
    expect(collector.text()).toBe('€');
  });
});
