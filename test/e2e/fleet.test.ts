// The remote engine on a fleet of real qwen-ranker servers on loopback (its `cohere` flavour against their
// /v2/rerank): one peer is killed mid-run with SIGKILL, one sits behind a slow link, one sheds load with
// 503 + Retry-After. No request may be lost and every score must equal the local engine's.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { createReranker, type Reranker, type RerankResponse } from '../../src/index.js';
import type { EndpointStatus } from '../../src/engines/http/index.js';
import { createApp } from '../../src/server/index.js';
import { ensureTestModel } from '../helpers/test-models.js';

interface Peer {
  url: string;
  process: ChildProcess;
}

/** Starts test/e2e/fleet-peer.ts and waits for the URL it prints when its model is loaded. */
async function startPeer(): Promise<Peer> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fleet-peer.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`fleet peer exited with ${code} before it was ready`)));
  });
  return { url, process: child };
}

interface Proxy {
  url: string;
  /** Scoring requests passed on to the peer. */
  forwarded: number;
  /** Scoring requests answered 503 without reaching the peer. */
  refused: number;
  server: Server;
}

/**
 * A loopback HTTP proxy in front of a peer: `delayMs` before each scoring request (a slow link or a busy GPU), or
 * 503 + `Retry-After: 1` for every second scoring request (a server shedding load). Health checks pass straight
 * through: the peer behind it is alive.
 */
async function startProxy(target: string, behaviour: { delayMs?: number; refuseEverySecond?: boolean }): Promise<Proxy> {
  let scoring = 0;
  const proxy: Proxy = { url: '', forwarded: 0, refused: 0, server: undefined! };
  proxy.server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const isScoring = req.url !== '/health';
    if (isScoring && behaviour.refuseEverySecond && scoring++ % 2 === 0) {
      proxy.refused += 1;
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"error":{"code":"overloaded","message":"shedding load"}}');
      return;
    }
    if (isScoring && behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    if (isScoring) proxy.forwarded += 1;
    const answer = await fetch(target + req.url, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
  return proxy;
}

const topics = ['latency', 'caching', 'tokenizers', 'GPUs', 'retrieval', 'ranking'];
const queries = topics.map((topic) => `how do ${topic} affect search quality?`);
const documents = Array.from({ length: 12 }, (_, i) => `Note ${i}: ${topics[i % topics.length]} matter for search systems in way number ${i}.`);

describe('remote engine on a fleet of qwen-ranker servers', () => {
  let local: Reranker;
  let remote: Reranker;
  let peers: Peer[] = [];
  let slow: Proxy;
  let flaky: Proxy;

  before(async () => {
    const model = await ensureTestModel('tiny');
    [local, ...peers] = await Promise.all([createReranker({ model, threads: 1, gpu: false, cacheSize: 0 }), startPeer(), startPeer(), startPeer()]);
    slow = await startProxy(peers[1]!.url, { delayMs: 150 });
    flaky = await startProxy(peers[2]!.url, { refuseEverySecond: true });
    remote = await createReranker({
      engine: 'cohere',
      endpoints: [peers[0]!.url, slow.url, flaky.url],
      healthCheckIntervalMs: 200,
      timeoutMs: 20_000,
      maxDocumentsPerRequest: 3,
      // Every score below comes from a peer, not from an earlier answer.
      cacheSize: 0,
    });
  });

  after(async () => {
    await remote?.close();
    await local?.close();
    for (const proxy of [slow, flaky]) await new Promise((resolve) => proxy?.server.close(resolve));
    for (const peer of peers) peer.process.kill('SIGKILL');
  });

  const endpoints = () => (remote.status() as { endpoints: EndpointStatus[] }).endpoints;

  it('loses no request and matches the local engine while one peer dies, one is slow and one sheds load', async () => {
    let finished = 0;
    const runs = queries.map((query) => remote.rerank(query, documents).finally(() => (finished += 1)));
    // Kill the first peer once it has answered, while the other queries are still being scored.
    const deadline = Date.now() + 20_000;
    while (endpoints()[0]!.requests === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(endpoints()[0]!.requests > 0, 'the first peer answered before it was killed');
    peers[0]!.process.kill('SIGKILL');
    const finishedAtKill = finished;

    const answers: RerankResponse[] = await Promise.all(runs);
    assert.ok(finishedAtKill < queries.length, `${finishedAtKill} of ${queries.length} queries were done when the peer died`);

    for (const [i, query] of queries.entries()) {
      const expected = await local.rerank(query, documents);
      const got = answers[i]!;
      assert.deepEqual(got.results.map((r) => r.index), expected.results.map((r) => r.index), `order for "${query}"`);
      got.results.forEach((r, j) => {
        assert.ok(Math.abs(r.score - expected.results[j]!.score) <= 1e-5, `${query} #${j}: ${r.score} vs ${expected.results[j]!.score}`);
        assert.ok(Math.abs(r.logit - expected.results[j]!.logit) <= 1e-4, `${query} #${j}: logit ${r.logit} vs ${expected.results[j]!.logit}`);
      });
      assert.equal(got.usage.documents, documents.length);
    }

    const [killed, slowStatus, flakyStatus] = endpoints();
    assert.equal(killed!.state, 'unhealthy');
    assert.ok(slow.forwarded > 0, 'the slow peer scored some batches');
    assert.ok(flaky.refused > 0 && flaky.forwarded > 0, `the shedding peer refused ${flaky.refused} and scored ${flaky.forwarded} batches`);
    assert.ok(flakyStatus!.failures >= flaky.refused, 'each 503 was counted against that endpoint');
    assert.equal(slowStatus!.failures, 0);
  });

  it('reports per-endpoint health in /ready of a server running on the fleet', async () => {
    const app = createApp({ reranker: remote, webUi: false });
    try {
      const response = await app.inject({ method: 'GET', url: '/ready' });
      assert.equal(response.statusCode, 200);
      const body = response.json() as { engine: string; engine_status: { ready: boolean; healthyEndpoints: number; endpoints: EndpointStatus[] } };
      assert.equal(body.engine, 'cohere');
      assert.equal(body.engine_status.ready, true);
      assert.deepEqual(body.engine_status.endpoints.map((e) => e.url), [peers[0]!.url, slow.url, flaky.url]);
      assert.equal(body.engine_status.endpoints[0]!.state, 'unhealthy');
      assert.match(body.engine_status.endpoints[0]!.lastError!, /ECONNREFUSED|ECONNRESET|other side closed|socket/i);
      assert.equal(body.engine_status.healthyEndpoints, 2);
    } finally {
      await app.close();
    }
  });
});
