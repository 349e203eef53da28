import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', monaco: 'src/editors/monaco.ts', codemirror: 'src/editors/codemirror.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['react', 'react-dom', '@fragmentkit/core', 'monaco-editor', '@codemirror/state', '@codemirror/view'],
  banner: { js: "'use client';" },
});
