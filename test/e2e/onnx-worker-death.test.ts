// A dead ONNX session worker (issue 18): the engine loads the model in a new worker once, failing only the requests
// the dead one held; a second death is final, and `/ready` of a server on the engine says so with 503 and the reason.
// The test ends the worker from outside, as any death looks to the engine: Node's process-wide 'worker' event
// (https://nodejs.org/api/process.html#event-worker) hands it each Worker the engine starts, and `terminate()` stops
// that thread, which the engine sees as the same 'exit' an uncaught error or an out-of-memory worker ends in.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import { createReranker, type Reranker } from '../../src/index.js';
import { get, post, startTestServer, type TestServer, waitFor } from '../helpers/server-harness.js';
import { ensureTestModel } from '../helpers/test-models.js';

const query = 'what does a reranker do?';
const documents = Array.from({ length: 6 }, (_, i) => `Document ${i}: a reranker orders ${i + 2} candidate passages by relevance.`);
/** Documents of ~100 tokens each, one run apiece: hundreds of runs, so the request is still running when its worker
 * is ended. */
const manyDocuments = Array.from({ length: 300 }, (_, i) => `Passage ${i}: ${'reranking, retrieval and search quality; '.repeat(12)}`);

describe('the ONNX engine when its session worker dies', () => {
  const workers: Worker[] = [];
  const onWorker = (worker: Worker) => workers.push(worker);
  let ranker: Reranker;
  let server: TestServer;
  /** Relevance of each document in input order, before any death. */
  let firstScores: number[];

  /** Reranks `documents` through the server; relevance scores in input order. */
  async function scores(): Promise<number[]> {
    const { status, body } = await post(`${server.url}/v2/rerank`, { model: 'tiny', query, documents });
    assert.equal(status, 200, JSON.stringify(body));
    return (body.results as Array<{ index: number; relevance_score: number }>).sort((a, b) => a.index - b.index).map((r) => r.relevance_score);
  }

  before(async () => {
    process.on('worker', onWorker);
    // No score cache: each request below reaches the engine.
    ranker = await createReranker({ model: await ensureTestModel('tiny'), engine: 'onnx', cacheSize: 0 });
    server = await startTestServer({ reranker: ranker });
    firstScores = await scores();
    assert.equal(workers.length, 1, 'the engine runs one worker (short texts need no tokenizer worker)');
  });

  after(async () => {
    process.off('worker', onWorker);
    await server?.close();
    await ranker?.close();
  });

  it('fails the request the dead worker was running with engine_failed, and is not ready while a new worker loads', async () => {
    const running = post(`${server.url}/v2/rerank`, { model: 'tiny', query: 'another query', documents: manyDocuments });
    const deadline = Date.now() + 30_000;
    while (ranker.stats().active === 0) {
      assert.ok(Date.now() < deadline, 'a run of the request reached the worker');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await workers[0]!.terminate();

    const ready = await get(`${server.url}/ready`);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, 'unavailable');
    assert.equal(ready.body.error.code, 'engine_unavailable');
    assert.ok(Number(ready.headers.get('retry-after')) >= 1, 'Retry-After: about the first load\'s time');

    const health = ranker.health();
    assert.ok(!health.ready, 'not ready once the worker is gone');
    assert.match(health.reason, /worker stopped.*loading the model in a new worker/);
    assert.equal(health.retryAfterSeconds, Number(ready.headers.get('retry-after')));

    const failed = await running;
    assert.equal(failed.status, 500);
    assert.equal(failed.body.error.code, 'engine_failed');
  });

  it('scores as before in the new worker, its query prefixes evaluated again, and /ready is 200 again', async () => {
    await waitFor(async () => (await get(`${server.url}/ready`)).status === 200, 60_000, '/ready 200 after the restart');
    assert.equal(workers.length, 2, 'one new worker');
    assert.deepEqual(ranker.health(), { ready: true });
    // The engine still holds this query's prefix from the first worker; the new worker evaluates it again.
    assert.deepEqual(await scores(), firstScores);
  });

  it('reports a second death as final: /ready 503 with the reason and no Retry-After, requests fail with engine_unavailable', async () => {
    await workers[1]!.terminate();
    const ready = await get(`${server.url}/ready`);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, 'unavailable');
    assert.equal(ready.body.error.code, 'engine_unavailable');
    assert.match(ready.body.error.message, /worker stopped.*after 1 restart\(s\); restart the process/);
    assert.equal(ready.headers.get('retry-after'), null);

    const refused = await post(`${server.url}/v2/rerank`, { model: 'tiny', query, documents });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, 'engine_unavailable');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(workers.length, 2, 'no third worker');
  });
});

describe('closing the ONNX engine while a new worker loads the model', () => {
  it('ends the new worker as well', { timeout: 60_000 }, async () => {
    const workers: Worker[] = [];
    const onWorker = (worker: Worker) => workers.push(worker);
    process.on('worker', onWorker);
    try {
      const ranker = await createReranker({ model: await ensureTestModel('tiny'), engine: 'onnx' });
      await workers[0]!.terminate();
      await waitFor(() => workers.length === 2, 30_000, 'the new worker');
      const exited = new Promise((resolve) => workers[1]!.once('exit', resolve));
      assert.equal(ranker.health().ready, false, 'the new worker is still loading');
      await ranker.close();
      await exited;
      assert.deepEqual(ranker.health(), { ready: false, reason: 'the reranker has been closed' });
    } finally {
      process.off('worker', onWorker);
    }
  });
});
