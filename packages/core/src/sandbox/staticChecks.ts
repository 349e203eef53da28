import type { Fragment } from '../fragment/schema.js';
import { templates } from '../prompt/templates.js';
import { fragmentRunPlan } from './fragmentRunPlans.js';
import { type JsToken, tokenizeJs } from './jsTokenizer.js';
import { parsePackageSpec } from './packageSpec.js';
import { normalizeSandboxPath } from './sandboxPath.js';
import type { PackageManager } from './sandboxProvider.js';

/**
 * The rules of {@link checkFragment}:
 * - `no-network`: `fetch`, `XMLHttpRequest`, `WebSocket`, `EventSource`, `navigator.sendBeacon`;
 * - `no-eval`: `eval`, the `Function` constructor;
 * - `no-cookies`: `document.cookie`;
 * - `no-storage`: `localStorage`, `sessionStorage`, `indexedDB`;
 * - `no-top-navigation`: `top.location`, `parent.location`, `window.top`, `window.parent`, `window.open`;
 * - `dependency-not-allowed`: a dependency or import outside the template's allowlist;
 * - `invalid-dependency`: a dependency that is not a plain registry package (always blocks);
 * - `invalid-path`: a file path outside the project (always blocks);
 * - `scan-incomplete`: a file nested too deeply to check completely.
 *
 * The first five apply to in-browser previews only; a sandbox contains its own code.
 *
 * @example
 * ```ts
 * const networkFindings = report.findings.filter((finding) => finding.rule === 'no-network');
 * ```
 */
export type StaticRule =
  | 'no-network'
  | 'no-eval'
  | 'no-cookies'
  | 'no-storage'
  | 'no-top-navigation'
  | 'dependency-not-allowed'
  | 'invalid-dependency'
  | 'invalid-path'
  | 'scan-incomplete';

/**
 * One problem {@link checkFragment} found. `line` and `column` are 1-based; both are 0 for
 * findings about the fragment rather than a place in a file (its `additional_dependencies`).
 *
 * @example
 * ```ts
 * for (const finding of report.findings) {
 *   console.log(`${finding.file ?? 'fragment'}:${finding.line}:${finding.column} ${finding.rule} ${finding.message}`);
 * }
 * ```
 */
export interface StaticFinding {
  rule: StaticRule;
  message: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  /** The fragment file the finding is in. */
  file?: string;
}

/**
 * What the host does with findings: `warn` reports them and runs anyway; `block` refuses to
 * run a fragment with any `error` finding. `invalid-path` and `invalid-dependency` block under
 * both policies, because running them would be unsafe rather than merely unwanted.
 *
 * @example
 * ```ts
 * const policy: StaticCheckPolicy = process.env.NODE_ENV === 'production' ? 'block' : 'warn';
 * ```
 */
export type StaticCheckPolicy = 'warn' | 'block';

/**
 * Options of {@link checkFragment}.
 *
 * @example
 * ```ts
 * const options: StaticCheckOptions = {
 *   policy: 'block',
 *   dependencyAllowlist: { 'nextjs-developer': ['zod', 'date-fns', '@tanstack/react-query'] },
 * };
 * ```
 */
export interface StaticCheckOptions {
  /** Defaults to `warn`. */
  policy?: StaticCheckPolicy;
  /**
   * Package names each template may use, merged over {@link defaultDependencyAllowlist}.
   * Templates without an entry accept any valid package.
   */
  dependencyAllowlist?: Readonly<Record<string, readonly string[]>>;
  /** Templates rendered in the browser preview. Defaults to the built-in templates with `runtime: 'browser'`. */
  browserTemplates?: readonly string[];
}

/**
 * The outcome of {@link checkFragment}: the findings and whether the policy blocks running.
 *
 * @example
 * ```ts
 * const report = checkFragment(fragment, { policy: 'block' });
 * if (report.blocked) showFindings(report.findings);
 * ```
 */
export interface StaticCheckReport {
  findings: StaticFinding[];
  blocked: boolean;
  policy: StaticCheckPolicy;
}

/**
 * The built-in dependency allowlists: the browser preview can load nothing but React.
 *
 * @example
 * ```ts
 * import { defaultDependencyAllowlist } from '@fragmentkit/core';
 * defaultDependencyAllowlist['react-preview']; // ['react', 'react-dom']
 * ```
 */
export const defaultDependencyAllowlist: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'react-preview': Object.freeze(['react', 'react-dom']),
});

const alwaysBlocking: ReadonlySet<StaticRule> = new Set(['invalid-path', 'invalid-dependency']);
const globalObjects = new Set(['window', 'self', 'globalThis', 'top', 'parent', 'frames']);
const scriptExtensions = /\.(?:[cm]?[jt]sx?)$/;

interface BannedGlobal {
  rule: StaticRule;
  message: string;
}

const bannedGlobals: ReadonlyMap<string, BannedGlobal> = new Map([
  ['fetch', { rule: 'no-network', message: '`fetch` makes network requests, which the preview does not allow.' }],
  [
    'XMLHttpRequest',
    { rule: 'no-network', message: '`XMLHttpRequest` makes network requests, which the preview does not allow.' },
  ],
  [
    'WebSocket',
    { rule: 'no-network', message: '`WebSocket` opens network connections, which the preview does not allow.' },
  ],
  [
    'EventSource',
    { rule: 'no-network', message: '`EventSource` opens network connections, which the preview does not allow.' },
  ],
  ['eval', { rule: 'no-eval', message: '`eval` runs code from strings; write the code directly.' }],
  [
    'localStorage',
    { rule: 'no-storage', message: '`localStorage` is not available in the sandboxed preview; keep state in React.' },
  ],
  [
    'sessionStorage',
    { rule: 'no-storage', message: '`sessionStorage` is not available in the sandboxed preview; keep state in React.' },
  ],
  [
    'indexedDB',
    { rule: 'no-storage', message: '`indexedDB` is not available in the sandboxed preview; keep state in React.' },
  ],
]);

const functionConstructor: BannedGlobal = {
  rule: 'no-eval',
  message: 'The `Function` constructor runs code from strings; write the function directly.',
};
const cookie: BannedGlobal = {
  rule: 'no-cookies',
  message: '`document.cookie` is not available in the sandboxed preview.',
};
const sendBeacon: BannedGlobal = {
  rule: 'no-network',
  message: '`navigator.sendBeacon` makes network requests, which the preview does not allow.',
};
const navigation: BannedGlobal = {
  rule: 'no-top-navigation',
  message: 'The preview may not navigate or open other windows (`top`, `parent`, `window.open`).',
};

/**
 * Scans JavaScript/TypeScript code meant for the in-browser preview for APIs the preview does
 * not allow: network, `eval`/`Function`, cookies, storage, top-level navigation. It works on
 * tokens, so strings, comments and JSX text never match, and neither do look-alike names
 * (`fetchData`), object keys (`{ fetch: true }`), method definitions or members of other
 * objects (`api.fetch()`). Access through `window`, `self`, `globalThis` (also
 * `window['fetch']`) is found. Every finding has severity `error`.
 *
 * @example
 * ```ts
 * import { checkBrowserCode } from '@fragmentkit/core';
 *
 * checkBrowserCode('// we fetch nothing\nconst rows = fetchData();'); // []
 * checkBrowserCode('const response = await fetch("/api");');
 * // [{ rule: 'no-network', line: 1, column: 24, severity: 'error', message: '`fetch` makes network requests, ...' }]
 * ```
 */
export function checkBrowserCode(source: string, options: { jsx?: boolean; file?: string } = {}): StaticFinding[] {
  const { tokens, complete } = tokenizeJs(source, { jsx: options.jsx ?? true });
  const findings: StaticFinding[] = [];
  const report = (banned: BannedGlobal, token: JsToken) => {
    findings.push({
      rule: banned.rule,
      message: banned.message,
      line: token.line,
      column: token.column,
      severity: 'error',
      ...(options.file ? { file: options.file } : {}),
    });
  };
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as JsToken;
    const access = readAccess(tokens, index);
    if (!access) continue;
    const { name, object } = access;
    if (object === undefined || globalObjects.has(object)) {
      const banned = bannedGlobals.get(name);
      if (banned && !isDeclarationName(tokens, index)) report(banned, token);
      else if (name === 'Function' && (tokens[index - 1]?.value === 'new' || tokens[index + 1]?.value === '(')) {
        report(functionConstructor, token);
      }
    }
    if (name === 'cookie' && object === 'document') report(cookie, token);
    if (name === 'sendBeacon' && object === 'navigator') report(sendBeacon, token);
    if (name === 'location' && (object === 'top' || object === 'parent')) report(navigation, token);
    if ((name === 'top' || name === 'parent' || name === 'open') && object !== undefined && globalObjects.has(object)) {
      report(navigation, token);
    }
  }
  if (!complete) {
    findings.push({
      rule: 'scan-incomplete',
      message: 'The code is nested too deeply to check completely; the rest of the file was not checked.',
      line: 0,
      column: 0,
      severity: 'warning',
      ...(options.file ? { file: options.file } : {}),
    });
  }
  return findings;
}

/**
 * Checks a fragment before it is previewed or run: file paths, dependencies against the
 * template's allowlist and, for in-browser previews, banned browser APIs and imports (see
 * {@link checkBrowserCode}). It never throws; every problem is a finding.
 *
 * @example
 * ```ts
 * import { checkFragment } from '@fragmentkit/core';
 *
 * const report = checkFragment(fragment, { policy: 'block' });
 * if (report.blocked) {
 *   return { error: 'The fragment uses APIs the preview does not allow', findings: report.findings };
 * }
 * ```
 */
export function checkFragment(fragment: Fragment, options: StaticCheckOptions = {}): StaticCheckReport {
  const policy = options.policy ?? 'warn';
  const findings: StaticFinding[] = [];
  const browser = (
    options.browserTemplates ??
    Object.values(templates)
      .filter((template) => template.runtime === 'browser')
      .map((template) => template.id)
  ).includes(fragment.template);
  const allowlist = options.dependencyAllowlist?.[fragment.template] ?? defaultDependencyAllowlist[fragment.template];
  const manager: PackageManager = fragmentRunPlan(fragment.template)?.packageManager ?? 'npm';
  const allowed = allowlist && new Set(allowlist.map((name) => allowlistName(name, manager)));

  for (const dependency of fragment.additional_dependencies ?? []) {
    try {
      const { name } = parsePackageSpec(dependency, manager);
      if (allowed && !allowed.has(name)) {
        findings.push(notAllowed(`The dependency ${JSON.stringify(name)}`, fragment.template, { line: 0, column: 0 }));
      }
    } catch (error) {
      findings.push({
        rule: 'invalid-dependency',
        message: error instanceof Error ? error.message : String(error),
        line: 0,
        column: 0,
        severity: 'error',
      });
    }
  }

  const files = [{ file_path: fragment.file_path, code: fragment.code }, ...(fragment.files ?? [])];
  for (const file of files) {
    let path: string;
    try {
      path = normalizeSandboxPath(file.file_path);
    } catch (error) {
      findings.push({
        rule: 'invalid-path',
        message: error instanceof Error ? error.message : String(error),
        line: 0,
        column: 0,
        severity: 'error',
        file: String(file.file_path),
      });
      continue;
    }
    if (!browser || !scriptExtensions.test(path)) continue;
    findings.push(...checkBrowserCode(file.code, { jsx: !/\.[cm]?ts$/.test(path), file: path }));
    if (allowed) {
      for (const { specifier, token } of importSpecifiers(file.code, !/\.[cm]?ts$/.test(path))) {
        const name = packageOfSpecifier(specifier);
        if (name !== undefined && !allowed.has(name)) {
          findings.push({
            ...notAllowed(`The import ${JSON.stringify(specifier)}`, fragment.template, token),
            file: path,
          });
        }
      }
    }
  }

  const blocked = findings.some(
    (finding) => finding.severity === 'error' && (policy === 'block' || alwaysBlocking.has(finding.rule)),
  );
  return { findings, blocked, policy };
}

function notAllowed(subject: string, template: string, position: { line: number; column: number }): StaticFinding {
  return {
    rule: 'dependency-not-allowed',
    message: `${subject} is not on the allowlist of template ${template}.`,
    line: position.line,
    column: position.column,
    severity: 'error',
  };
}

function allowlistName(name: string, manager: PackageManager): string {
  try {
    return parsePackageSpec(name, manager).name;
  } catch {
    return name;
  }
}

/** The name a token accesses and the object it is read from (`window.fetch` → fetch on window). */
function readAccess(tokens: readonly JsToken[], index: number): { name: string; object?: string } | undefined {
  const token = tokens[index] as JsToken;
  const previous = tokens[index - 1];
  if (token.kind === 'identifier') {
    if (previous?.value === '.' || previous?.value === '?.') {
      const object = tokens[index - 2];
      return { name: token.value, object: object?.kind === 'identifier' ? object.value : '' };
    }
    return { name: token.value };
  }
  // `window['fetch']`: a string in brackets right after an identifier.
  if (token.kind === 'string' && previous?.value === '[' && tokens[index + 1]?.value === ']') {
    const object = tokens[index - 2];
    if (object?.kind === 'identifier') return { name: token.value, object: object.value };
  }
  return undefined;
}

/** True where the name is declared or used as a key, not read: `{ fetch: 1 }`, `fetch() {}`, `function fetch`. */
function isDeclarationName(tokens: readonly JsToken[], index: number): boolean {
  const previous = tokens[index - 1]?.value;
  const next = tokens[index + 1]?.value;
  if (previous === 'function' || previous === 'class' || previous === 'get' || previous === 'set') return true;
  if ((previous === '{' || previous === ',') && next === ':') return true;
  if (next === '(') {
    let depth = 0;
    for (let cursor = index + 1; cursor < tokens.length; cursor++) {
      const value = tokens[cursor]?.value;
      if (value === '(') depth += 1;
      else if (value === ')' && --depth === 0) return tokens[cursor + 1]?.value === '{';
    }
  }
  return false;
}

function* importSpecifiers(source: string, jsx: boolean): Generator<{ specifier: string; token: JsToken }> {
  const { tokens } = tokenizeJs(source, { jsx });
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as JsToken;
    if (token.kind !== 'string') continue;
    const previous = tokens[index - 1];
    const isStatic = previous?.value === 'from' || (previous?.value === 'import' && previous.kind === 'identifier');
    const isCall =
      previous?.value === '(' &&
      (tokens[index - 2]?.value === 'import' || tokens[index - 2]?.value === 'require') &&
      tokens[index + 1]?.value === ')';
    if (isStatic || isCall) yield { specifier: token.value, token };
  }
}

/** `react-dom/client` → `react-dom`, `@scope/pkg/x` → `@scope/pkg`; relative imports have none. */
function packageOfSpecifier(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
