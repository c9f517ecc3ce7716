// Metric functions against hand-computed values and trec_eval's conventions (usnistgov/trec_eval m_*.c).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateRun,
  hitAt,
  ndcgAt,
  nonRelevantAt,
  orderLikeTrecEval,
  recallAt,
  reciprocalRankAt,
  parseTrecRun,
  formatTrecRun,
  percentile,
  summarizeLatency,
} from '../../src/eval/index.js';

const close = (actual: number, expected: number, message?: string): void =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${message ?? ''} expected ${expected}, got ${actual}`);

describe('eval metrics (trec_eval semantics)', () => {
  it('nDCG@k uses linear gains, log2(rank+1) discounts and the ideal ranking of all judged documents', () => {
    const judgments = new Map([['a', 2], ['b', 1], ['c', 0], ['z', 1]]); // z is relevant but never retrieved
    const ranking = ['c', 'a', 'x', 'b'];
    const dcg = 2 / Math.log2(3) + 1 / Math.log2(5);
    const ideal = 2 / Math.log2(2) + 1 / Math.log2(3) + 1 / Math.log2(4);
    close(ndcgAt(10, ranking, judgments), dcg / ideal);
    // At a cutoff of 2, both DCG and the ideal DCG are cut.
    close(ndcgAt(2, ranking, judgments), 2 / Math.log2(3) / (2 + 1 / Math.log2(3)));
  });

  it('unjudged retrieved documents count as non-relevant and a perfect ranking scores 1', () => {
    const judgments = new Map([['a', 1]]);
    close(ndcgAt(10, ['a', 'unjudged'], judgments), 1);
    close(ndcgAt(10, ['unjudged', 'a'], judgments), 1 / Math.log2(3));
  });

  it('a query without any relevant document scores 0 on every metric', () => {
    const judgments = new Map([['a', 0], ['b', 0]]);
    const ranking = ['a', 'b'];
    assert.equal(ndcgAt(10, ranking, judgments), 0);
    assert.equal(reciprocalRankAt(10, ranking, judgments), 0);
    assert.equal(recallAt(10, ranking, judgments), 0);
    assert.equal(hitAt(5, ranking, judgments), 0);
    close(nonRelevantAt(5, ranking, judgments), 2 / 5);
  });

  it('MRR@10 ignores relevant documents below rank 10; grade 1 is the relevance level', () => {
    const judgments = new Map([['r', 1]]);
    const ranking = Array.from({ length: 12 }, (_, i) => `d${i}`);
    ranking[2] = 'r';
    close(reciprocalRankAt(10, ranking, judgments), 1 / 3);
    ranking[2] = 'd2';
    ranking[10] = 'r';
    assert.equal(reciprocalRankAt(10, ranking, judgments), 0);
  });

  it('recall@k divides by all relevant documents; hit@5 is top-5 accuracy', () => {
    const judgments = new Map([['a', 1], ['b', 2], ['c', 1], ['n', 0]]);
    const ranking = ['n', 'x', 'y', 'z', 'w', 'a', 'b'];
    close(recallAt(5, ranking, judgments), 0);
    close(recallAt(10, ranking, judgments), 2 / 3);
    assert.equal(hitAt(5, ranking, judgments), 0);
    assert.equal(hitAt(5, ranking.slice(4), judgments), 1);
  });

  it('nonrelevant@5 counts only judged non-relevant documents, over 5', () => {
    const judgments = new Map([['bad1', 0], ['bad2', 0], ['good', 1]]);
    close(nonRelevantAt(5, ['bad1', 'unjudged', 'good', 'bad2'], judgments), 2 / 5);
  });

  it('orders by score descending and breaks ties by document id descending, ignoring input order', () => {
    const ordered = orderLikeTrecEval([
      { docId: 'a', score: 1 },
      { docId: 'c', score: 1 },
      { docId: 'b', score: 2 },
    ]).map((d) => d.docId);
    assert.deepEqual(ordered, ['b', 'c', 'a']);
  });

  it('evaluateRun averages over the qrels queries and scores a query missing from the run as 0 (trec_eval -c)', () => {
    const qrels = new Map([
      ['q1', new Map([['a', 1]])],
      ['q2', new Map([['b', 1]])],
    ]);
    const run = new Map([['q1', [{ docId: 'a', score: 3 }]]]);
    const { mean, perQuery } = evaluateRun(run, qrels);
    assert.equal(perQuery.get('q1')!['ndcg@10'], 1);
    assert.equal(perQuery.get('q2')!['ndcg@10'], 0);
    assert.equal(mean['ndcg@10'], 0.5);
    assert.equal(mean['hit@5'], 0.5);
  });
});

describe('TREC run files', () => {
  it('parses "qid Q0 docid rank score tag", ordering by score, and writes it back with fresh ranks', () => {
    const run = parseTrecRun('q1 Q0 d1 1 0.5 bm25\nq1 Q0 d2 2 0.9 bm25\n\nq2 Q0 d3 1 1 bm25\n');
    assert.deepEqual(run.get('q1'), [{ docId: 'd1', score: 0.5 }, { docId: 'd2', score: 0.9 }]);
    assert.equal(formatTrecRun(run, 'x'), 'q1 Q0 d2 1 0.9 x\nq1 Q0 d1 2 0.5 x\nq2 Q0 d3 1 1 x\n');
  });

  it('rejects malformed lines and duplicate documents with invalid_input', () => {
    assert.throws(() => parseTrecRun('q1 Q0 d1 1 notanumber tag\n'), { code: 'invalid_input' });
    assert.throws(() => parseTrecRun('q1 Q0 d1 1 1 tag\nq1 Q0 d1 2 0.5 tag\n'), { code: 'invalid_input' });
  });
});

describe('latency summary', () => {
  it('uses nearest-rank percentiles', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    assert.equal(percentile(values, 50), 10);
    assert.equal(percentile(values, 95), 19);
    assert.deepEqual(summarizeLatency([3, 1, 2]), { p50: 2, p95: 3, mean: 2 });
  });
});
