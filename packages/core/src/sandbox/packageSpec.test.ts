import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import { parsePackageSpec } from './packageSpec.js';
import { normalizeSandboxPath } from './sandboxPath.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return FragmentkitError.isInstance(error) ? error.code : 'NOT_A_FRAGMENTKIT_ERROR';
  }
  return undefined;
}

describe('parsePackageSpec', () => {
  it.each([
    ['numpy', 'pip', 'numpy'],
    ['Scikit_Learn>=1.4,<2', 'pip', 'scikit-learn'],
    ['pandas[excel]==2.2.0', 'pip', 'pandas'],
    ['zod', 'npm', 'zod'],
    ['@tanstack/react-query@^5.0.0', 'npm', '@tanstack/react-query'],
    ['date-fns@latest', 'npm', 'date-fns'],
  ] as const)('accepts %s for %s', (spec, manager, name) => {
    expect(parsePackageSpec(spec, manager)).toEqual({ name, spec });
  });

  it.each([
    ['left-pad; rm -rf /', 'npm'],
    ['--registry=https://evil.test', 'npm'],
    ['git+https://github.com/x/y.git', 'npm'],
    ['file:../../etc', 'npm'],
    ['requests @ https://evil.test/r.whl', 'pip'],
    ['-e .', 'pip'],
    ['numpy$(whoami)', 'pip'],
    ['', 'pip'],
  ] as const)('rejects %s for %s with INVALID_REQUEST', (spec, manager) => {
    expect(codeOf(() => parsePackageSpec(spec, manager))).toBe('INVALID_REQUEST');
  });
});

describe('normalizeSandboxPath', () => {
  it('canonicalises relative paths', () => {
    expect(normalizeSandboxPath('./pages//index.tsx')).toBe('pages/index.tsx');
    expect(normalizeSandboxPath('app.py')).toBe('app.py');
  });

  it.each(['../x', 'a/../../x', '/etc/passwd', 'C:/x', 'a\\b', '', '.', 'a\u0000b', '.fragmentkit/x'])(
    'rejects %j with INVALID_REQUEST',
    (path) => {
      expect(codeOf(() => normalizeSandboxPath(path))).toBe('INVALID_REQUEST');
    },
  );
});
