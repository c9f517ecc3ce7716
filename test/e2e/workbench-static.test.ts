// How the server hands out the workbench (src/server/web-ui.ts), through the real app with `inject()`: no model
// is needed, the reranker promise never settles. The built page (web/dist) is needed: `npm run build`.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reranker } from '../../src/index.js';
import { createApp, type CreateAppOptions } from '../../src/server/index.js';
import { DEFAULT_WEB_ROOT } from '../../src/server/web-ui.js';

const neverLoaded = new Promise<Reranker>(() => undefined);

function appWith(options: Omit<CreateAppOptions, 'reranker'> = {}) {
  return createApp({ reranker: neverLoaded, ...options });
}

describe('workbench files served by the app', () => {
  const temporaryDirectories: string[] = [];
  after(() => Promise.all(temporaryDirectories.map((directory) => rm(directory, { recursive: true, force: true }))));

  it('serves the built page at / with a CSP, revalidation, and its hashed assets as immutable', async () => {
    const app = appWith();
    const page = await app.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*connect-src 'self'/);
    assert.equal(page.body, await readFile(join(DEFAULT_WEB_ROOT, 'index.html'), 'utf8'));

    const assets = [...page.body.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((match) => match[1]!);
    assert.ok(assets.some((asset) => asset.endsWith('.js')) && assets.some((asset) => asset.endsWith('.css')), `assets: ${assets.join(', ')}`);
    for (const asset of assets) {
      const response = await app.inject({ method: 'GET', url: `/${asset}` });
      assert.equal(response.statusCode, 200, asset);
      assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.match(String(response.headers['content-type']), asset.endsWith('.js') ? /javascript/ : /text\/css/);
    }
    await app.close();
  });

  it('leaves unknown paths to the API 404 answer', async () => {
    const app = appWith();
    for (const url of ['/assets/missing.js', '/nothing-here']) {
      const response = await app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json<{ error: { code: string } }>().error.code, 'not_found');
    }
    await app.close();
  });

  it('answers / with 503 and how to build while the page is not built, and serves a build made afterwards', async () => {
    const root = await mkdtemp(join(tmpdir(), 'qwen-ranker-web-'));
    temporaryDirectories.push(root);
    const app = appWith({ webUi: { root } });
    const missing = await app.inject({ method: 'GET', url: '/' });
    assert.equal(missing.statusCode, 503);
    assert.match(missing.body, /npm run build/);

    await writeFile(join(root, 'index.html'), '<!doctype html><title>built later</title>');
    const built = await app.inject({ method: 'GET', url: '/' });
    assert.equal(built.statusCode, 200);
    assert.match(built.body, /built later/);
    await app.close();
  });

  it('serves the page without an API key when the API needs one, so the page can ask for it', async () => {
    const app = appWith({ apiKeys: ['secret'] });
    assert.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 200);
    const rerank = await app.inject({ method: 'POST', url: '/api/rerank', payload: { queries: ['q'], documents: ['d'] } });
    assert.equal(rerank.statusCode, 401);
    await app.close();
  });
});
