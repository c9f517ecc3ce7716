// Behaviour of the local llama.cpp engine and the facade on the generated tiny model: control tokens in user
// text, long-document windows, the score cache, deduplication, prefix reuse, cancellation and input errors.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReranker, RerankerError, type Reranker } from '../../src/index.js';
import { ensureTestModel } from '../helpers/test-models.js';

const longDocument = Array.from({ length: 400 }, (_, i) => `sentence ${i} about reranking latency and caches.`).join(' ');

describe('local engine on the tiny model', () => {
  let ranker: Reranker;
  before(async () => {
    ranker = await createReranker({ model: await ensureTestModel('tiny'), engine: 'llama-cpp' });
  });
  after(() => ranker.close());

  it('reports the model as a random-weight demo on the CPU', () => {
    assert.equal(ranker.info.engine, 'llama-cpp');
    assert.equal(ranker.info.demo, true);
    assert.equal(ranker.info.device, 'cpu');
    assert.equal(ranker.info.maxContextTokens, 40960);
  });

  it('tokenizes <|im_end|> inside a document as plain text, not as one control token', async () => {
    const [empty, marker] = await ranker.score([
      { query: 'q', document: '' },
      { query: 'q', document: '<|im_end|>' },
    ]);
    // As a control token it would add exactly 1 token; as text it is several (<, |, im, _end, |, >).
    assert.ok(marker!.inputTokens - empty!.inputTokens > 1, `added ${marker!.inputTokens - empty!.inputTokens} tokens`);
  });

  it('truncates only the document body: the prompt is exactly maxLength and keeps the suffix', async () => {
    const [result] = await ranker.score([{ query: 'latency', document: longDocument }], { maxLength: 256 });
    assert.equal(result!.inputTokens, 256);
  });

  it('windows mode scores overlapping windows and returns the best one', async () => {
    const query = 'Which sentence talks about sentence 377?';
    const truncated = (await ranker.rerank(query, [longDocument], { maxLength: 256 })).results[0]!;
    const windowed = (await ranker.rerank(query, [longDocument], { maxLength: 256, longDocuments: 'windows' })).results[0]!;
    assert.ok(windowed.window, 'window info present');
    assert.ok(windowed.window.count > 5, `${windowed.window.count} windows`);
    assert.ok(windowed.window.endToken > windowed.window.startToken);
    assert.ok(windowed.window.text && longDocument.includes(windowed.window.text.trim().slice(0, 20)));
    assert.ok(windowed.inputTokens > 256 * (windowed.window.count - 1));
    // The first window is the truncated prompt, so the best window can only be as good or better.
    assert.ok(windowed.logit >= truncated.logit - 1e-5);
    if (windowed.window.index === 0) assert.ok(Math.abs(windowed.logit - truncated.logit) < 1e-5);
  });

  it('returns results sorted, filtered by minScore and cut to topN, with ids and metadata untouched', async () => {
    const docs = ['alpha', { id: 'b', text: 'beta', metadata: { source: 'x' } }, 'gamma', 'delta', 'epsilon'];
    const all = await ranker.rerank('greek letters', docs);
    const scores = all.results.map((r) => r.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    const withB = all.results.find((r) => r.index === 1)!;
    assert.deepEqual(withB.document, { id: 'b', text: 'beta', metadata: { source: 'x' } });
    const top = await ranker.rerank('greek letters', docs, { topN: 2 });
    assert.deepEqual(top.results.map((r) => r.index), all.results.slice(0, 2).map((r) => r.index));
    const threshold = scores[2]!;
    const filtered = await ranker.rerank('greek letters', docs, { minScore: threshold });
    assert.ok(filtered.results.every((r) => r.score >= threshold));
    assert.equal(filtered.results.length, scores.filter((s) => s >= threshold).length);
  });

  it('answers a repeated request from the score cache', async () => {
    const first = await ranker.rerank('cache query', ['one', 'two']);
    const before = ranker.stats().promptTokens;
    const second = await ranker.rerank('cache query', ['one', 'two']);
    assert.equal(ranker.stats().promptTokens, before, 'no new evaluation');
    assert.equal(second.usage.cachedDocuments, 2);
    assert.deepEqual(second.results.map((r) => r.score), first.results.map((r) => r.score));
  });

  it('computes identical concurrent pairs once', async () => {
    const before = ranker.stats().promptTokens;
    const docs = ['shared doc one', 'shared doc two', 'shared doc three'];
    const [a, b] = await Promise.all([ranker.rerank('dedupe query', docs), ranker.rerank('dedupe query', docs)]);
    const oneRequest = a.usage.inputTokens;
    assert.equal(ranker.stats().promptTokens - before, oneRequest, 'prompt tokens of one request only');
    assert.deepEqual(b.results.map((r) => r.score), a.results.map((r) => r.score));
  });

  it('evaluates the shared prefix once per query, not once per document', async () => {
    const before = ranker.stats();
    const docs = Array.from({ length: 12 }, (_, i) => `prefix reuse document number ${i}`);
    const response = await ranker.rerank('a query long enough to be worth sharing across documents', docs);
    const after = ranker.stats();
    const evaluated = after.evaluatedTokens - before.evaluatedTokens;
    assert.equal(after.promptTokens - before.promptTokens, response.usage.inputTokens);
    assert.ok(evaluated < response.usage.inputTokens * 0.5, `evaluated ${evaluated} of ${response.usage.inputTokens} prompt tokens`);
  });

  it('lets a small request overtake a large one that is already running (shortest remaining work first)', async () => {
    const finished: string[] = [];
    const large = ranker
      .rerank('large request', Array.from({ length: 60 }, (_, i) => `${longDocument.slice(0, 600)} ${i}`), { maxLength: 512 })
      .then(() => finished.push('large'));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the large one holds every sequence by now
    const small = ranker.rerank('small request', ['one short document']).then(() => finished.push('small'));
    await Promise.all([large, small]);
    assert.deepEqual(finished, ['small', 'large']);
  });

  it('cancels queued work when the signal aborts', async () => {
    const controller = new AbortController();
    const docs = Array.from({ length: 40 }, (_, i) => `${longDocument.slice(0, 2000)} ${i}`);
    const pending = ranker.rerank('cancel me', docs, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, (e: unknown) => e instanceof RerankerError && e.code === 'aborted');
    assert.equal(ranker.stats().queueDepth, 0);
  });

  it('rejects bad input with invalid_input naming the field', async () => {
    const check = async (p: Promise<unknown>, field: string) =>
      assert.rejects(p, (e: unknown) => e instanceof RerankerError && e.code === 'invalid_input' && (e as { field?: string }).field === field);
    await check(ranker.rerank(42 as unknown as string, ['a']), 'query');
    await check(ranker.rerank('q', [{ text: 5 } as unknown as string]), 'documents[0]');
    await check(ranker.rerank('q', ['a'], { topN: 0 }), 'topN');
    await check(ranker.rerank('q', ['a'], { maxLength: 100_000 }), 'maxLength');
    await check(ranker.rerank('q', ['a'], { longDocuments: 'chunks' as 'windows' }), 'longDocuments');
  });

  it('returns an empty result for an empty document list', async () => {
    const response = await ranker.rerank('q', []);
    assert.deepEqual(response.results, []);
  });
});

describe('model loading errors', () => {
  it('bad local engine options are invalid_input naming the option, before anything loads', async () => {
    const model = await ensureTestModel('tiny');
    const check = (options: Record<string, unknown>, field: string) =>
      assert.rejects(createReranker({ model, engine: 'llama-cpp', ...options }), (e: unknown) => e instanceof RerankerError && e.code === 'invalid_input' && (e as { field?: string }).field === field);
    await check({ kvCacheType: 'q4_0' }, 'kvCacheType');
    await check({ flashAttention: 'yes' }, 'flashAttention');
    await check({ threads: 10_000 }, 'threads');
  });

  it('a missing path is model_not_found', async () => {
    await assert.rejects(createReranker({ model: '/nonexistent/model.gguf' }), (e: unknown) => e instanceof RerankerError && e.code === 'model_not_found');
  });

  it('an embedding-layout Qwen3 GGUF is not_a_reranker', async () => {
    await assert.rejects(createReranker({ model: await ensureTestModel('tiny-embedding') }), (e: unknown) => e instanceof RerankerError && e.code === 'not_a_reranker');
  });

  it('a file that is not GGUF is not_a_reranker', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'qr-')), 'fake.gguf');
    writeFileSync(path, 'not a model at all');
    await assert.rejects(createReranker({ model: path }), (e: unknown) => e instanceof RerankerError && e.code === 'not_a_reranker');
  });
});
