import { describe, expect, it } from 'vitest';
import { compilePreviewModule } from './compilePreviewModule.js';

const counter = [
  "import { useState, type ReactNode } from 'react';",
  "import type { CSSProperties } from 'react';",
  '',
  'type Props = { label?: ReactNode };',
  'const style: CSSProperties = { padding: 8 };',
  '',
  'export default function App({ label = "Count" }: Props) {',
  '  const [count, setCount] = useState<number>(0);',
  '  return <button style={style} onClick={() => setCount(count + 1)}>{label}: {count}</button>;',
  '}',
  '',
].join('\n');

function compiled(source: string, filePath = 'App.tsx'): string {
  const result = compilePreviewModule(source, filePath);
  if (!result.ok) throw new Error(`did not compile: ${result.error.message}`);
  return result.code;
}

/** Runs a compiled module body the way the preview runtime does, with a fake `require`. */
function evaluate(code: string, modules: Record<string, unknown>) {
  const module = { exports: {} as Record<string, unknown> };
  const required: string[] = [];
  const require = (specifier: string) => {
    required.push(specifier);
    if (!(specifier in modules)) throw new Error(`unknown module ${specifier}`);
    return modules[specifier];
  };
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  return { exports: module.exports, required };
}

describe('compilePreviewModule', () => {
  it('turns TSX into a CommonJS body that requires react and exports the component as default', () => {
    const code = compiled(counter);
    expect(code).not.toMatch(/\bimport\b/);
    expect(code).not.toContain('CSSProperties');
    expect(code).not.toContain('<number>');
    const jsx = (type: unknown, props: unknown) => ({ type, props });
    const { exports, required } = evaluate(code, {
      react: { useState: (initial: unknown) => [initial, () => {}] },
      'react/jsx-runtime': { jsx, jsxs: jsx },
    });
    expect(required.sort()).toEqual(['react', 'react/jsx-runtime']);
    const App = exports.default as (props: object) => { type: string; props: { children: unknown[] } };
    const element = App({});
    expect(element.type).toBe('button');
    expect(element.props.children).toEqual(['Count', ': ', 0]);
  });

  it('keeps line numbers, so stack frames point at the source lines', () => {
    const code = compiled(counter).split('\n');
    const sourceLines = counter.split('\n');
    expect(code[sourceLines.findIndex((line) => line.startsWith('export default function App'))]).toContain(
      'function App(',
    );
    expect(code[sourceLines.findIndex((line) => line.includes('useState<number>'))]).toContain('_react.useState(0)');
  });

  it('reads `.ts` files as TypeScript without JSX, so generic arrows parse', () => {
    const code = compiled(
      'export const identity = <T,>(value: T): T => value;\nexport default identity;\n',
      'identity.ts',
    );
    expect(evaluate(code, {}).exports.default).toBeTypeOf('function');
  });

  it('reads `.jsx` files as JavaScript with JSX', () => {
    const code = compiled('export default () => <p>hi</p>;\n', 'App.jsx');
    expect(code).toContain('require("react/jsx-runtime")');
  });

  it('returns a syntax error as a compile error whose one frame is the failing position', () => {
    const result = compilePreviewModule(
      'export default function App() {\n  return (\n    <div>\n  );\n}\n',
      'src/App.tsx',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'compile', name: 'SyntaxError', filePath: 'src/App.tsx' });
    expect(result.error.message).not.toContain('Error transforming');
    expect(result.error.message).toMatch(/\(\d+:\d+\)$/);
    const [line, column] = /\((\d+):(\d+)\)$/.exec(result.error.message)!.slice(1).map(Number);
    expect(result.error.frames).toEqual([
      { file: 'src/App.tsx', line, column, inApp: true, raw: `at src/App.tsx:${line}:${column}` },
    ]);
  });
});
