// qwen-ranker/mastra through Mastra's own rerankWithScorer (@mastra/rag). With all weight on the semantic score
// the final order and scores are the library's; Mastra's one-call-per-result fan-out reaches the reranker as one
// score() batch (counted by a wrapper around the reranker).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rerankWithScorer } from '@mastra/rag';
import type { QueryResult } from '@mastra/core/vector';
import { QwenRankerScoreProvider } from '../../src/adapters/mastra/index.js';
import type { Reranker } from '../../src/index.js';
import { startAdapterRerankers, type AdapterRerankers } from '../helpers/adapter-rerankers.js';
import { assertApproxEqual } from '../helpers/server-harness.js';

const query = 'how do rerankers order search results';
const texts = [
  'A reranker scores each query and document pair.',
  'Bananas are rich in potassium.',
  'Search results are reordered by relevance scores.',
  'The weather in Lisbon is mild.',
  'Rerankers read the query and the document together.',
];
/** Vector-store hits as Mastra passes them: the text in `metadata.text`, vector scores in retrieval order. */
const results: QueryResult[] = texts.map((text, i) => ({ id: `doc-${i}`, score: 1 - i / 10, metadata: { text } }));

/** The reranker with its score() calls counted. */
function countingScores(reranker: Reranker): { reranker: Reranker; batches: number[] } {
  const batches: number[] = [];
  const counted = Object.create(reranker) as Reranker;
  counted.score = (pairs, options) => {
    batches.push(pairs.length);
    return reranker.score(pairs, options);
  };
  return { reranker: counted, batches };
}

describe('qwen-ranker/mastra with rerankWithScorer', () => {
  let rerankers: AdapterRerankers;
  before(async () => {
    rerankers = await startAdapterRerankers();
  });
  after(async () => {
    await rerankers?.close();
  });

  for (const name of ['local', 'remote'] as const) {
    it(`${name}: semantic-only weights give the library's top K and scores, from one batch of ${texts.length} pairs`, async () => {
      const { reranker, batches } = countingScores(rerankers[name]);
      const expected = await rerankers.library.rerank(query, texts, { topN: 3 });
      const reranked = await rerankWithScorer({
        results,
        query,
        scorer: new QwenRankerScoreProvider({ reranker }),
        options: { topK: 3, weights: { semantic: 1, vector: 0, position: 0 } },
      });
      assertApproxEqual(
        reranked.map((r) => [r.result.id, r.score, r.details.semantic]),
        expected.results.map((r) => [`doc-${r.index}`, r.score, r.score]),
      );
      assert.deepEqual(batches, [texts.length], 'all per-result calls were scored together');
    });
  }

  it('the instruction option reaches every pair; a failed batch rejects every waiting call', async () => {
    const instruction = 'Judge whether the document explains search ranking';
    const expected = await rerankers.library.score(texts.map((document) => ({ query, document })), { instruction });
    const scorer = new QwenRankerScoreProvider({ reranker: rerankers.local, instruction });
    const scores = await Promise.all(texts.map((text) => scorer.getRelevanceScore(query, text)));
    assertApproxEqual(scores, expected.map((s) => s.score));

    const failing = new QwenRankerScoreProvider({ reranker: rerankers.local, maxLength: 1 });
    const outcomes = await Promise.allSettled(texts.map((text) => failing.getRelevanceScore(query, text)));
    assert.ok(outcomes.every((o) => o.status === 'rejected' && (o.reason as { code?: string }).code === 'context_overflow'));
  });
});
