// `qwen-ranker eval` as a user runs it, on a small slice of the shared SciFact set with the generated tiny model.
// The tiny model has random weights: the reranked numbers mean nothing, the test checks the pipeline around them.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestModel } from '../helpers/test-models.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';
import type { EvaluationReportJson } from '../../src/eval/index.js';

const scifact = fileURLToPath(new URL('../../../shared/data/scifact', import.meta.url));

const run = (args: string[]) => runCli(args);

describe('qwen-ranker eval', () => {
  let model: string;
  let dir: string;
  before(async () => {
    model = await ensureTestModel('tiny');
    dir = mkdtempSync(join(tmpdir(), 'qr-eval-'));
  });

  it('evaluates first stage and reranked top k, writes the report, and resumes from the score cache', async () => {
    const out = join(dir, 'slice');
    const args = ['eval', '--dataset', scifact, '--model', model, '--queries', '4', '--k', '6', '--json', '--out', out];
    const first = await run(args);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as EvaluationReportJson;
    assert.deepEqual(Object.keys(report.metrics), ['first_stage', 'reranked']);
    for (const stage of ['first_stage', 'reranked'] as const) {
      assert.deepEqual(Object.keys(report.metrics[stage]!), ['ndcg@10', 'mrr@10', 'recall@10', 'recall@100', 'hit@5', 'nonrelevant@5']);
      for (const value of Object.values(report.metrics[stage]!)) assert.ok(value >= 0 && value <= 1);
    }
    // Only the top 6 are reordered; documents 7–100 keep their first-stage order, so Recall@100 cannot change.
    assert.equal(report.metrics.reranked!['recall@100'], report.metrics.first_stage!['recall@100']);
    assert.equal(report.dataset.evaluated_queries, 4);
    assert.equal(report.documents_scored, 24);
    assert.ok(report.tokens_scored > 24 * 50, `tokens ${report.tokens_scored}`);
    assert.ok(report.latency_ms.reranked!.p95 >= report.latency_ms.reranked!.p50);
    assert.equal(report.cached_queries, 0);
    for (const file of ['report.json', 'report.md', 'chart.svg', 'first_stage.run', 'reranked.run', 'scores.jsonl']) assert.ok(existsSync(join(out, file)), file);
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\| ndcg@10 \| [0-9.]+ \| [0-9.]+ \| [-+][0-9.]+ \|/);

    const second = await run(args);
    assert.equal(second.code, 0, second.stderr);
    const resumed = JSON.parse(second.stdout) as EvaluationReportJson;
    assert.equal(resumed.cached_queries, 4, 'every query comes from the cache');
    assert.deepEqual(resumed.metrics, report.metrics);
  });

  it('--evidence N checks the evidence spans of relevant documents against the rationales, next to the first-N baseline', async () => {
    // The slice above again: its scores come from the cache, only the evidence spans are scored.
    const out = join(dir, 'slice');
    const result = await run(['eval', '--dataset', scifact, '--model', model, '--queries', '4', '--k', '6', '--evidence', '2', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as EvaluationReportJson;
    const evidence = report.evidence!;
    assert.equal(evidence.spans, 2);
    assert.equal(evidence.rationales, 'rationales.jsonl');
    assert.ok(evidence.documents >= 1, 'the slice has relevant documents with rationales in its top 6');
    assert.ok(evidence.spans_scored >= evidence.documents * 2);
    for (const rates of [evidence.reranked, evidence.first_spans]) {
      for (const value of Object.values(rates)) assert.ok(value >= 0 && value <= 1);
      assert.ok(rates.span_precision <= rates.hit_rate && rates.rationale_recall <= rates.hit_rate, 'a document without a hit adds to neither');
    }
    assert.match(result.stdout, /## Evidence \(N = 2\)[\s\S]*\| reranker's best 2 \|[\s\S]*\| first 2 \(no model\) \|[\s\S]*only with real model weights/);

    const refused = await run(['eval', '--dataset', scifact, '--no-rerank', '--evidence', '2']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--evidence needs the reranker/);
  });

  it('stops on Ctrl-C (SIGINT) keeping the scores so far, and the same command resumes from them', async () => {
    const out = join(dir, 'interrupted');
    const args = ['eval', '--dataset', scifact, '--model', model, '--queries', '20', '--k', '10', '--json', '--no-progress', '--out', out];
    const child = spawnCli(args);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const scoredLines = (): number => (existsSync(join(out, 'scores.jsonl')) ? readFileSync(join(out, 'scores.jsonl'), 'utf8').split('\n').filter(Boolean).length : 0);
    while (scoredLines() < 3 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /interrupted: .*run the same command again to resume/);
    const scored = scoredLines() - 1;
    assert.ok(scored >= 2 && scored < 20, `${scored} queries scored before the interrupt`);

    const resumed = await run(args);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((JSON.parse(resumed.stdout) as EvaluationReportJson).cached_queries, scored);
  });

  it('reranks a given TREC run file', async () => {
    const out = join(dir, 'from-run');
    const result = await run(['eval', '--dataset', scifact, '--model', model, '--queries', '3', '--k', '4', '--run', join(dir, 'slice', 'first_stage.run'), '--json', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as EvaluationReportJson;
    assert.equal(report.first_stage.kind, 'run');
    assert.equal(report.documents_scored, 12);
  });

  it('--no-rerank needs no model and prints a Markdown summary; a bad option is a usage error', async () => {
    const result = await run(['eval', '--dataset', scifact, '--no-rerank', '--queries', '20', '--out', join(dir, 'bm25')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\| ndcg@10 \| 0\.\d{4} \|\n/);
    assert.doesNotMatch(result.stdout, /reranked/);
    const bad = await run(['eval', '--dataset', scifact, '--k', '0']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--k must be a positive integer/);
  });
});
