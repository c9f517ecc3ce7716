// The remote engine on a fleet of real qwen-ranker servers on loopback (its `cohere` flavour against their
// /v2/rerank): one peer, in a process of its own, is killed mid-run with SIGKILL; one sits behind a slow link; one
// sheds load with 503 + Retry-After. No request may be lost and every score must equal the local engine's. The two
// peers that survive run in this process (a child process costs seconds of start-up on a busy 2-core runner).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { createReranker, type Reranker, type RerankResponse } from '../../src/index.js';
import type { EndpointStatus } from '../../src/engines/http/index.js';
import { createApp, serve, type ServeHandle } from '../../src/server/index.js';
import { ensureTestModel } from '../helpers/test-models.js';

interface Peer {
  url: string;
  process: ChildProcess;
}

/** Starts test/helpers/fleet-peer.ts and waits for the URL it prints when its model is loaded. */
async function startPeer(): Promise<Peer> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('../helpers/fleet-peer.ts', import.meta.url).pathname], {
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

const byIndex = (response: RerankResponse) => [...response.results].sort((a, b) => a.index - b.index);

const topics = ['latency', 'caching', 'tokenizers', 'GPUs', 'retrieval', 'ranking'];
const queries = topics.map((topic) => `how do ${topic} affect search quality?`);
const documents = Array.from({ length: 12 }, (_, i) => `Note ${i}: ${topics[i % topics.length]} matter for search systems in way number ${i}.`);

describe('remote engine on a fleet of qwen-ranker servers', () => {
  let local: Reranker;
  let remote: Reranker;
  let doomed: Peer;
  let survivors: ServeHandle[] = [];
  let slow: Proxy;
  let flaky: Proxy;

  before(async () => {
    const model = await ensureTestModel('tiny');
    const peer = () => serve({ reranker: { model, threads: 1, gpu: false }, port: 0, logLevel: false, webUi: false, handleSignals: false });
    [local, doomed, ...survivors] = await Promise.all([createReranker({ model, threads: 1, gpu: false, cacheSize: 0 }), startPeer(), peer(), peer()]);
    await Promise.all(survivors.map((handle) => handle.ready));
    slow = await startProxy(survivors[0]!.url, { delayMs: 150 });
    flaky = await startProxy(survivors[1]!.url, { refuseEverySecond: true });
    remote = await createReranker({
      engine: 'cohere',
      endpoints: [doomed.url, slow.url, flaky.url],
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
    for (const proxy of [slow, flaky]) {
      proxy?.server.closeAllConnections();
      await new Promise((resolve) => proxy?.server.close(resolve));
    }
    doomed?.process.kill('SIGKILL');
    await Promise.all(survivors.map((handle) => handle.close()));
  });

  const endpoints = () => (remote.status() as { endpoints: EndpointStatus[] }).endpoints;

  it('loses no request and matches the local engine while one peer dies, one is slow and one sheds load', async () => {
    let finished = 0;
    const runs = queries.map((query) => remote.rerank(query, documents).finally(() => (finished += 1)));
    // Kill the first peer once it has answered, while the other queries are still being scored.
    const deadline = Date.now() + 20_000;
    while (endpoints()[0]!.requests === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(endpoints()[0]!.requests > 0, 'the first peer answered before it was killed');
    doomed.process.kill('SIGKILL');
    const finishedAtKill = finished;

    const answers: RerankResponse[] = await Promise.all(runs);
    assert.ok(finishedAtKill < queries.length, `${finishedAtKill} of ${queries.length} queries were done when the peer died`);

    // Equal within 1e-4: llama.cpp's float sums depend on which sequences share a decode batch, and the peers
    // interleave concurrent requests. The local engine alone differs by ~2e-5 between scoring these queries one
    // after another and all at once.
    for (const [i, query] of queries.entries()) {
      const expected = byIndex(await local.rerank(query, documents));
      const got = byIndex(answers[i]!);
      assert.equal(got.length, documents.length, `every document of "${query}" was scored`);
      got.forEach((r, j) => {
        assert.ok(Math.abs(r.score - expected[j]!.score) <= 1e-4, `${query} document ${j}: ${r.score} vs ${expected[j]!.score}`);
        assert.ok(Math.abs(r.logit - expected[j]!.logit) <= 1e-3, `${query} document ${j}: logit ${r.logit} vs ${expected[j]!.logit}`);
      });
      assert.equal(answers[i]!.usage.documents, documents.length);
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
      assert.deepEqual(body.engine_status.endpoints.map((e) => e.url), [doomed.url, slow.url, flaky.url]);
      assert.equal(body.engine_status.endpoints[0]!.state, 'unhealthy');
      assert.match(body.engine_status.endpoints[0]!.lastError!, /ECONNREFUSED|ECONNRESET|other side closed|socket/i);
      assert.equal(body.engine_status.healthyEndpoints, 2);
    } finally {
      await app.close();
    }
  });

  it('exports per-endpoint series in /metrics of a server running on the fleet', async () => {
    const app = createApp({ reranker: remote, webUi: false });
    try {
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const series = (name: string, url: string) => Number(new RegExp(`^${name}\\{endpoint="${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
      assert.equal(series('qwen_ranker_remote_endpoint_up', doomed.url), 0);
      assert.equal(series('qwen_ranker_remote_endpoint_up', slow.url), 1);
      assert.ok(series('qwen_ranker_remote_endpoint_requests_total', slow.url) > 0);
      assert.ok(series('qwen_ranker_remote_endpoint_failures_total', flaky.url) >= flaky.refused);
      assert.ok(series('qwen_ranker_remote_endpoint_latency_seconds', slow.url) >= 0.15, 'the slow proxy adds 150 ms');
    } finally {
      await app.close();
    }
  });
});
