import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findUnexportedTsdocImports } from './tsdocImports.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

describe('findUnexportedTsdocImports', () => {
  it('reports names an entry does not export and subpaths missing from exports', () => {
    root = mkdtempSync(join(tmpdir(), 'tsdoc-imports-'));
    write(
      'core/package.json',
      JSON.stringify({
        exports: {
          '.': { '@fragmentkit/source': './src/index.ts', default: './dist/index.js' },
          './package.json': './package.json',
        },
      }),
    );
    write('core/src/index.ts', "export { visible, type Shape } from './visible.js';\nexport * from './more.js';\n");
    write('core/src/more.ts', 'export const fromStar = 1;\n');
    write(
      'core/src/visible.ts',
      [
        '/**',
        ' * @example',
        ' * ```ts',
        " * import { visible, fromStar, type Shape, hidden } from '@fragmentkit/core';",
        " * import { other } from '@fragmentkit/core/extra';",
        ' * ```',
        ' */',
        'export const visible = 1;',
        'export type Shape = { a: 1 };',
        'export const hidden = 2;',
      ].join('\n'),
    );
    expect(findUnexportedTsdocImports(root, ['core'])).toEqual([
      { file: 'core/src/visible.ts', specifier: '@fragmentkit/core', name: 'hidden' },
      { file: 'core/src/visible.ts', specifier: '@fragmentkit/core/extra' },
    ]);
  });
});
