import { defineConfig } from 'vite';

// Built into the repository's gitignored dist/, where the service serves it from (src/api/dashboard.ts).
export default defineConfig({
  root: '.',
  base: '/',
  build: { outDir: '../dist/web', emptyOutDir: true, target: 'es2022' },
});
