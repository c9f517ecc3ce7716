// Fleet behaviour of the remote engine against real HTTP servers on loopback that answer like a Cohere-v2 rerank
// server, and that can be made slow, overloaded (429/503 + Retry-After), hanging, dead, or wrong.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sigmoid } from '../../src/core/scoring.js';
import { DEFAULT_INSTRUCTION, RerankerError, type EngineScore, type RerankEngine, type ScoreGroup } from '../../src/index.js';
import { createHttpEngine, type EndpointStatus, type HttpEngineOptions } from '../../src/engines/http/index.js';

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}
/** What the fake server does with one rerank request: a reply, or 'hang' to never answer. */
type Behaviour = (documents: string[], request: IncomingMessage) => Reply | 'hang';

/** The relevance each fake server gives a document `doc-<n>`: distinct per n, the same on every server. */
const probabilityOf = (document: string): number => (Number(document.slice(4)) % 50 + 1) / 52;

const answer: Behaviour = (documents) => ({
  status: 200,
  body: {
    id: 'fake',
    results: documents.map((d, index) => ({ index, relevance_score: probabilityOf(d) })).sort((a, b) => b.relevance_score - a.relevance_score),
    meta: { tokens: { input_tokens: 70 * documents.length } },
  },
});

class FakeServer {
  hits = 0;
  batchSizes: number[] = [];
  healthStatus = 200;
  delayMs = 0;
  behaviour: Behaviour = answer;
  /** Requests whose connection closed before an answer was sent. */
  abandoned = 0;
  private server: Server | undefined;
  private port = 0;

  static async start(configure: Partial<Pick<FakeServer, 'behaviour' | 'delayMs' | 'healthStatus'>> = {}): Promise<FakeServer> {
    const fake = Object.assign(new FakeServer(), configure);
    await fake.listen();
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Dies like a crashed process: the listening socket and every connection go away at once. */
  async kill(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  async restart(): Promise<void> {
    await this.listen();
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.url === '/health') {
      res.writeHead(this.healthStatus).end();
      return;
    }
    this.hits += 1;
    const { documents } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { documents: string[] };
    this.batchSizes.push(documents.length);
    const closed = new Promise<void>((resolve) => res.on('close', resolve));
    if (this.delayMs > 0) await Promise.race([new Promise((r) => setTimeout(r, this.delayMs)), closed]);
    if (res.destroyed || res.writableEnded) {
      this.abandoned += 1;
      return;
    }
    const reply = this.behaviour(documents, req);
    if (reply === 'hang') return;
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(reply.body ?? {}));
  }
}

const servers: FakeServer[] = [];
const engines: RerankEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  await Promise.all(servers.splice(0).map((s) => s.kill()));
});

async function fakes(...configs: Array<Partial<Pick<FakeServer, 'behaviour' | 'delayMs' | 'healthStatus'>>>): Promise<FakeServer[]> {
  const started = await Promise.all(configs.map((c) => FakeServer.start(c)));
  servers.push(...started);
  return started;
}

async function engineFor(fleet: FakeServer[], options: Partial<HttpEngineOptions> = {}): Promise<RerankEngine> {
  const engine = await createHttpEngine({ kind: 'cohere', endpoints: fleet.map((s) => s.url), healthCheckIntervalMs: 0, timeoutMs: 2000, ...options });
  engines.push(engine);
  return engine;
}

const documents = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `doc-${from + i}`);
const group = (docs: string[], instruction = DEFAULT_INSTRUCTION): ScoreGroup => ({
  instruction,
  query: 'q',
  documents: docs,
  maxLength: 8192,
  longDocuments: 'truncate',
  windowOverlap: undefined,
});

function assertScores(docs: string[], scores: EngineScore[]): void {
  assert.equal(scores.length, docs.length);
  const probabilities = scores.map((s) => ('logit' in s ? sigmoid(s.logit) : s.probability));
  docs.forEach((d, i) => assert.ok(Math.abs(probabilities[i]! - probabilityOf(d)) < 1e-12, `${d}: ${probabilities[i]}`));
}

const endpointsOf = (engine: RerankEngine) => (engine.status!() as { endpoints: EndpointStatus[] }).endpoints;
const isCode = (code: string) => (e: unknown) => e instanceof RerankerError && e.code === code;

describe('remote engine: splitting and merging', () => {
  it('cuts a group at maxDocumentsPerRequest and merges the answers back in input order', async () => {
    const [server] = await fakes({});
    const engine = await engineFor([server!], { maxDocumentsPerRequest: 4 });
    const scored: number[] = [];
    const docs = documents(10);
    const scores = await engine.scoreGroup(group(docs), { onScored: (i) => scored.push(i) });
    assertScores(docs, scores);
    assert.deepEqual([...server!.batchSizes].sort(), [2, 4, 4]);
    assert.deepEqual([...scored].sort((a, b) => a - b), docs.map((_, i) => i));
    // The server reported 70 tokens per document; the engine hands each document its share.
    assert.deepEqual(scores.map((s) => s.inputTokens), docs.map(() => 70));
    assert.equal(engine.stats().promptTokens, 700);
  });

  it('halves a batch the server refuses with 413 and starts later groups at the size that worked', async () => {
    const [server] = await fakes({ behaviour: (docs) => (docs.length > 3 ? { status: 413, body: { error: 'batch size > 3' } } : answer(docs, undefined!)) });
    const engine = await engineFor([server!], { maxDocumentsPerRequest: 8 });
    const first = documents(8);
    assertScores(first, await engine.scoreGroup(group(first)));
    assert.deepEqual(server!.batchSizes.filter((n) => n <= 3), [2, 2, 2, 2]);
    server!.batchSizes = [];
    const second = documents(8, 100);
    assertScores(second, await engine.scoreGroup(group(second)));
    assert.deepEqual(server!.batchSizes, [2, 2, 2, 2]);
  });

  it('also halves a batch a qwen-ranker peer refuses with 422 limit_exceeded on maxDocumentsPerRequest', async () => {
    const tooMany = { status: 422, body: { error: { code: 'limit_exceeded', message: 'at most 2 documents', field: 'documents', limit: 'maxDocumentsPerRequest', max: 2 } } };
    const [server] = await fakes({ behaviour: (docs) => (docs.length > 2 ? tooMany : answer(docs, undefined!)) });
    const engine = await engineFor([server!], { maxDocumentsPerRequest: 4 });
    const docs = documents(4);
    assertScores(docs, await engine.scoreGroup(group(docs)));
    assert.deepEqual(server!.batchSizes, [4, 2, 2]);
  });

  it('cuts at maxTokensPerRequest using token estimates', async () => {
    const [server] = await fakes({});
    const engine = await engineFor([server!], { maxTokensPerRequest: 300 });
    const docs = documents(6);
    assertScores(docs, await engine.scoreGroup(group(docs)));
    // Each prompt is estimated at ~80 tokens (template, default instruction, query, document): 3 per request.
    assert.deepEqual(server!.batchSizes, [3, 3]);
  });
});

describe('remote engine: load spreading', () => {
  it('sends more work to the endpoint that finishes faster', async () => {
    const [fast, slow] = await fakes({ delayMs: 10 }, { delayMs: 300 });
    const engine = await engineFor([fast!, slow!], { maxDocumentsPerRequest: 1, maxConcurrentRequestsPerEndpoint: 2 });
    const docs = documents(24);
    assertScores(docs, await engine.scoreGroup(group(docs)));
    assert.equal(fast!.hits + slow!.hits, 24);
    assert.ok(fast!.hits >= 3 * slow!.hits, `fast ${fast!.hits}, slow ${slow!.hits}`);
  });

  it('uses every endpoint when they are equally fast', async () => {
    const fleet = await fakes({ delayMs: 50 }, { delayMs: 50 }, { delayMs: 50 });
    const engine = await engineFor(fleet, { maxDocumentsPerRequest: 2 });
    const docs = documents(12);
    assertScores(docs, await engine.scoreGroup(group(docs)));
    assert.deepEqual(fleet.map((s) => s.hits), [2, 2, 2]);
  });

  it('sends the API key as a bearer token', async () => {
    const [server] = await fakes({
      behaviour: (docs, req) => (req.headers.authorization === 'Bearer sekret' ? answer(docs, req) : { status: 401, body: { message: 'no key' } }),
    });
    const engine = await engineFor([server!], { apiKey: 'sekret' });
    assertScores(['doc-1'], await engine.scoreGroup(group(['doc-1'])));
  });
});

describe('remote engine: failures', () => {
  it('retries a 503 with Retry-After elsewhere and leaves that endpoint alone for as long as it asked', async () => {
    const [busy, ok] = await fakes({ behaviour: () => ({ status: 503, headers: { 'retry-after': '2' }, body: { message: 'draining' } }) }, {});
    // One request per endpoint at a time, so that the busy one has answered before it could get a second.
    const engine = await engineFor([busy!, ok!], { maxDocumentsPerRequest: 2, maxConcurrentRequestsPerEndpoint: 1 });
    const docs = documents(12);
    assertScores(docs, await engine.scoreGroup(group(docs)));
    assert.equal(busy!.hits, 1);
    const [busyStatus] = endpointsOf(engine);
    assert.equal(busyStatus!.state, 'cooling');
    assert.ok(Date.parse(busyStatus!.availableAt!) - Date.now() > 1000, busyStatus!.availableAt!);
  });

  it('answers overloaded with a Retry-After when every endpoint says 429', async () => {
    const fleet = await fakes(
      { behaviour: () => ({ status: 429, headers: { 'retry-after': '3' } }) },
      { behaviour: () => ({ status: 429, headers: { 'retry-after': '3' } }) },
    );
    const engine = await engineFor(fleet, { maxRetries: 1 });
    await assert.rejects(engine.scoreGroup(group(['doc-1'])), (e: unknown) => isCode('overloaded')(e) && (e as { retryAfterSeconds: number }).retryAfterSeconds >= 2);
    assert.deepEqual(fleet.map((s) => s.hits), [1, 1]);
  });

  it('gives up a hanging endpoint after timeoutMs and scores on another', async () => {
    const [hanging, ok] = await fakes({ behaviour: () => 'hang' }, {});
    const engine = await engineFor([hanging!, ok!], { timeoutMs: 300 });
    const started = performance.now();
    assertScores(['doc-3'], await engine.scoreGroup(group(['doc-3'])));
    assert.ok(performance.now() - started < 1500);
    assert.equal(hanging!.hits, 1);
    const [status] = endpointsOf(engine);
    assert.equal(status!.state, 'unhealthy');
    assert.match(status!.lastError!, /no answer within 300 ms/);
  });

  it('skips a dead endpoint and takes it back once its health check passes', async () => {
    const [dying, ok] = await fakes({}, {});
    const engine = await engineFor([dying!, ok!], { healthCheckIntervalMs: 100, maxDocumentsPerRequest: 1 });
    await dying!.kill();
    const docs = documents(6);
    assertScores(docs, await engine.scoreGroup(group(docs)));
    assert.equal(endpointsOf(engine)[0]!.state, 'unhealthy');
    assert.match(endpointsOf(engine)[0]!.lastError!, /ECONNREFUSED/);

    await dying!.restart();
    const deadline = Date.now() + 3000;
    while (endpointsOf(engine)[0]!.state !== 'healthy' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(endpointsOf(engine)[0]!.state, 'healthy');
    assertScores(documents(8, 20), await engine.scoreGroup(group(documents(8, 20))));
    assert.ok(dying!.hits > 0);
  });

  it('is not ready, naming each endpoint\'s error, while every endpoint fails its health check, and ready again when one is back', async () => {
    const fleet = await fakes({}, {});
    const engine = await engineFor(fleet, { healthCheckIntervalMs: 100 });
    assert.deepEqual(engine.health(), { ready: true });
    await Promise.all(fleet.map((s) => s.kill()));
    const deadline = Date.now() + 3000;
    while (engine.health().ready && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const health = engine.health();
    assert.ok(!health.ready, 'not ready');
    assert.equal(health.retryAfterSeconds, 1, 'the next health check is within a second');
    for (const server of fleet) assert.ok(health.reason.includes(`${server.url} (health check:`), health.reason);
    assert.match(health.reason, /ECONNREFUSED/);

    await fleet[1]!.restart();
    while (!engine.health().ready && Date.now() < deadline + 3000) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(engine.health(), { ready: true });
  });

  it('retries a malformed answer on another endpoint', async () => {
    const [broken, ok] = await fakes({ behaviour: () => ({ status: 200, body: { results: [] } }) }, {});
    const engine = await engineFor([broken!, ok!]);
    assertScores(['doc-9'], await engine.scoreGroup(group(['doc-9'])));
    assert.equal(broken!.hits, 1);
    assert.match(endpointsOf(engine)[0]!.lastError!, /no score for document 0/);
  });

  it('fails with engine_unavailable after maxRetries + 1 attempts when every endpoint fails', async () => {
    const fleet = await fakes({ behaviour: () => ({ status: 500, body: { message: 'boom' } }) }, { behaviour: () => ({ status: 502 }) });
    const engine = await engineFor(fleet, { maxRetries: 3 });
    await assert.rejects(engine.scoreGroup(group(['doc-1'])), (e: unknown) => isCode('engine_unavailable')(e) && (e as RerankerError).retryable);
    assert.equal(fleet[0]!.hits + fleet[1]!.hits, 4);
    assert.equal((engine.status!() as { ready: boolean }).ready, false);
  });

  it('does not retry a 400: the request is at fault', async () => {
    const fleet = await fakes({ behaviour: () => ({ status: 400, body: { message: 'query is too long' } }) }, {});
    const engine = await engineFor(fleet);
    await assert.rejects(
      engine.scoreGroup(group(['doc-1'])),
      (e: unknown) => isCode('invalid_input')(e) && (e as { field: string }).field === 'documents' && /query is too long/.test((e as Error).message),
    );
    assert.equal(fleet[1]!.hits, 0);
  });

  it('does not retry llama-server\'s 500 for a prompt larger than its batch, nor blame the endpoint', async () => {
    const tooLarge = { status: 500, body: { error: { code: 500, message: 'input (9000 tokens) is too large to process. increase the physical batch size (current batch size: 512)', type: 'server_error' } } };
    const fleet = await fakes({ behaviour: () => tooLarge }, { behaviour: () => tooLarge });
    const engine = await createHttpEngine({ kind: 'llama-server', endpoints: fleet.map((s) => s.url), healthCheckIntervalMs: 0 });
    engines.push(engine);
    await assert.rejects(engine.scoreGroup(group(['doc-1'])), (e: unknown) => isCode('invalid_input')(e) && /physical batch size/.test((e as Error).message));
    assert.equal(fleet[0]!.hits + fleet[1]!.hits, 1);
    assert.deepEqual(endpointsOf(engine).map((e) => e.state), ['healthy', 'healthy']);
  });

  it('reports a refused API key as unauthorized', async () => {
    const [server] = await fakes({ behaviour: () => ({ status: 401, body: { error: { message: 'invalid api key' } } }) });
    const engine = await engineFor([server!]);
    await assert.rejects(engine.scoreGroup(group(['doc-1'])), isCode('unauthorized'));
  });

  it('takes an endpoint whose health check fails out of rotation before it fails a request', async () => {
    const [sick, ok] = await fakes({ healthStatus: 503 }, {});
    const engine = await engineFor([sick!, ok!], { maxDocumentsPerRequest: 1 });
    assert.equal(endpointsOf(engine)[0]!.state, 'unhealthy');
    assert.deepEqual((engine.status!() as { healthyEndpoints: number }).healthyEndpoints, 1);
    assertScores(documents(4), await engine.scoreGroup(group(documents(4))));
    assert.equal(sick!.hits, 0);
  });
});

describe('remote engine: cancellation and refusal', () => {
  it('aborts the request in flight when the caller cancels', async () => {
    const [server] = await fakes({ delayMs: 2000 });
    const engine = await engineFor([server!]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    await assert.rejects(engine.scoreGroup(group(['doc-1']), { signal: controller.signal }), isCode('aborted'));
    assert.ok(performance.now() - started < 1000);
    const deadline = Date.now() + 1000;
    while (server!.abandoned === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(server!.abandoned, 1);
    assert.equal(endpointsOf(engine)[0]!.state, 'healthy', 'a cancelled request is not the endpoint’s failure');
  });

  it('fails waiting and running work with closed when the engine closes', async () => {
    const [server] = await fakes({ delayMs: 1000 });
    const engine = await engineFor([server!], { maxDocumentsPerRequest: 1, maxConcurrentRequestsPerEndpoint: 1 });
    const pending = engine.scoreGroup(group(documents(3)));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(engine.stats().queueDepth, 2);
    assert.equal(engine.stats().active, 1);
    await engine.close();
    await assert.rejects(pending, isCode('closed'));
    await assert.rejects(engine.scoreGroup(group(['doc-1'])), isCode('closed'));
  });

  it('refuses windows mode and, for cohere, a non-default instruction', async () => {
    const [server] = await fakes({});
    const engine = await engineFor([server!]);
    await assert.rejects(engine.scoreGroup({ ...group(['doc-1']), longDocuments: 'windows' }), (e: unknown) => isCode('invalid_input')(e) && (e as { field: string }).field === 'longDocuments');
    await assert.rejects(engine.scoreGroup(group(['doc-1'], 'Find code')), (e: unknown) => isCode('invalid_input')(e) && (e as { field: string }).field === 'instruction');
    assert.equal(server!.hits, 0);
  });

  it('validates its options', async () => {
    await assert.rejects(createHttpEngine({ kind: 'vllm', endpoints: [] }), (e: unknown) => isCode('invalid_input')(e) && (e as { field: string }).field === 'endpoints');
    await assert.rejects(createHttpEngine({ kind: 'vllm', endpoints: ['gpu1:8000'] }), (e: unknown) => isCode('invalid_input')(e) && (e as { field: string }).field === 'endpoints[0]');
    await assert.rejects(createHttpEngine({ kind: 'tei', endpoints: ['http://127.0.0.1:1'], maxRetries: -1 }), (e: unknown) => isCode('invalid_input')(e) && (e as { field: string }).field === 'maxRetries');
  });
});
