// What protects the server, over real HTTP on the tiny model: bad input (400 naming the field), limits (413/422
// naming the limit), the loading and failed-to-load states (503 + Retry-After), API keys and CORS. After every
// bad request the process is still answering.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CohereClientV2, CohereError } from 'cohere-ai';
import { createReranker, ModelLoadError, type Reranker } from '../../src/index.js';
import { ensureTestModel } from '../helpers/test-models.js';
import { get, post, startTestServer, type TestServer } from '../helpers/server-harness.js';

let reranker: Reranker;
before(async () => {
  reranker = await createReranker({ model: await ensureTestModel('tiny') });
});
after(() => reranker?.close());

describe('bad input and limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      reranker,
      limits: { bodyLimit: 4096, maxDocumentsPerRequest: 5, maxQueryCharacters: 64, maxTokensPerRequest: 600 },
    });
  });
  after(() => server?.close());

  const cases: Array<{ name: string; body: unknown; field: string | null; url?: string }> = [
    { name: 'malformed JSON', body: '{"query": "q", "documents": [', field: 'body' },
    { name: 'an empty body', body: '', field: 'body' },
    { name: 'a JSON array instead of an object', body: '[1, 2]', field: null },
    { name: 'a missing query', body: { documents: ['a'] }, field: 'query' },
    { name: 'a number as query', body: { query: 5, documents: ['a'] }, field: 'query' },
    { name: 'an empty query', body: { query: '', documents: ['a'] }, field: 'query' },
    { name: 'an empty documents list', body: { query: 'q', documents: [] }, field: 'documents' },
    { name: 'documents that are not a list', body: { query: 'q', documents: 'a' }, field: 'documents' },
    { name: 'a non-string document', body: { query: 'q', documents: ['a', 42] }, field: 'documents[1]' },
    { name: 'a null document', body: { query: 'q', documents: ['a', null] }, field: 'documents[1]' },
    { name: 'a document object without text', body: { query: 'q', documents: [{ body: 'a' }] }, field: 'documents[0]' },
    { name: 'a negative top_n', body: { query: 'q', documents: ['a'], top_n: -1 }, field: 'top_n' },
    { name: 'a fractional top_n', body: { query: 'q', documents: ['a'], top_n: 1.5 }, field: 'top_n' },
    { name: 'a huge top_n', body: { query: 'q', documents: ['a'], top_n: 1e18 }, field: 'top_n' },
    { name: 'a string top_n (no coercion)', body: { query: 'q', documents: ['a'], top_n: '2' }, field: 'top_n' },
    { name: 'a negative min_score', body: { query: 'q', documents: ['a'], min_score: -0.5 }, field: 'min_score' },
    { name: 'a min_score above 1', body: { query: 'q', documents: ['a'], min_score: 2 }, field: 'min_score' },
    { name: 'a negative max_tokens_per_doc', body: { query: 'q', documents: ['a'], max_tokens_per_doc: -3 }, field: 'max_tokens_per_doc' },
    { name: 'max_tokens_per_doc beyond the context', body: { query: 'q', documents: ['a'], max_tokens_per_doc: 10_000_000 }, field: 'max_tokens_per_doc' },
    { name: 'an unknown field', body: { query: 'q', documents: ['a'], return_documentz: true }, field: 'return_documentz' },
    { name: 'a non-string instruction', body: { query: 'q', documents: ['a'], instruction: 7 }, field: 'instruction' },
    { name: 'a lone surrogate in a document', body: '{"query": "q", "documents": ["ok", "\\udc00"]}', field: 'documents[1]' },
    { name: 'a non-string text on /score', body: { text_1: 'q', text_2: [1] }, field: 'text_2', url: '/score' },
    { name: 'wrong max_length type on /api/rerank', body: { queries: ['q'], documents: ['a'], max_length: 'long' }, field: 'max_length', url: '/api/rerank' },
  ];
  for (const { name, body, field, url = '/v2/rerank' } of cases) {
    it(`answers 400 invalid_input naming the field for ${name}`, async () => {
      const response = await post(`${server.url}${url}`, body);
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.error.code, 'invalid_input');
      assert.equal(response.body.error.field, field);
      assert.equal(typeof response.body.error.message, 'string');
    });
  }

  it('answers 400 for a body that is not valid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"query": "q", "documents": ["'), Buffer.from([0xc3, 0x28]), Buffer.from('"]}')]);
    const response = await post(`${server.url}/v2/rerank`, new Uint8Array(bytes));
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.error, { code: 'invalid_input', message: 'request body is not valid UTF-8', field: 'body' });
  });

  it('answers 415 for a body that is not JSON, and 404 with a JSON error for unknown routes', async () => {
    const form = await fetch(`${server.url}/v2/rerank`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=q' });
    assert.equal(form.status, 415);
    assert.equal(((await form.json()) as { error: { code: string } }).error.code, 'unsupported_media_type');
    const missing = await post(`${server.url}/v3/rerank`, { query: 'q', documents: ['a'] });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
  });

  it('answers 413 naming bodyLimit for a body over the limit', async () => {
    const response = await post(`${server.url}/v2/rerank`, { query: 'q', documents: ['x'.repeat(5000)] });
    assert.equal(response.status, 413);
    assert.deepEqual(
      { code: response.body.error.code, limit: response.body.error.limit, max: response.body.error.max },
      { code: 'limit_exceeded', limit: 'bodyLimit', max: 4096 },
    );
  });

  const limitCases: Array<{ name: string; body: unknown; limit: string; field: string; url?: string }> = [
    { name: 'too many documents', body: { query: 'q', documents: ['a', 'b', 'c', 'd', 'e', 'f'] }, limit: 'maxDocumentsPerRequest', field: 'documents' },
    { name: 'too many pairs over all queries of a batch', body: { queries: ['q1', 'q2'], documents: ['a', 'b', 'c'] }, limit: 'maxDocumentsPerRequest', field: 'documents', url: '/api/rerank' },
    { name: 'a query that is too long', body: { query: 'q'.repeat(65), documents: ['a'] }, limit: 'maxQueryCharacters', field: 'query' },
    { name: 'an instruction that is too long', body: { query: 'q', documents: ['a'], instruction: 'i'.repeat(65) }, limit: 'maxQueryCharacters', field: 'instruction' },
    { name: 'too many estimated tokens', body: { query: 'q', documents: Array(4).fill('w '.repeat(200)) }, limit: 'maxTokensPerRequest', field: 'documents' },
  ];
  for (const { name, body, limit, field, url = '/v2/rerank' } of limitCases) {
    it(`answers 422 limit_exceeded naming ${limit} for ${name}`, async () => {
      const response = await post(`${server.url}${url}`, body);
      assert.equal(response.status, 422, JSON.stringify(response.body));
      assert.equal(response.body.error.code, 'limit_exceeded');
      assert.equal(response.body.error.limit, limit);
      assert.equal(response.body.error.field, field);
      assert.equal(typeof response.body.error.max, 'number');
    });
  }

  it('is still up and scoring after all of the above', async () => {
    assert.equal((await get(`${server.url}/health`)).status, 200);
    const response = await post(`${server.url}/v2/rerank`, { query: 'q', documents: ['a', 'b'] });
    assert.equal(response.status, 200);
    assert.equal(response.body.results.length, 2);
  });
});

describe('model loading states', () => {
  it('answers 503 with Retry-After while the model loads (/ready and scoring), then 200; /health always 200', async () => {
    let resolve!: (r: Reranker) => void;
    const loading = new Promise<Reranker>((r) => (resolve = r));
    const server = await startTestServer({ reranker: loading });
    try {
      const notReady = await get(`${server.url}/ready`);
      assert.equal(notReady.status, 503);
      assert.deepEqual(notReady.body, { status: 'loading' });
      assert.ok(Number(notReady.headers.get('retry-after')) >= 1);
      const scoring = await post(`${server.url}/v1/rerank`, { query: 'q', documents: ['a'] });
      assert.equal(scoring.status, 503);
      assert.equal(scoring.body.error.code, 'engine_unavailable');
      assert.ok(Number(scoring.headers.get('retry-after')) >= 1);
      assert.equal((await get(`${server.url}/health`)).status, 200);
      resolve(reranker);
      await loading;
      assert.equal((await get(`${server.url}/ready`)).status, 200);
      assert.equal((await post(`${server.url}/v1/rerank`, { query: 'q', documents: ['a'] })).status, 200);
    } finally {
      await server.close();
    }
  });

  it('reports a failed load on /ready with its error code, and answers 503 to scoring', async () => {
    const failed = Promise.reject(new ModelLoadError('not_a_reranker', 'model.gguf is not a Qwen3-Reranker'));
    const server = await startTestServer({ reranker: failed });
    try {
      await failed.catch(() => undefined);
      const ready = await get(`${server.url}/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.body, { status: 'failed', error: { code: 'not_a_reranker', message: 'model.gguf is not a Qwen3-Reranker' } });
      const scoring = await post(`${server.url}/score`, { text_1: 'q', text_2: 'a' });
      assert.equal(scoring.status, 503);
      assert.equal(scoring.body.error.code, 'engine_unavailable');
    } finally {
      await server.close();
    }
  });
});

describe('API keys and CORS', () => {
  let secured: TestServer;
  let open: TestServer;
  before(async () => {
    secured = await startTestServer({ reranker, apiKeys: ['first-key', 'second-key'], cors: 'http://app.example' });
    open = await startTestServer({ reranker });
  });
  after(async () => {
    await secured?.close();
    await open?.close();
  });

  it('answers 401 with WWW-Authenticate without a key or with a wrong one, 200 with any configured key', async () => {
    const body = { query: 'q', documents: ['a'] };
    const none = await post(`${secured.url}/v1/rerank`, body);
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'unauthorized');
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await post(`${secured.url}/v1/rerank`, body, { headers: { authorization: 'Bearer nope' } })).status, 401);
    assert.equal((await post(`${secured.url}/v1/rerank`, body, { headers: { authorization: 'Bearer first-key' } })).status, 200);
    assert.equal((await post(`${secured.url}/score`, { text_1: 'q', text_2: 'a' }, { headers: { authorization: 'Bearer second-key' } })).status, 200);
  });

  it('lets the Cohere SDK authenticate with its token', async () => {
    const good = new CohereClientV2({ token: 'second-key', environment: secured.url });
    assert.equal((await good.rerank({ model: 'm', query: 'q', documents: ['a', 'b'] })).results.length, 2);
    const bad = new CohereClientV2({ token: 'wrong', environment: secured.url });
    await assert.rejects(bad.rerank({ model: 'm', query: 'q', documents: ['a'] }, { maxRetries: 0 }), (error: unknown) => error instanceof CohereError && error.statusCode === 401);
  });

  it('keeps /health, /ready and /openapi.json public, and /metrics behind the key', async () => {
    assert.equal((await get(`${secured.url}/health`)).status, 200);
    assert.equal((await get(`${secured.url}/ready`)).status, 200);
    const openapi = await get(`${secured.url}/openapi.json`);
    assert.equal(openapi.status, 200);
    assert.deepEqual(openapi.body.security, [{ bearer: [] }]);
    assert.equal((await get(`${secured.url}/metrics`)).status, 401);
    assert.equal((await get(`${secured.url}/metrics`, { authorization: 'Bearer first-key' })).status, 200);
  });

  it('sends no CORS headers by default, and allows only the configured origin when asked', async () => {
    const plain = await fetch(`${open.url}/v1/rerank`, {
      method: 'POST',
      headers: { origin: 'http://app.example', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'q', documents: ['a'] }),
    });
    assert.equal(plain.headers.get('access-control-allow-origin'), null);

    const preflight = await fetch(`${secured.url}/v1/rerank`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://app.example');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);

    const allowed = await post(`${secured.url}/v1/rerank`, { query: 'q', documents: ['a'] }, { headers: { origin: 'http://app.example', authorization: 'Bearer first-key' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://app.example');
    const other = await post(`${secured.url}/v1/rerank`, { query: 'q', documents: ['a'] }, { headers: { origin: 'http://evil.example', authorization: 'Bearer first-key' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});

describe('optional routes', () => {
  it('serves the workbench page at / by default and the knowledge-base search when given a directory', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'qwen-ranker-kb-'));
    const server = await startTestServer({ reranker, webUi: {}, knowledgeBasesDir: dir });
    try {
      const page = await fetch(`${server.url}/`);
      assert.notEqual(page.status, 404, 'the workbench route exists (200 when built, 503 with build instructions otherwise)');
      const missing = await post(`${server.url}/api/kb/nothing-here/search`, { query: 'q' });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'not_found');
      assert.equal(missing.body.error.field, 'name');
      assert.ok((await get(`${server.url}/openapi.json`)).body.paths['/api/kb/{name}/search']);
      const without = await startTestServer({ reranker });
      try {
        assert.equal((await post(`${without.url}/api/kb/nothing-here/search`, { query: 'q' })).status, 404);
      } finally {
        await without.close();
      }
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
