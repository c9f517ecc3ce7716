// `eval --evidence`: the overlap rates of evidence spans against rationale sentences, on hand-made cases whose
// figures are worked out by hand in the comments; no model (the whole-run case scores with a fake engine whose
// logits are chosen by hand, so that which span wins is known).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRerankerFromEngine } from '../../src/index.js';
import { loadBeirDataset, measureEvidenceOverlap, readRationales, renderMarkdownReport, runEvaluation, spansOverlap, toReportJson } from '../../src/eval/index.js';
import { FakeEngine, type FakePair } from '../helpers/fake-engine.js';

describe('evidence against rationales', () => {
  it('spans overlap when they share a character; touching half-open spans do not', () => {
    assert.equal(spansOverlap({ start: 0, end: 10 }, { start: 9, end: 20 }), true);
    assert.equal(spansOverlap({ start: 0, end: 10 }, { start: 10, end: 20 }), false);
    assert.equal(spansOverlap({ start: 5, end: 6 }, { start: 0, end: 100 }), true);
  });

  it('hit rate, rationale recall and span precision average over documents', () => {
    const overlap = measureEvidenceOverlap([
      // Rationales [10,20) and [40,50); spans [0,12) hits the first, [60,70) nothing: hit, recall 1/2, precision 1/2.
      { rationales: [{ start: 10, end: 20 }, { start: 40, end: 50 }], spans: [{ start: 0, end: 12 }, { start: 60, end: 70 }] },
      // One rationale [0,30); both spans inside it: hit, recall 1, precision 1.
      { rationales: [{ start: 0, end: 30 }], spans: [{ start: 0, end: 10 }, { start: 10, end: 30 }] },
      // A span that only touches the rationale's end: no hit, recall 0, precision 0.
      { rationales: [{ start: 5, end: 9 }], spans: [{ start: 9, end: 15 }] },
      // No spans at all (the title was the only evidence): counts as a miss.
      { rationales: [{ start: 0, end: 4 }], spans: [] },
    ]);
    assert.equal(overlap.documents, 4);
    assert.equal(overlap.hitRate, 2 / 4);
    assert.equal(overlap.rationaleRecall, (1 / 2 + 1 + 0 + 0) / 4);
    assert.equal(overlap.spanPrecision, (1 / 2 + 1 + 0 + 0) / 4);
    assert.deepEqual(measureEvidenceOverlap([]), { documents: 0, hitRate: 0, rationaleRecall: 0, spanPrecision: 0 });
  });

  it("reads the split's rationales file, else rationales.jsonl, grouping sentences by query and document, each once", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qr-rationales-'));
    assert.equal(await readRationales(dir, 'test'), undefined);
    writeFileSync(
      join(dir, 'rationales.jsonl'),
      [
        '{"query_id":"3","corpus_id":"14717500","label":"SUPPORT","sentences":[[476,731],[1041,1283]],"text":["a","b"]}',
        '{"query_id":3,"corpus_id":"14717500","label":"SUPPORT","sentences":[[0,10],[476,731]],"text":["c","a"]}',
        '{"query_id":"5","corpus_id":"7","label":"CONTRADICT","sentences":[[1,2]],"text":["d"]}',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'rationales_train.jsonl'), '{"query_id":"9","corpus_id":"1","sentences":[[0,5]]}\n');
    const test = await readRationales(dir, 'test');
    assert.equal(test?.file, join(dir, 'rationales.jsonl'));
    assert.deepEqual(test?.rationales.get('3')?.get('14717500'), [{ start: 476, end: 731 }, { start: 1041, end: 1283 }, { start: 0, end: 10 }]);
    assert.deepEqual([...test!.rationales.keys()], ['3', '5']);
    const train = await readRationales(dir, 'train');
    assert.deepEqual([...train!.rationales.keys()], ['9']);

    writeFileSync(join(dir, 'rationales_bad.jsonl'), '{"query_id":"1","corpus_id":"2","sentences":[[5,5]]}\n');
    await assert.rejects(readRationales(dir, 'bad'), (error: { code?: string; message: string }) => error.code === 'invalid_input' && /rationales_bad\.jsonl:1/.test(error.message));
  });

  it('a run checks the reranked top k: spans of the title line are cut off, the baseline takes the first N spans', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qr-evidence-run-'));
    const d1 = 'Cats are mammals. Cats purr when content. Dogs bark.';
    const d2 = 'Purring in cats lowers stress. Fish swim.';
    writeFileSync(
      join(dir, 'corpus.jsonl'),
      [{ _id: 'd1', title: 'Cats', text: d1 }, { _id: 'd2', title: '', text: d2 }, { _id: 'd3', title: 'Cats too', text: 'Cats sleep a lot.' }].map((d) => JSON.stringify(d)).join('\n'),
    );
    writeFileSync(join(dir, 'queries.jsonl'), '{"_id":"q1","text":"cats purring"}\n');
    // d3 is judged non-relevant: it has no rationales and is not counted.
    writeFileSync(join(dir, 'qrels.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t1\nq1\td3\t0\n');
    const rationale = (text: string, sentence: string) => [text.indexOf(sentence), text.indexOf(sentence) + sentence.length];
    writeFileSync(
      join(dir, 'rationales.jsonl'),
      [
        { query_id: 'q1', corpus_id: 'd1', sentences: [rationale(d1, 'Cats purr when content.')] },
        { query_id: 'q1', corpus_id: 'd2', sentences: [rationale(d2, 'Purring in cats lowers stress.')] },
      ].map((r) => JSON.stringify(r)).join('\n'),
    );
    // The title line "Cats" scores highest of all: its span must be dropped, not moved into the abstract.
    const logits: Record<string, number> = { Cats: 9, 'Cats purr when content.': 4, 'Purring in cats lowers stress.': 2 };
    const logit = (pair: FakePair) => logits[pair.document] ?? -pair.document.length / 100;
    const reranker = createRerankerFromEngine(new FakeEngine({ maxContextTokens: 8192, logit }));
    const dataset = await loadBeirDataset(dir);
    const found = await readRationales(dir, 'test');
    const result = await runEvaluation(dataset, { reranker, k: 10, evidence: { spans: 2, rationales: found!.rationales, source: 'rationales.jsonl' } });
    // d1 reads "Cats\nCats are mammals. …": the title "Cats" ranks first and is dropped, then "Cats purr when
    // content." (4) and "Dogs bark." (−0.10, above "Cats are mammals." −0.17) → hit, recall 1, precision 1/2.
    // d2: "Purring in cats …" and "Fish swim." → hit, recall 1, precision 1/2.
    assert.deepEqual(result.evidence?.reranked, { documents: 2, hitRate: 1, rationaleRecall: 1, spanPrecision: (1 / 2 + 1 / 2) / 2 });
    // First 2 spans of the abstract: d1 "Cats are mammals." and "Cats purr when content." → hit, recall 1, precision
    // 1/2; d2 as above.
    assert.deepEqual(result.evidence?.firstSpans, { documents: 2, hitRate: 1, rationaleRecall: 1, spanPrecision: (1 / 2 + 1 / 2) / 2 });
    assert.equal(result.evidence?.spansScored, 4 + 2);

    const report = toReportJson(result);
    assert.deepEqual(report.evidence, {
      spans: 2,
      rationales: 'rationales.jsonl',
      documents: 2,
      spans_scored: 6,
      reranked: { hit_rate: 1, rationale_recall: 1, span_precision: 0.5 },
      first_spans: { hit_rate: 1, rationale_recall: 1, span_precision: 0.5 },
    });
    assert.match(renderMarkdownReport(report), /\| reranker's best 2 \| 1\.0000 \| 1\.0000 \| 0\.5000 \|\n\| first 2 \(no model\) \| 1\.0000 \| 1\.0000 \| 0\.5000 \|/);
    await assert.rejects(runEvaluation(dataset, { evidence: { spans: 1, rationales: found!.rationales, source: 'x' } }), { code: 'invalid_input' });
  });
});
