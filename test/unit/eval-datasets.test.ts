// BEIR loading on generated datasets, and the first-stage quality bar on the real shared datasets.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableSplits, loadBeirDataset, runEvaluation, sampleQueryIds } from '../../src/eval/index.js';

const sharedData = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

function writeDataset(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const jsonl = (rows: object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  writeFileSync(join(dir, 'corpus.jsonl'), jsonl([{ _id: 'd1', title: 'Cats', text: 'Cats purr.' }, { _id: 'd2', title: '', text: 'Dogs bark.' }, { _id: 3, text: 'numeric id' }]));
  writeFileSync(join(dir, 'queries.jsonl'), jsonl([{ _id: 'q1', text: 'purring cats' }, { _id: 'q2', text: 'barking' }, { _id: 'q3', text: 'unjudged query' }]));
  writeFileSync(join(dir, 'qrels.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t2\n');
  writeFileSync(join(dir, 'queries_train.jsonl'), jsonl([{ _id: 't1', text: 'dogs' }]));
  writeFileSync(join(dir, 'qrels_train.tsv'), 'query-id\tcorpus-id\tscore\nt1\td2\t1\n');
}

describe('BEIR datasets', () => {
  let dir: string;
  before(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'qr-beir-')), 'toy');
    writeDataset(dir);
  });

  it('loads corpus, judged queries only, and graded qrels of the default split', async () => {
    const dataset = await loadBeirDataset(dir);
    assert.equal(dataset.split, 'test');
    assert.equal(dataset.corpus.size, 3);
    assert.deepEqual(dataset.corpus.get('3'), { id: '3', title: '', text: 'numeric id' });
    assert.deepEqual([...dataset.queries.keys()], ['q1', 'q2'], 'q3 has no judgments');
    assert.equal(dataset.qrels.get('q2')!.get('d2'), 2);
  });

  it('uses split-specific files and falls back to the unsuffixed corpus', async () => {
    const dataset = await loadBeirDataset(dir, { split: 'train' });
    assert.deepEqual([...dataset.queries.keys()], ['t1']);
    assert.equal(dataset.corpus.size, 3);
    assert.deepEqual(availableSplits(dir), ['test', 'train']);
  });

  it('rejects an unknown split and a missing directory with invalid_input', async () => {
    await assert.rejects(loadBeirDataset(dir, { split: 'dev' }), { code: 'invalid_input', field: 'split' });
    await assert.rejects(loadBeirDataset(join(dir, 'missing')), { code: 'invalid_input' });
  });

  it('samples queries deterministically by seed', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `q${i}`);
    const a = sampleQueryIds(ids, 10, 1);
    assert.equal(a.length, 10);
    assert.deepEqual(sampleQueryIds(ids, 10, 1), a);
    assert.notDeepEqual(sampleQueryIds(ids, 10, 2), a);
    assert.notDeepEqual(a, ids.slice(0, 10), 'not file order');
  });
});

describe('first-stage quality on the shared datasets (BM25, no model)', () => {
  it('scifact BM25 nDCG@10 is within 0.02 of the published 0.665–0.679', async () => {
    const dataset = await loadBeirDataset(join(sharedData, 'scifact'));
    const result = await runEvaluation(dataset);
    const ndcg = result.stages.first_stage.metrics['ndcg@10'];
    assert.equal(result.queryIds.length, 300);
    assert.ok(ndcg >= 0.645 && ndcg <= 0.699, `nDCG@10 ${ndcg}`);
  });

  it('xquad-r/zh is searchable: CJK BM25 nDCG@10 comes close to the English set', async () => {
    const [zh, en] = await Promise.all(['zh', 'en'].map((lang) => loadBeirDataset(join(sharedData, 'xquad-r', lang))));
    const zhNdcg = (await runEvaluation(zh!)).stages.first_stage.metrics['ndcg@10'];
    const enNdcg = (await runEvaluation(en!)).stages.first_stage.metrics['ndcg@10'];
    assert.ok(zhNdcg > 0.78, `zh nDCG@10 ${zhNdcg}`);
    assert.ok(zhNdcg > enNdcg - 0.05, `zh ${zhNdcg} vs en ${enNdcg}`);
  });
});
