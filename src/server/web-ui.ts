import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

export interface WebUiOptions {
  /** Directory with the built workbench (`index.html` and `assets/`). Default: `web/dist` in the package root. */
  root?: string;
}

/**
 * `web/dist` of the package. This file is `src/server/web-ui.ts` when run through tsx and `dist/server/web-ui.js`
 * after `tsc`: the package root is two levels up in both cases.
 */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * Content-Security-Policy of the page: the bundle loads only its own files and talks only to this server.
 * Inline styles set from script (CSSOM) are not covered by `style-src` (https://www.w3.org/TR/CSP3/#directive-style-src),
 * so the bundle needs no `'unsafe-inline'`. `data:` images: the empty favicon in web/index.html.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the workbench (the browser page built from `web/` by `vite build --config web/vite.config.ts`) at `/`.
 * Files are looked up per request, so a rebuild while the server runs is picked up; unknown paths fall through
 * to the app's 404 answer. Without a build, `/` answers 503 saying how to build it.
 */
export const webUiRoutes: FastifyPluginAsync<WebUiOptions> = async (app, options) => {
  const root = options.root ?? DEFAULT_WEB_ROOT;
  const indexPath = join(root, 'index.html');

  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    let page: Buffer;
    try {
      page = await readFile(indexPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`The workbench is not built: ${indexPath} is missing.\nRun \`npm run build\` in the qwen-ranker package; the server picks it up without a restart.\nThe HTTP API works without it: see /docs.\n`);
    }
    setPageHeaders((name, value) => reply.header(name, value));
    return reply.type('text/html; charset=utf-8').send(page);
  });

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // `/` is the route above (it answers 503 when there is no build); the rest are the built files.
    index: false,
    // The page needs no `reply.sendFile`; leave the reply undecorated.
    decorateReply: false,
    cacheControl: false,
    setHeaders(response, path) {
      if (path.endsWith('.html')) setPageHeaders((name, value) => response.setHeader(name, value));
      else {
        response.setHeader('x-content-type-options', 'nosniff');
        // Vite puts a content hash in every asset name: a name never changes content.
        response.setHeader('cache-control', 'public, max-age=31536000, immutable');
      }
    },
  });
};

/** The page must pick up new asset names after a rebuild, so it is revalidated on every load. */
function setPageHeaders(setHeader: (name: string, value: string) => unknown): void {
  setHeader('x-content-type-options', 'nosniff');
  setHeader('cache-control', 'no-cache');
  setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
}
