import { defineConfig } from 'tsup';

// The preview runtime is a classic script with React inside: preview frames load it from the
// host's server and must not depend on a CDN or the host's bundler. Built after the main entry
// (`tsup && tsup --config tsup.preview-runtime.config.ts`), so it must not clean `dist`.
export default defineConfig({
  entry: { 'preview-runtime': 'src/preview/previewRuntime.ts' },
  format: ['iife'],
  platform: 'browser',
  target: 'es2020',
  minify: true,
  clean: false,
  dts: false,
  sourcemap: false,
  noExternal: ['react', 'react-dom'],
  env: { NODE_ENV: 'production' },
  outExtension: () => ({ js: '.js' }),
});
