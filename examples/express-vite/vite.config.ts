import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // Hidden source maps: not linked from the bundle, uploaded by the incidents demo instead.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: 'hidden' },
});
