// The rerank facade (`createRerankerFromEngine`, src/core/reranker.ts) specified against a fake engine: the score
// cache and its key, deduplication of identical pairs, cancellation of a request that shares a pair, ordering,
// topN/minScore, progress, usage and input errors. No model, no llama.cpp: the engine is test/helpers/fake-engine.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AbortedError,
  DEFAULT_INSTRUCTION,
  TimeoutError,
  createRerankerFromEngine,
  isRerankerError,
  type RerankOptions,
  type Reranker,
  type ScorePair,
} from '../../src/index.js';
import { FakeEngine, fakeInputTokens, type FakePair } from '../helpers/fake-engine.js';

const QUERY = 'what is a reranker';
const DOCS = ['a reranker orders documents', 'bananas are yellow', 'cross-encoders read both texts'];

function setup(options: { cacheSize?: number; logit?: (pair: FakePair) => number; answers?: 'logit' | 'probability' } = {}) {
  const { cacheSize: _, ...engineOptions } = options;
  const engine = new FakeEngine({ maxContextTokens: 8192, ...engineOptions });
  const reranker = createRerankerFromEngine(engine, options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize });
  return { engine, reranker };
}

/** Resolves with the RerankerError a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<{ code: string; field?: string }> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(isRerankerError(error), `expected a RerankerError, got ${String(error)}`);
  return error as { code: string; field?: string };
}

/** Lets pending promise callbacks run (the facade and the fake settle across a few microtasks). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('reranker facade: score cache', () => {
  it('answers a repeated (model, instruction, query, document, maxLength, mode) from the cache without the engine', async () => {
    const { engine, reranker } = setup();
    const first = await reranker.rerank(QUERY, DOCS);
    const second = await reranker.rerank(QUERY, DOCS);
    assert.equal(engine.calls.length, 1);
    assert.ok(first.results.every((r) => !r.cached));
    assert.ok(second.results.every((r) => r.cached));
    assert.deepEqual(
      second.results.map((r) => [r.index, r.score, r.logit, r.inputTokens]),
      first.results.map((r) => [r.index, r.score, r.logit, r.inputTokens]),
    );
  });

  it('shares cache entries between rerank() and score()', async () => {
    const { engine, reranker } = setup();
    await reranker.rerank(QUERY, DOCS);
    const scores = await reranker.score(DOCS.map((document) => ({ query: QUERY, document })));
    assert.equal(engine.calls.length, 1);
    assert.ok(scores.every((s) => s.cached));
  });

  it('treats a null instruction as the default one (same cache entry)', async () => {
    const { engine, reranker } = setup();
    const response = await reranker.rerank(QUERY, DOCS, { instruction: null });
    assert.equal(response.instruction, DEFAULT_INSTRUCTION);
    assert.equal(engine.calls[0]!.instruction, DEFAULT_INSTRUCTION);
    const again = await reranker.rerank(QUERY, DOCS, { instruction: DEFAULT_INSTRUCTION });
    assert.ok(again.results.every((r) => r.cached));
  });

  // One key component changed at a time; everything else as in the first call.
  const changes: Array<{ component: string; first: RerankOptions; second: RerankOptions; query?: string; document?: string }> = [
    { component: 'instruction', first: { instruction: 'find answers' }, second: { instruction: 'find questions' } },
    { component: 'instruction (empty is not the default)', first: {}, second: { instruction: '' } },
    { component: 'query', first: {}, second: {}, query: 'what is a retriever' },
    { component: 'document', first: {}, second: {}, document: 'a reranker orders documents!' },
    { component: 'maxLength', first: { maxLength: 512 }, second: { maxLength: 1024 } },
    { component: 'longDocuments mode', first: { longDocuments: 'truncate' }, second: { longDocuments: 'windows' } },
    { component: 'windowOverlap', first: { longDocuments: 'windows', windowOverlap: 16 }, second: { longDocuments: 'windows', windowOverlap: 32 } },
  ];
  for (const change of changes) {
    it(`misses when only the ${change.component} changes`, async () => {
      const { engine, reranker } = setup();
      await reranker.rerank(QUERY, [DOCS[0]!], change.first);
      const second = await reranker.rerank(change.query ?? QUERY, [change.document ?? DOCS[0]!], change.second);
      assert.equal(engine.calls.length, 2);
      assert.equal(second.results[0]!.cached, false);
      assert.equal(second.usage.cachedDocuments, 0);
    });
  }

  it('misses when only the model changes', async () => {
    const { engine, reranker } = setup();
    await reranker.rerank(QUERY, [DOCS[0]!]);
    engine.info.model = 'another-model';
    const second = await reranker.rerank(QUERY, [DOCS[0]!]);
    assert.equal(engine.calls.length, 2);
    assert.equal(second.results[0]!.cached, false);
  });

  it('never hits with cacheSize 0', async () => {
    const { engine, reranker } = setup({ cacheSize: 0 });
    await reranker.rerank(QUERY, DOCS);
    const second = await reranker.rerank(QUERY, DOCS);
    assert.equal(engine.calls.length, 2);
    assert.ok(second.results.every((r) => !r.cached));
    assert.equal(reranker.stats().cacheEntries, 0);
  });

  it('does not cache a failed engine call: the next request asks the engine again', async () => {
    const { engine, reranker } = setup();
    engine.failNextCall(new AbortedError('engine hiccup'));
    assert.equal((await rejection(reranker.rerank(QUERY, DOCS))).code, 'aborted');
    const retry = await reranker.rerank(QUERY, DOCS);
    assert.equal(engine.calls.length, 2);
    assert.ok(retry.results.every((r) => !r.cached));
  });
});

describe('reranker facade: identical pairs', () => {
  it('scores a document listed twice in one request once, and gives both copies its score', async () => {
    const { engine, reranker } = setup();
    const response = await reranker.rerank(QUERY, [DOCS[0]!, DOCS[1]!, DOCS[0]!]);
    assert.deepEqual(engine.scoredDocuments, [DOCS[0], DOCS[1]]);
    const byIndex = new Map(response.results.map((r) => [r.index, r]));
    assert.equal(byIndex.get(2)!.score, byIndex.get(0)!.score);
  });

  it('computes a pair shared by two concurrent requests once; both get its score', async () => {
    const { engine, reranker } = setup();
    engine.hold();
    const first = reranker.rerank(QUERY, [DOCS[0]!, DOCS[1]!]);
    await engine.waitForCalls(1);
    const second = reranker.rerank(QUERY, [DOCS[1]!, DOCS[2]!]);
    await engine.waitForCalls(2);
    engine.release();
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual(engine.scoredDocuments.sort(), [...DOCS].sort());
    const shared = engine.expected({ instruction: DEFAULT_INSTRUCTION, query: QUERY, document: DOCS[1]! });
    assert.equal(a.results.find((r) => r.index === 1)!.logit, shared.logit);
    const waiter = b.results.find((r) => r.index === 0)!;
    assert.equal(waiter.logit, shared.logit);
    // The request that waited for another's computation reports the pair as cached (it cost it nothing).
    assert.equal(waiter.cached, true);
    assert.equal(b.usage.cachedDocuments, 1);
  });

  // The request computing a shared pair may be cancelled by its client or by the server's timeout; either way the
  // request that waits for the pair gets it, scored again on its own behalf.
  for (const [why, reason, code] of [
    ['cancelled', undefined, 'aborted'],
    ['aborted by a server timeout', new TimeoutError('the request took longer than 10 ms'), 'timeout'],
  ] as const) {
    it(`re-scores a shared pair for the survivor when the request computing it is ${why}`, async () => {
      const { engine, reranker } = setup();
      engine.hold();
      const owner = new AbortController();
      const first = reranker.rerank(QUERY, [DOCS[0]!], { signal: owner.signal });
      await engine.waitForCalls(1);
      const second = reranker.rerank(QUERY, [DOCS[0]!]);
      await settle();
      owner.abort(reason);
      assert.equal((await rejection(first)).code, code);
      await engine.waitForCalls(2);
      engine.release();
      const survivor = await second;
      assert.deepEqual(engine.scoredDocuments, [DOCS[0], DOCS[0]]);
      assert.equal(survivor.results[0]!.logit, engine.expected({ instruction: DEFAULT_INSTRUCTION, query: QUERY, document: DOCS[0]! }).logit);
    });
  }

  it('rejects a request cancelled while it waits for a pair another request is computing, without waiting for it', async () => {
    const { engine, reranker } = setup();
    engine.hold();
    const first = reranker.rerank(QUERY, [DOCS[0]!]);
    await engine.waitForCalls(1);
    const waiter = new AbortController();
    const second = reranker.rerank(QUERY, [DOCS[0]!], { signal: waiter.signal });
    await settle();
    waiter.abort();
    assert.equal((await rejection(second)).code, 'aborted');
    engine.release();
    assert.equal((await first).results.length, 1);
    assert.equal(engine.calls.length, 1);
  });

  it('rejects a request already aborted before it starts, without calling the engine', async () => {
    const { engine, reranker } = setup();
    assert.equal((await rejection(reranker.rerank(QUERY, DOCS, { signal: AbortSignal.abort() }))).code, 'aborted');
    assert.equal(engine.calls.length, 0);
  });
});

describe('reranker facade: ordering, topN and minScore', () => {
  // Logits by document: sigmoid(2) ≈ 0.88, sigmoid(0) = 0.5, sigmoid(-2) ≈ 0.12.
  const logits: Record<string, number> = { high: 2, mid: 0, low: -2, 'mid again': 0 };
  const byDocument = (pair: FakePair) => logits[pair.document] ?? 0;

  it('sorts results by descending score and keeps each input index', async () => {
    const { reranker } = setup({ logit: byDocument });
    const response = await reranker.rerank(QUERY, ['low', 'high', 'mid']);
    assert.deepEqual(response.results.map((r) => [r.index, r.document.text]), [[1, 'high'], [2, 'mid'], [0, 'low']]);
    assert.ok(Math.abs(response.results[0]!.score - 1 / (1 + Math.exp(-2))) < 1e-12);
  });

  it('gives the probability of an engine that reports only a probability as the score, and its log-odds as the logit', async () => {
    const { reranker } = setup({ logit: byDocument, answers: 'probability' });
    const response = await reranker.rerank(QUERY, ['low', 'high']);
    assert.deepEqual(response.results.map((r) => r.document.text), ['high', 'low']);
    assert.ok(Math.abs(response.results[0]!.score - 1 / (1 + Math.exp(-2))) < 1e-12);
    assert.ok(Math.abs(response.results[0]!.logit - 2) < 1e-6);
    assert.ok(Math.abs(response.results[1]!.logit + 2) < 1e-6);
  });

  it('keeps input order between equal scores', async () => {
    const { reranker } = setup({ logit: () => 0 });
    const response = await reranker.rerank(QUERY, ['d0', 'd1', 'd2', 'd3']);
    assert.deepEqual(response.results.map((r) => r.index), [0, 1, 2, 3]);
  });

  it('keeps only the best topN', async () => {
    const { reranker } = setup({ logit: byDocument });
    const response = await reranker.rerank(QUERY, ['low', 'high', 'mid'], { topN: 2 });
    assert.deepEqual(response.results.map((r) => r.document.text), ['high', 'mid']);
  });

  it('returns every result when topN exceeds the number of documents', async () => {
    const { reranker } = setup({ logit: byDocument });
    const response = await reranker.rerank(QUERY, ['low', 'high'], { topN: 10 });
    assert.equal(response.results.length, 2);
  });

  it('drops results below minScore and keeps those equal to it', async () => {
    const { reranker } = setup({ logit: byDocument });
    const response = await reranker.rerank(QUERY, ['low', 'high', 'mid'], { minScore: 0.5 });
    assert.deepEqual(response.results.map((r) => r.document.text), ['high', 'mid']);
  });

  it('applies minScore before topN', async () => {
    const { reranker } = setup({ logit: byDocument });
    const response = await reranker.rerank(QUERY, ['low', 'mid', 'high', 'mid again'], { minScore: 0.4, topN: 2 });
    assert.deepEqual(response.results.map((r) => r.document.text), ['high', 'mid']);
    const strict = await reranker.rerank(QUERY, ['low', 'mid', 'high'], { minScore: 0.9, topN: 2 });
    assert.deepEqual(strict.results, []);
  });

  it('counts every document in usage, including those dropped by topN and minScore', async () => {
    const { reranker } = setup({ logit: byDocument });
    const response = await reranker.rerank(QUERY, ['low', 'high', 'mid'], { topN: 1, minScore: 0.3 });
    assert.equal(response.results.length, 1);
    assert.equal(response.usage.documents, 3);
    const tokens = ['low', 'high', 'mid'].reduce((sum, document) => sum + fakeInputTokens({ instruction: DEFAULT_INSTRUCTION, query: QUERY, document }), 0);
    assert.equal(response.usage.inputTokens, tokens);
  });

  it('answers an empty document list with no results and no engine call', async () => {
    const { engine, reranker } = setup();
    const progress: Array<[number, number]> = [];
    const response = await reranker.rerank(QUERY, [], { onProgress: (done, total) => progress.push([done, total]) });
    assert.deepEqual(response.results, []);
    assert.deepEqual(response.usage, { documents: 0, inputTokens: 0, cachedDocuments: 0 });
    assert.equal(engine.calls.length, 0);
    assert.deepEqual(progress, []);
  });

  it('returns document objects with their id and metadata, and strings as { text }', async () => {
    const { reranker } = setup({ logit: byDocument });
    const response = await reranker.rerank(QUERY, [{ id: 'doc-7', text: 'high', metadata: { source: 'wiki', page: 3 } }, 'low', { id: 9, text: 'mid' }]);
    assert.deepEqual(
      response.results.map((r) => r.document),
      [{ id: 'doc-7', text: 'high', metadata: { source: 'wiki', page: 3 } }, { id: 9, text: 'mid' }, { text: 'low' }],
    );
  });
});

describe('reranker facade: progress and usage', () => {
  it('reports progress once per document, ending at the total', async () => {
    const { reranker } = setup();
    const progress: Array<[number, number]> = [];
    await reranker.rerank(QUERY, DOCS, { onProgress: (done, total) => progress.push([done, total]) });
    assert.deepEqual(progress, [[1, 3], [2, 3], [3, 3]]);
  });

  it('counts cache hits in progress and in usage.cachedDocuments', async () => {
    const { engine, reranker } = setup();
    await reranker.rerank(QUERY, [DOCS[0]!]);
    const progress: Array<[number, number]> = [];
    const response = await reranker.rerank(QUERY, DOCS, { onProgress: (done, total) => progress.push([done, total]) });
    assert.deepEqual(progress, [[1, 3], [2, 3], [3, 3]]);
    assert.deepEqual(engine.calls[1]!.documents, [DOCS[1], DOCS[2]]);
    const tokens = DOCS.reduce((sum, document) => sum + fakeInputTokens({ instruction: DEFAULT_INSTRUCTION, query: QUERY, document }), 0);
    assert.deepEqual(response.usage, { documents: 3, inputTokens: tokens, cachedDocuments: 1 });
  });

  it('reports score() progress over all pairs, across (instruction, query) groups', async () => {
    const { engine, reranker } = setup();
    const pairs: ScorePair[] = [
      { query: 'q1', document: 'a' },
      { query: 'q2', document: 'b' },
      { query: 'q1', document: 'c' },
      { query: 'q1', document: 'd', instruction: 'other task' },
    ];
    const progress: Array<[number, number]> = [];
    const scores = await reranker.score(pairs, { onProgress: (done, total) => progress.push([done, total]) });
    assert.deepEqual(progress.map(([, total]) => total), [4, 4, 4, 4]);
    assert.deepEqual(progress.map(([done]) => done), [1, 2, 3, 4]);
    // One engine call per (instruction, query); results come back in input order.
    assert.equal(engine.calls.length, 3);
    assert.deepEqual(scores.map((s) => s.logit), [
      engine.expected({ instruction: DEFAULT_INSTRUCTION, query: 'q1', document: 'a' }).logit,
      engine.expected({ instruction: DEFAULT_INSTRUCTION, query: 'q2', document: 'b' }).logit,
      engine.expected({ instruction: DEFAULT_INSTRUCTION, query: 'q1', document: 'c' }).logit,
      engine.expected({ instruction: 'other task', query: 'q1', document: 'd' }).logit,
    ]);
  });
});

describe('reranker facade: invalid input', () => {
  const cases: Array<{ field: string; call: (r: Reranker) => Promise<unknown> }> = [
    { field: 'query', call: (r) => r.rerank(42 as unknown as string, DOCS) },
    { field: 'documents', call: (r) => r.rerank(QUERY, 'one document' as unknown as string[]) },
    { field: 'documents[1]', call: (r) => r.rerank(QUERY, ['ok', { id: 1 } as unknown as string]) },
    { field: 'topN', call: (r) => r.rerank(QUERY, DOCS, { topN: 0 }) },
    { field: 'topN', call: (r) => r.rerank(QUERY, DOCS, { topN: 1.5 }) },
    { field: 'minScore', call: (r) => r.rerank(QUERY, DOCS, { minScore: Number.NaN }) },
    { field: 'evidence', call: (r) => r.rerank(QUERY, DOCS, { evidence: 0 }) },
    { field: 'maxLength', call: (r) => r.rerank(QUERY, DOCS, { maxLength: 0 }) },
    { field: 'maxLength', call: (r) => r.rerank(QUERY, DOCS, { maxLength: 8193 }) },
    { field: 'longDocuments', call: (r) => r.rerank(QUERY, DOCS, { longDocuments: 'split' as 'windows' }) },
    { field: 'windowOverlap', call: (r) => r.rerank(QUERY, DOCS, { windowOverlap: -1 }) },
    { field: 'instruction', call: (r) => r.rerank(QUERY, DOCS, { instruction: 7 as unknown as string }) },
    { field: 'pairs', call: (r) => r.score({} as unknown as ScorePair[]) },
    { field: 'pairs[1].document', call: (r) => r.score([{ query: 'q', document: 'd' }, { query: 'q' } as ScorePair]) },
    { field: 'pairs[0].instruction', call: (r) => r.score([{ query: 'q', document: 'd', instruction: 1 as unknown as string }]) },
  ];
  for (const { field, call } of cases) {
    it(`rejects a bad ${field} with invalid_input naming the field, without calling the engine`, async () => {
      const { engine, reranker } = setup();
      const error = await rejection(call(reranker));
      assert.equal(error.code, 'invalid_input');
      assert.equal(error.field, field);
      assert.equal(engine.calls.length, 0);
    });
  }

  it('rejects calls after close() with code closed, and closes the engine once', async () => {
    const { engine, reranker } = setup();
    await reranker.close();
    await reranker.close();
    assert.equal(engine.closed, true);
    assert.equal((await rejection(reranker.rerank(QUERY, DOCS))).code, 'closed');
  });
});

describe('reranker facade: health', () => {
  it("answers the engine's health, and not ready once closed", async () => {
    const { engine, reranker } = setup();
    assert.deepEqual(reranker.health(), { ready: true });
    engine.currentHealth = { ready: false, reason: 'the worker is restarting', retryAfterSeconds: 2 };
    assert.deepEqual(reranker.health(), { ready: false, reason: 'the worker is restarting', retryAfterSeconds: 2 });
    engine.currentHealth = { ready: true };
    await reranker.close();
    assert.deepEqual(reranker.health(), { ready: false, reason: 'the reranker has been closed' });
  });
});
