// qwen-ranker/ai-sdk through ai@6's own rerank(): the SDK's ranking, scores and metadata are the library's.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rerank } from 'ai';
import { createRerankingModel } from '../../src/adapters/ai-sdk/index.js';
import { startAdapterRerankers, type AdapterRerankers } from '../helpers/adapter-rerankers.js';
import { assertApproxEqual } from '../helpers/server-harness.js';

const query = 'how do rerankers order search results';
const documents = [
  'A reranker scores each query and document pair.',
  'Bananas are rich in potassium.',
  'Search results are reordered by relevance scores.',
  'The weather in Lisbon is mild.',
];

describe('qwen-ranker/ai-sdk with ai@6 rerank()', () => {
  let rerankers: AdapterRerankers;
  before(async () => {
    rerankers = await startAdapterRerankers();
  });
  after(async () => {
    await rerankers?.close();
  });

  for (const name of ['local', 'remote'] as const) {
    it(`${name}: rerank() returns the library's order and scores, best first, cut to topN`, async () => {
      const reranker = rerankers[name];
      const expected = await rerankers.library.rerank(query, documents, { topN: 3 });
      const result = await rerank({ model: createRerankingModel(reranker), query, documents, topN: 3 });
      assertApproxEqual(
        result.ranking.map((r) => [r.originalIndex, r.score, r.document]),
        expected.results.map((r) => [r.index, r.score, r.document.text]),
      );
      assert.deepEqual(result.rerankedDocuments, expected.results.map((r) => r.document.text));
      const metadata = result.providerMetadata?.['qwen-ranker'] as { usage: { inputTokens: number }; results: Array<{ index: number; logit: number }> };
      assert.equal(metadata.usage.inputTokens, expected.usage.inputTokens);
      assertApproxEqual(metadata.results.map((r) => r.logit), expected.results.map((r) => r.logit));
    });
  }

  it("providerOptions['qwen-ranker'] carries instruction, minScore and maxLength to the reranker", async () => {
    const reranker = rerankers.local;
    const instruction = 'Judge whether the document explains search ranking';
    const all = await rerankers.library.rerank(query, documents, { instruction, maxLength: 78 });
    const minScore = (all.results[1]!.score + all.results[2]!.score) / 2;
    const result = await rerank({
      model: createRerankingModel(reranker),
      query,
      documents,
      providerOptions: { 'qwen-ranker': { instruction, minScore, maxLength: 78, longDocuments: 'truncate' } },
    });
    assertApproxEqual(
      result.ranking.map((r) => [r.originalIndex, r.score]),
      all.results.slice(0, 2).map((r) => [r.index, r.score]),
    );
    assert.equal((result.providerMetadata?.['qwen-ranker'] as { instruction: string }).instruction, instruction);
    const untruncated = await rerankers.library.rerank(query, documents, { instruction });
    assert.notDeepEqual(untruncated.results.map((r) => r.score), all.results.map((r) => r.score), 'maxLength 78 truncates the bodies');
  });

  it('object documents are ranked as their JSON text; unknown provider options are refused by name', async () => {
    const reranker = rerankers.local;
    const objects = documents.map((text, id) => ({ id, text }));
    const expected = await rerankers.library.rerank(query, objects.map((o) => JSON.stringify(o)));
    const result = await rerank({ model: createRerankingModel(reranker), query, documents: objects });
    assertApproxEqual(result.ranking.map((r) => [r.originalIndex, r.score]), expected.results.map((r) => [r.index, r.score]));
    assert.deepEqual(result.ranking[0]!.document, objects[expected.results[0]!.index]);

    await assert.rejects(
      rerank({ model: createRerankingModel(reranker), query, documents, providerOptions: { 'qwen-ranker': { topK: 2 } }, maxRetries: 0 }),
      (error: Error & { field?: string; code?: string }) => error.code === 'invalid_input' && error.field === 'providerOptions.qwen-ranker.topK',
    );
  });

  it('abortSignal reaches the reranker and cancels the scoring', async () => {
    const reranker = rerankers.local;
    const controller = new AbortController();
    const many = Array.from({ length: 64 }, (_, i) => `${documents[i % documents.length]} (${i})`);
    const pending = rerank({ model: createRerankingModel(reranker), query, documents: many, abortSignal: controller.signal, maxRetries: 0 });
    setTimeout(() => controller.abort(), 5);
    await assert.rejects(pending, (error: Error & { code?: string }) => error.code === 'aborted');
  });
});
