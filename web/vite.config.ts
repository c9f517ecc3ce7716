// Build config for the workbench: `vite build --config web/vite.config.ts` (run from the package root) writes
// static files to web/dist, which `src/server/web-ui.ts` serves at `/`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  // Relative asset URLs, so the page also works behind a reverse proxy that mounts the server under a prefix.
  base: './',
  // Vite 8 transforms TSX with oxc; automatic runtime with Preact's jsx-runtime instead of React's
  // (https://vite.dev/config/shared-options#oxc, https://preactjs.com/guide/v10/getting-started#integrating-into-an-existing-pipeline).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  // The dev server (`npx vite --config web/vite.config.ts`) proxies the API to a running `qwen-ranker serve`.
  server: {
    proxy: Object.fromEntries(
      ['/ready', '/api', '/docs', '/openapi.json'].map((path) => [path, 'http://127.0.0.1:8000']),
    ),
  },
});
