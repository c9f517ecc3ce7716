// Every endpoint shape of the HTTP server over real HTTP on the generated tiny model: Cohere v2 (with the
// official cohere-ai SDK), Jina/vLLM /v1/rerank, llama.cpp /rerank in both its Jina and TEI shapes, vLLM /score,
// the native /api/rerank batch, and the status routes. Scores are compared with the library's own.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CohereClientV2 } from 'cohere-ai';
import { createReranker, type Reranker } from '../../src/index.js';
import { ensureTestModel } from '../helpers/test-models.js';
import { assertApproxEqual, get, post, startTestServer, type TestServer, type WireBody } from '../helpers/server-harness.js';

const query = 'how do rerankers order search results';
const documents = [
  'A reranker scores each query and document pair.',
  'Bananas are rich in potassium.',
  'Search results are reordered by relevance scores.',
  'The weather in Lisbon is mild.',
];
const instruction = 'Judge whether the document explains search ranking';

/** The raw body of a 200 answer, for byte-for-byte comparisons. */
async function postText(url: string, body: unknown): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(response.status, 200, url);
  return response.text();
}

describe('server endpoints', () => {
  let reranker: Reranker;
  let server: TestServer;
  before(async () => {
    // No score cache: every server answer below is computed, not copied from an earlier library call.
    reranker = await createReranker({ model: await ensureTestModel('tiny'), cacheSize: 0 });
    server = await startTestServer({ reranker });
  });
  after(async () => {
    await server?.close();
    await reranker?.close();
  });

  it('POST /v2/rerank works with the official cohere-ai SDK and returns the library scores, best first', async () => {
    const expected = await reranker.rerank(query, documents, { topN: 2 });
    const client = new CohereClientV2({ token: 'unused', environment: server.url });
    const response = await client.rerank({ model: 'rerank-v3.5', query, documents, topN: 2 });
    assertApproxEqual(
      response.results.map((r) => [r.index, r.relevanceScore]),
      expected.results.map((r) => [r.index, r.score]),
    );
    assert.equal(response.meta?.billedUnits?.searchUnits, 1);
    assert.equal(response.meta?.tokens?.inputTokens, expected.usage.inputTokens);
    assert.match(response.id ?? '', /^rerank-/);
  });

  it('POST /v2/rerank applies instruction and min_score', async () => {
    const expected = await reranker.rerank(query, documents, { instruction });
    const threshold = (expected.results[1]!.score + expected.results[2]!.score) / 2;
    const { status, body } = await post(`${server.url}/v2/rerank`, { model: 'any', query, documents, instruction, min_score: threshold });
    assert.equal(status, 200);
    assertApproxEqual(
      body.results.map((r: { index: number; relevance_score: number }) => [r.index, r.relevance_score]),
      expected.results.slice(0, 2).map((r) => [r.index, r.score]),
    );
    const plain = await reranker.rerank(query, documents);
    assert.notDeepEqual(plain.results.map((r) => r.score), expected.results.map((r) => r.score), 'the instruction changes the scores');
  });

  for (const url of ['/v1/rerank', '/rerank']) {
    it(`POST ${url} answers in the Jina/vLLM shape with documents, usage and top_n`, async () => {
      const expected = await reranker.rerank(query, documents, { topN: 3 });
      const { status, body } = await post(`${server.url}${url}`, {
        model: 'whatever',
        query,
        documents: [documents[0], { text: documents[1] }, documents[2], documents[3]],
        top_n: 3,
      });
      assert.equal(status, 200);
      assert.match(body.id, /^rerank-/);
      assert.equal(body.model, 'qwen3-tiny.random-weights', 'the served name: the file name without .gguf, never its path');
      assert.deepEqual(body.usage, { prompt_tokens: expected.usage.inputTokens, total_tokens: expected.usage.inputTokens });
      assertApproxEqual(
        body.results,
        expected.results.map((r) => ({ index: r.index, relevance_score: r.score, document: { text: r.document.text } })),
      );
    });
  }

  it('POST /v1/rerank leaves documents out with return_documents: false and returns logits with use_activation: false', async () => {
    const expected = await reranker.rerank(query, documents);
    const { body } = await post(`${server.url}/v1/rerank`, { query, documents, return_documents: false, use_activation: false, top_n: 0 });
    assertApproxEqual(body.results, expected.results.map((r) => ({ index: r.index, relevance_score: r.logit })));
  });

  it('POST /rerank with "texts" answers in the TEI shape (as llama.cpp does): [{index, score, text?}]', async () => {
    const expected = await reranker.rerank(query, documents);
    const sigmoid = await post(`${server.url}/rerank`, { query, texts: documents });
    assert.equal(sigmoid.status, 200);
    assertApproxEqual(sigmoid.body, expected.results.map((r) => ({ index: r.index, score: r.score })));
    const raw = await post(`${server.url}/rerank`, { query, texts: documents, raw_scores: true, return_text: true, truncate: true, truncation_direction: 'Right' });
    assertApproxEqual(raw.body, expected.results.map((r) => ({ index: r.index, score: r.logit, text: r.document.text })));
  });

  it('POST /rerank refuses left truncation and a body with both documents and texts', async () => {
    const left = await post(`${server.url}/rerank`, { query, texts: documents, truncation_direction: 'left' });
    assert.equal(left.status, 400);
    assert.equal(left.body.error.field, 'truncation_direction');
    const both = await post(`${server.url}/rerank`, { query, texts: documents, documents });
    assert.equal(both.status, 400);
    assert.equal(both.body.error.field, 'texts');
  });

  it('POST /score pairs 1:1, 1:N and N:N (queries/documents or text_1/text_2) in input order', async () => {
    const queries = ['ranking search results', 'fruit nutrition'];
    const oneToN = await post(`${server.url}/score`, { text_1: query, text_2: documents });
    const expectedOneToN = await reranker.score(documents.map((document) => ({ query, document })));
    assert.equal(oneToN.status, 200);
    assert.equal(oneToN.body.object, 'list');
    assertApproxEqual(oneToN.body.data, expectedOneToN.map((s, index) => ({ index, object: 'score', score: s.score })));
    const expectedTokens = expectedOneToN.reduce((sum, s) => sum + s.inputTokens, 0);
    assert.deepEqual(oneToN.body.usage, { prompt_tokens: expectedTokens, total_tokens: expectedTokens, completion_tokens: 0 });

    const nToN = await post(`${server.url}/score`, { queries, documents: documents.slice(0, 2) });
    const expectedNToN = await reranker.score(queries.map((q, i) => ({ query: q, document: documents[i]! })));
    assertApproxEqual(nToN.body.data.map((d: { score: number }) => d.score), expectedNToN.map((s) => s.score));

    const oneToOne = await post(`${server.url}/score`, { queries: 'fruit nutrition', documents: documents[1], instruction });
    const [expectedOne] = await reranker.score([{ query: 'fruit nutrition', document: documents[1]! }], { instruction });
    assertApproxEqual(oneToOne.body.data, [{ index: 0, object: 'score', score: expectedOne!.score }]);

    const mismatched = await post(`${server.url}/score`, { queries, documents });
    assert.equal(mismatched.status, 400);
    assert.equal(mismatched.body.error.field, 'queries');
  });

  it('POST /api/rerank ranks one shared list for several queries, or one list per query, with logits and tokens', async () => {
    const queries = ['search ranking', 'potassium'];
    const shared = await post(`${server.url}/api/rerank`, { queries, documents: [{ id: 'a', text: documents[0], metadata: { n: 1 } }, documents[1]], top_n: 1 });
    assert.equal(shared.status, 200);
    assert.equal(shared.body.results.length, 2);
    for (const [i, group] of shared.body.results.entries()) {
      const expected = await reranker.rerank(queries[i]!, [{ id: 'a', text: documents[0]!, metadata: { n: 1 } }, documents[1]!], { topN: 1 });
      assert.equal(group.query_index, i);
      assert.equal(group.query, queries[i]);
      const [top] = expected.results;
      assertApproxEqual(group.results, [
        { index: top!.index, relevance_score: top!.score, logit: top!.logit, input_tokens: top!.inputTokens, cached: false, document: top!.document },
      ]);
    }
    const perQuery = await post(`${server.url}/api/rerank`, { queries, documents: [[documents[0]], [documents[1], documents[3]]], return_documents: false });
    assert.equal(perQuery.status, 200);
    assert.deepEqual(perQuery.body.results.map((g: { results: unknown[] }) => g.results.length), [1, 2]);
    assert.equal(perQuery.body.usage.documents, 3);
    assert.equal(perQuery.body.results[1].results[0].document, undefined);
    const mixed = await post(`${server.url}/api/rerank`, { queries, documents: [[documents[0]], documents[1]] });
    assert.equal(mixed.status, 400);
    assert.equal(mixed.body.error.field, 'documents');
  });

  it('evidence: N gives every rerank shape the library\'s spans and span tokens; without it each answer is unchanged', async () => {
    const long = [
      `${documents[0]} It reads the query and the document together. Bananas are not involved.`,
      documents[1]!,
      `${documents[2]} Ranking search results is the point.`,
      documents[3]!,
    ];
    const expected = await reranker.rerank(query, long, { topN: 2, evidence: 2 });
    const spanTokens = expected.usage.inputTokens - (await reranker.rerank(query, long, { topN: 2 })).usage.inputTokens;
    assert.ok(spanTokens > 0 && expected.usage.evidenceSpans! >= 4);
    const spans = expected.results.map((r) => r.evidence);
    const requests: Array<{ url: string; body: Record<string, unknown>; results: (b: WireBody) => WireBody[]; tokens: (b: WireBody) => number | undefined }> = [
      { url: '/v2/rerank', body: { model: 'm', query, documents: long, top_n: 2 }, results: (b) => b.results, tokens: (b) => b.meta.tokens.input_tokens },
      { url: '/v1/rerank', body: { query, documents: long, top_n: 2 }, results: (b) => b.results, tokens: (b) => b.usage.prompt_tokens },
      { url: '/rerank', body: { query, texts: long, top_n: 2, raw_scores: true }, results: (b) => b, tokens: () => undefined },
      { url: '/invocations', body: { query, documents: long, top_n: 2 }, results: (b) => b.results, tokens: (b) => b.usage.prompt_tokens },
      { url: '/api/rerank', body: { queries: [query], documents: long, top_n: 2 }, results: (b) => b.results[0].results, tokens: (b) => b.usage.input_tokens },
    ];
    for (const { url, body, results, tokens } of requests) {
      const plain = await postText(`${server.url}${url}`, body);
      const withEvidence = await post(`${server.url}${url}`, { ...body, evidence: 2 });
      assert.equal(withEvidence.status, 200, url);
      assertApproxEqual(results(withEvidence.body).map((r) => r.evidence), spans);
      const plainTokens = tokens(JSON.parse(plain));
      if (plainTokens !== undefined) assert.equal(tokens(withEvidence.body), plainTokens + spanTokens, `${url} counts the span prompts`);
      // The same answer without the evidence: its keys removed (and the usage, id and duration that differ
      // anyway), it is the answer to the request without `evidence`, byte for byte.
      const stripped = withEvidence.body;
      for (const result of results(stripped)) delete result.evidence;
      const unchanged = JSON.parse(plain);
      for (const key of ['id', 'duration_ms', 'usage', 'meta'] as const) if (key in unchanged) stripped[key] = unchanged[key];
      assert.equal(JSON.stringify(stripped), plain, url);
    }

    for (const [url, body] of [
      ['/v2/rerank', { model: 'm', query, documents, evidence: 0 }],
      ['/v1/rerank', { query, documents, evidence: 1.5 }],
      ['/api/rerank', { queries: [query], documents, evidence: '2' }],
      ['/score', { queries: query, documents, evidence: 1 }],
    ] as const) {
      const refused = await post(`${server.url}${url}`, body);
      assert.equal(refused.status, 400, url);
      assert.equal(refused.body.error.field, 'evidence', url);
    }
  });

  it('GET /health, /ready (model, engine, device, demo flag), /metrics, /openapi.json and /docs', async () => {
    assert.deepEqual((await get(`${server.url}/health`)).body, { status: 'ok' });
    const ready = await get(`${server.url}/ready`);
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
    assert.equal(ready.body.model, 'qwen3-tiny.random-weights');
    assert.equal(ready.body.engine, 'onnx', 'auto on a CPU');
    assert.equal(ready.body.device, 'cpu');
    assert.equal(ready.body.demo, true);
    assert.ok(ready.body.load_time_ms > 0);

    const metrics = await get<string>(`${server.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    for (const name of ['qwen_ranker_http_requests_total', 'qwen_ranker_http_request_duration_seconds_bucket', 'qwen_ranker_documents_total', 'qwen_ranker_input_tokens_total', 'qwen_ranker_cache_hits_total', 'qwen_ranker_engine_queue_depth', 'qwen_ranker_requests_queued']) {
      assert.match(metrics.body, new RegExp(`^${name}`, 'm'), name);
    }
    assert.match(metrics.body, /^qwen_ranker_http_requests_total\{method="POST",route="\/v2\/rerank",status="200"\} [1-9]/m);

    const openapi = await get(`${server.url}/openapi.json`);
    assert.equal(openapi.body.openapi, '3.0.3');
    for (const path of ['/v2/rerank', '/v1/rerank', '/rerank', '/score', '/api/rerank', '/health', '/ready', '/metrics']) {
      assert.ok(openapi.body.paths[path], `${path} documented`);
    }
    assert.ok(openapi.body.paths['/v2/rerank'].post.requestBody.content['application/json'].schema.properties.instruction);
    assert.ok(openapi.body.paths['/v2/rerank'].post.requestBody.content['application/json'].schema.properties.evidence);
    const docs = await fetch(`${server.url}/docs/`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);
  });
});
