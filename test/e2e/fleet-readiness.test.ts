// `/ready` of a server whose remote engine's endpoints all stop (issue 18): 503 with the reason while none is
// healthy, 200 again once one is back. The endpoints are qwen-ranker servers on the tiny test model, in this process
// (as fleet.test.ts's survivors: a child process costs seconds of start-up), stopped and started on the same port.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReranker, type Reranker } from '../../src/index.js';
import { serve, type ServeHandle } from '../../src/server/index.js';
import { get, post, startTestServer, type TestServer, waitFor } from '../helpers/server-harness.js';
import { ensureTestModel } from '../helpers/test-models.js';

describe('/ready of a server on a fleet whose endpoints all stop', () => {
  let model: string;
  let peers: ServeHandle[] = [];
  let urls: string[];
  let remote: Reranker;
  let server: TestServer;

  const startPeer = async (port: number) => {
    const handle = await serve({ reranker: { model, threads: 1, gpu: false }, port, logLevel: false, webUi: false, handleSignals: false });
    await handle.ready;
    return handle;
  };

  before(async () => {
    model = await ensureTestModel('tiny');
    peers = await Promise.all([startPeer(0), startPeer(0)]);
    urls = peers.map((peer) => peer.url);
    remote = await createReranker({ engine: 'cohere', endpoints: urls, healthCheckIntervalMs: 200, timeoutMs: 5000 });
    server = await startTestServer({ reranker: remote });
  });

  after(async () => {
    await server?.close();
    await remote?.close();
    await Promise.all(peers.map((peer) => peer.close()));
  });

  it('answers 200 while the endpoints are up', async () => {
    const ready = await get(`${server.url}/ready`);
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal(ready.body.status, 'ready');
  });

  it('answers 503 with each endpoint\'s error and a Retry-After once every endpoint has stopped', async () => {
    await Promise.all(peers.map((peer) => peer.close()));
    await waitFor(async () => (await get(`${server.url}/ready`)).status !== 200, 10_000, '/ready to leave 200');
    const ready = await get(`${server.url}/ready`);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, 'unavailable');
    assert.equal(ready.body.error.code, 'engine_unavailable');
    for (const url of urls) assert.ok((ready.body.error.message as string).includes(url), ready.body.error.message);
    assert.match(ready.body.error.message, /ECONNREFUSED|ECONNRESET|other side closed|socket/i);
    assert.equal(ready.headers.get('retry-after'), '1', 'the next health check is within a second');
    assert.deepEqual(
      (ready.body.engine_status.endpoints as Array<{ state: string }>).map((e) => e.state),
      ['unhealthy', 'unhealthy'],
    );
  });

  it('answers 200 again once one endpoint is back, and scores through it', async () => {
    peers[0] = await startPeer(Number(new URL(urls[0]!).port));
    await waitFor(async () => (await get(`${server.url}/ready`)).status === 200, 10_000, '/ready 200 with one endpoint back');
    const { status, body } = await post(`${server.url}/v2/rerank`, { model: 'tiny', query: 'what is a reranker?', documents: ['a reranker orders documents', 'bananas'] });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.results.length, 2);
  });
});
