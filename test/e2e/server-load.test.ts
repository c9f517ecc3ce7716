// The server under load and when clients go away, over real HTTP on the tiny model: 200 requests from 32
// concurrent clients (every one answered 200 or 429, none lost, scores equal to the library's), a disconnected
// client's queued and running work cancelled, and the per-request timeout.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReranker, type Reranker } from '../../src/index.js';
import { ensureTestModel } from '../helpers/test-models.js';
import { assertApproxEqual, get, post, startTestServer, waitFor, type TestServer, type WireBody } from '../helpers/server-harness.js';

const documents = ['Rerankers reorder retrieved passages.', 'A recipe for lentil soup.', 'Cross-encoders read query and passage together.'];
const queries = Array.from({ length: 8 }, (_, i) => `question ${i}: how are passages reranked?`);

let uniqueCounter = 0;
/** Documents nobody has scored before (so neither the cache nor deduplication can answer them). */
function uniqueDocuments(count: number): string[] {
  uniqueCounter++;
  return Array.from({ length: count }, (_, i) => `fresh passage ${uniqueCounter}.${i} about batching and cancellation of queued work`);
}

/** Value of an unlabelled metric in the Prometheus text of `/metrics`. */
async function metric(url: string, name: string): Promise<number> {
  const { body } = await get<string>(`${url}/metrics`);
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`metric ${name} not found`);
  return Number(line.slice(name.length + 1));
}

let ranker: Reranker;
// The llama.cpp engine, explicitly: these tests hold requests queued and running by their timing on the tiny model,
// where an ONNX run takes about a millisecond (the ONNX engine's event-loop test is in onnx-engine.test.ts).
before(async () => {
  ranker = await createReranker({ model: await ensureTestModel('tiny'), engine: 'llama-cpp' });
});
after(() => ranker?.close());

describe('load', () => {
  let server: TestServer;
  let reference: Reranker;
  before(async () => {
    server = await startTestServer({ reranker: ranker, limits: { maxConcurrentRequests: 4, maxQueuedRequests: 8 } });
    // A second instance without cache computes the reference scores independently of the server's reranker.
    reference = await createReranker({ model: await ensureTestModel('tiny'), engine: 'llama-cpp', cacheSize: 0 });
  });
  after(async () => {
    await server?.close();
    await reference?.close();
  });

  it('answers all 200 requests from 32 concurrent clients with 200 or 429 + Retry-After, and 200s carry the library scores', async () => {
    const total = 200;
    let next = 0;
    const outcomes: Array<{ request: number; status: number; retryAfter: string | null; body: WireBody }> = [];
    async function client(): Promise<void> {
      while (next < total) {
        const request = next++;
        const response = await post(`${server.url}/v2/rerank`, { model: 'm', query: queries[request % queries.length], documents });
        outcomes.push({ request, status: response.status, retryAfter: response.headers.get('retry-after'), body: response.body });
        // A polite client pauses after a refusal (a short pause instead of the full Retry-After keeps the test fast).
        if (response.status === 429) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await Promise.all(Array.from({ length: 32 }, client));

    assert.equal(outcomes.length, total, 'every request got an answer');
    assert.deepEqual(new Set(outcomes.map((o) => o.request)).size, total);
    const byStatus = new Map<number, typeof outcomes>();
    for (const outcome of outcomes) byStatus.set(outcome.status, [...(byStatus.get(outcome.status) ?? []), outcome]);
    assert.deepEqual([...byStatus.keys()].filter((s) => s !== 200 && s !== 429), [], 'only 200 and 429');
    assert.ok((byStatus.get(200)?.length ?? 0) > 0, 'some requests were served');
    assert.ok((byStatus.get(429)?.length ?? 0) > 0, 'some requests were refused: 32 clients against 4 running + 8 queued');
    for (const refused of byStatus.get(429) ?? []) {
      assert.equal(refused.body.error.code, 'overloaded');
      assert.ok(Number(refused.retryAfter) >= 1, `Retry-After ${refused.retryAfter}`);
    }

    process.stderr.write(`load: ${byStatus.get(200)?.length ?? 0} × 200, ${byStatus.get(429)?.length ?? 0} × 429\n`);
    const expected = await Promise.all(queries.map((query) => reference.rerank(query, documents)));
    for (const served of byStatus.get(200) ?? []) {
      assertApproxEqual(
        served.body.results,
        expected[served.request % queries.length]!.results.map((r) => ({ index: r.index, relevance_score: r.score })),
      );
    }
    assert.equal(await metric(server.url, 'qwen_ranker_requests_running'), 0);
    assert.equal(await metric(server.url, 'qwen_ranker_requests_queued'), 0);
  });
});

describe('cancellation and timeouts', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ reranker: ranker, limits: { maxConcurrentRequests: 1, maxQueuedRequests: 4 } });
  });
  after(() => server?.close());

  const engineIdle = () => ranker.stats().active === 0 && ranker.stats().queueDepth === 0;

  it('drops the queued work of a client that disconnects: it is never scored', async () => {
    await waitFor(engineIdle, 10_000, 'an idle engine');
    const promptTokensBefore = ranker.stats().promptTokens;
    // Long enough (24 documents) that the first request is still running when the second one is abandoned.
    const running = post(`${server.url}/v1/rerank`, { query: 'first', documents: uniqueDocuments(24) });
    await waitFor(async () => (await metric(server.url, 'qwen_ranker_requests_running')) === 1, 10_000, 'the first request to run');
    const controller = new AbortController();
    const queued = post(`${server.url}/v1/rerank`, { query: 'second', documents: uniqueDocuments(6) }, { signal: controller.signal });
    queued.catch(() => undefined);
    await waitFor(async () => (await metric(server.url, 'qwen_ranker_requests_queued')) === 1, 10_000, 'the second request to queue');
    controller.abort();
    await assert.rejects(queued, { name: 'AbortError' });
    await waitFor(async () => (await metric(server.url, 'qwen_ranker_requests_queued')) === 0, 10_000, 'the queue to empty');
    assert.equal(await metric(server.url, 'qwen_ranker_requests_running'), 1, 'the second request left the queue without starting');

    const first = await running;
    assert.equal(first.status, 200);
    await waitFor(engineIdle, 10_000, 'an idle engine');
    assert.equal(ranker.stats().promptTokens - promptTokensBefore, first.body.usage.prompt_tokens, 'only the first request was scored');
  });

  it('stops scoring the rest of a running request when its client disconnects', async () => {
    await waitFor(engineIdle, 10_000, 'an idle engine');
    const sample = await post(`${server.url}/v1/rerank`, { query: 'sample', documents: uniqueDocuments(4) });
    const tokensPerDocument = sample.body.usage.prompt_tokens / 4;
    const promptTokensBefore = ranker.stats().promptTokens;
    const count = 40;
    const controller = new AbortController();
    const request = post(`${server.url}/v1/rerank`, { query: 'sample', documents: uniqueDocuments(count) }, { signal: controller.signal });
    request.catch(() => undefined);
    await waitFor(() => ranker.stats().promptTokens > promptTokensBefore, 30_000, 'the first documents to be scored');
    controller.abort();
    await assert.rejects(request, { name: 'AbortError' });
    await waitFor(engineIdle, 30_000, 'the engine to stop');
    const scored = (ranker.stats().promptTokens - promptTokensBefore) / tokensPerDocument;
    assert.ok(scored < count * 0.75, `scored about ${scored.toFixed(1)} of ${count} documents after the disconnect`);
    await waitFor(async () => (await metric(server.url, 'qwen_ranker_requests_running')) === 0, 10_000, 'the slot to be released');
  });

  it('answers 503 timeout with Retry-After when a request exceeds requestTimeoutMs, and cancels its work', async () => {
    const hurried = await startTestServer({ reranker: ranker, limits: { requestTimeoutMs: 30 } });
    try {
      await waitFor(engineIdle, 10_000, 'an idle engine');
      const response = await post(`${hurried.url}/v2/rerank`, { query: 'slow', documents: uniqueDocuments(24) });
      assert.equal(response.status, 503);
      assert.equal(response.body.error.code, 'timeout');
      assert.ok(Number(response.headers.get('retry-after')) >= 1);
      await waitFor(engineIdle, 30_000, 'the engine to stop');
    } finally {
      await hurried.close();
    }
  });
});
