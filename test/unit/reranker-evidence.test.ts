// The facade's `evidence` option (src/core/reranker.ts) specified against the fake engine: which results get spans,
// that the spans go through the documents' scoring path (one group, cache, same query and instruction), their
// order, usage, progress and cancellation. The exactness on real engines is test/e2e/evidence.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRerankerFromEngine, isRerankerError, splitEvidenceSpans } from '../../src/index.js';
import { FakeEngine, type FakePair } from '../helpers/fake-engine.js';

const QUERY = 'what is a reranker';
const DOCS = [
  'A reranker orders documents. It reads the query and the document together. Bananas are yellow.',
  'Bananas are yellow. They grow in bunches.',
  'Cross-encoders read both texts. They are slower than embeddings. They are more exact.',
];

function setup(logit?: (pair: FakePair) => number) {
  const engine = new FakeEngine({ maxContextTokens: 8192, ...(logit ? { logit } : {}) });
  return { engine, reranker: createRerankerFromEngine(engine) };
}

const spanTexts = (text: string) => splitEvidenceSpans(text).map((s) => s.text);

describe('reranker facade: evidence', () => {
  it('gives evidence only to returned results, scoring all their spans as one group with the same query and instruction', async () => {
    const { engine, reranker } = setup();
    const { results } = await reranker.rerank(QUERY, DOCS, { topN: 2, evidence: 5, instruction: 'Find it' });
    assert.equal(engine.calls.length, 2);
    const spanCall = engine.calls[1]!;
    assert.deepEqual([spanCall.query, spanCall.instruction], [QUERY, 'Find it']);
    const returned = results.map((r) => r.document.text);
    assert.deepEqual(new Set(spanCall.documents), new Set(returned.flatMap(spanTexts)));
    for (const result of results) {
      assert.deepEqual(new Set(result.evidence!.map((s) => s.text)), new Set(spanTexts(result.document.text)));
      for (const span of result.evidence!) assert.equal(result.document.text.slice(span.start, span.end), span.text);
    }
  });

  it('gives each span the score and logit score() gives it as a document, at most N, best first', async () => {
    const { reranker } = setup();
    const { results } = await reranker.rerank(QUERY, DOCS, { evidence: 2 });
    for (const result of results) {
      const evidence = result.evidence!;
      assert.equal(evidence.length, 2);
      const scored = await reranker.score(spanTexts(result.document.text).map((document) => ({ query: QUERY, document })));
      const best = scored.map((s) => s.score).sort((a, b) => b - a);
      assert.deepEqual(
        evidence.map((s) => s.score),
        best.slice(0, 2),
      );
      for (const span of evidence) {
        const [own] = await reranker.score([{ query: QUERY, document: span.text }]);
        assert.deepEqual([span.score, span.logit], [own!.score, own!.logit]);
      }
    }
  });

  it('orders spans of equal score by their place in the document', async () => {
    const { reranker } = setup(() => 1);
    const { results } = await reranker.rerank(QUERY, [DOCS[2]!], { evidence: 3 });
    assert.deepEqual(
      results[0]!.evidence!.map((s) => s.text),
      spanTexts(DOCS[2]!),
    );
  });

  it('leaves results and usage without evidence keys when the option is absent', async () => {
    const { engine, reranker } = setup();
    const response = await reranker.rerank(QUERY, DOCS, { topN: 2 });
    assert.equal(engine.calls.length, 1);
    assert.ok(response.results.every((r) => !('evidence' in r)));
    assert.ok(!('evidenceSpans' in response.usage));
  });

  it('counts the span prompts in usage.inputTokens and the spans in usage.evidenceSpans', async () => {
    const { engine, reranker } = setup();
    const without = await createRerankerFromEngine(new FakeEngine({ maxContextTokens: 8192 })).rerank(QUERY, DOCS, { topN: 1 });
    const { usage, results } = await reranker.rerank(QUERY, DOCS, { topN: 1, evidence: 1 });
    const spans = spanTexts(results[0]!.document.text);
    const spanTokens = spans.reduce((sum, document) => sum + engine.expected({ instruction: engine.calls[1]!.instruction, query: QUERY, document }).inputTokens, 0);
    assert.equal(usage.evidenceSpans, spans.length);
    assert.equal(usage.inputTokens, without.usage.inputTokens + spanTokens);
    assert.equal(usage.documents, DOCS.length);
  });

  it('answers repeated spans from the score cache, shared with score()', async () => {
    const { engine, reranker } = setup();
    await reranker.score(spanTexts(DOCS[1]!).map((document) => ({ query: QUERY, document })));
    const first = await reranker.rerank(QUERY, [DOCS[1]!], { evidence: 1 });
    assert.equal(engine.calls.length, 2, 'the document is new, its spans were scored by score()');
    const second = await reranker.rerank(QUERY, [DOCS[1]!], { evidence: 1 });
    assert.equal(engine.calls.length, 2);
    assert.deepEqual(second.results[0]!.evidence, first.results[0]!.evidence);
    assert.equal(second.usage.evidenceSpans, first.usage.evidenceSpans);
  });

  it('reports progress over the documents only', async () => {
    const { reranker } = setup();
    const calls: Array<[number, number]> = [];
    await reranker.rerank(QUERY, DOCS, { evidence: 2, onProgress: (done, total) => calls.push([done, total]) });
    assert.deepEqual(
      calls.map(([, total]) => total),
      [3, 3, 3],
    );
  });

  it('cancels evidence scoring with the request signal', async () => {
    const { engine, reranker } = setup();
    const controller = new AbortController();
    const pending = reranker.rerank(QUERY, DOCS, { evidence: 1, signal: controller.signal });
    await engine.waitForCalls(1);
    engine.hold();
    await engine.waitForCalls(2);
    controller.abort();
    const error = await pending.then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    engine.release();
    assert.ok(isRerankerError(error) && error.code === 'aborted');
  });
});
