import { existsSync } from 'node:fs';
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
 * One route per built file (no catch-all, so the API's 404 answers stay as they are). Without a build, `/`
 * answers 503 saying how to build it.
 */
export const webUiRoutes: FastifyPluginAsync<WebUiOptions> = async (app, options) => {
  const root = options.root ?? DEFAULT_WEB_ROOT;
  if (!existsSync(join(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`The workbench is not built: ${join(root, 'index.html')} is missing.\nRun \`npm run build\` in the qwen-ranker package, then restart the server.\nThe HTTP API works without it; see /docs.\n`),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    // The page needs no `reply.sendFile`; leave the reply undecorated.
    decorateReply: false,
    cacheControl: false,
    setHeaders(response, path) {
      response.setHeader('x-content-type-options', 'nosniff');
      if (path.endsWith('.html')) {
        // The page must pick up new asset names after a rebuild; the assets themselves never change (hashed names).
        response.setHeader('cache-control', 'no-cache');
        response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
      } else {
        response.setHeader('cache-control', 'public, max-age=31536000, immutable');
      }
    },
  });
};
