// Evidence is exact on both local engines (issue 19): each span `rerank(…, { evidence })` returns has the score and
// logit that `score()` gives the span's text as a document with the same query and instruction, on the generated
// tiny model. The reranker has no score cache, so `score()` recomputes every span (in other batches and packings
// than the evidence group), and the best spans are the best of all the document's spans.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReranker, splitEvidenceSpans, type LocalEngineKind, type Reranker } from '../../src/index.js';
import { ensureTestModel } from '../helpers/test-models.js';

const query = 'how do rerankers order search results';
const instruction = 'Find the sentence that explains ranking';
const documents = [
  'A reranker scores each query and document pair. It reads both texts together. Bananas are yellow.',
  '# Ranking\n\n- scores every pair\n- sorts by score\n- keeps the best few',
  '重排序模型为每个查询和文档打分。然后按分数排序。香蕉是黄色的。',
  'function rank(scores) {\n  return scores.sort((a, b) => b - a);\n}',
  'The weather in Lisbon is mild. It rarely snows there.',
];

/** llama.cpp's logits move by up to ~1.5e-6 with the composition of the batch a sequence is evaluated in (its
 * matrix kernels sum in a batch-dependent order); ONNX Runtime's CPU kernels give the same logit in any batch. */
const LOGIT_TOLERANCE: Record<Exclude<LocalEngineKind, 'auto'>, number> = { onnx: 1e-6, 'llama-cpp': 1e-5 };
const SCORE_TOLERANCE = 1e-6;

for (const engine of ['onnx', 'llama-cpp'] as const) {
  describe(`evidence on the ${engine} engine`, () => {
    let ranker: Reranker;
    before(async () => {
      // One thread: on the shared 2-core CI machine llama.cpp's spinning threads made each call ~15× slower.
      ranker = await createReranker({ model: await ensureTestModel('tiny'), engine, cacheSize: 0, threads: 1 });
    });
    after(() => ranker?.close());

    it("gives each returned result its best spans, each scored exactly as score() scores it as a document", async () => {
      const response = await ranker.rerank(query, documents, { topN: 4, evidence: 2, instruction });
      assert.equal(ranker.info.engine, engine);
      assert.equal(response.results.length, 4);
      // One score() call for every span of the returned results and every document: other batches than rerank's.
      const spans = response.results.map((r) => splitEvidenceSpans(r.document.text));
      const texts = [...spans.flat().map((s) => s.text), ...documents];
      const alone = await ranker.score(texts.map((document) => ({ query, document, instruction })));
      let next = 0;
      response.results.forEach((result, r) => {
        const best = spans[r]!.map((span) => ({ ...span, ...alone[next++]! })).sort((a, b) => b.score - a.score || a.start - b.start);
        const evidence = result.evidence!;
        assert.equal(evidence.length, Math.min(2, best.length));
        evidence.forEach((span, i) => {
          const expected = best[i]!;
          assert.equal(result.document.text.slice(span.start, span.end), span.text);
          assert.deepEqual([span.start, span.end], [expected.start, expected.end], `span ${i} of document ${result.index}`);
          assert.ok(Math.abs(span.score - expected.score) <= SCORE_TOLERANCE, `score ${span.score} vs ${expected.score}`);
          assert.ok(Math.abs(span.logit - expected.logit) <= LOGIT_TOLERANCE[engine], `logit ${span.logit} vs ${expected.logit}`);
        });
      });
      assert.equal(response.usage.evidenceSpans, next);
      assert.equal(
        response.usage.inputTokens,
        alone.reduce((sum, s) => sum + s.inputTokens, 0),
        'the documents and the spans',
      );
    });
  });
}
