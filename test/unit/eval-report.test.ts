// Report files of an evaluation: JSON keyed by stage then metric, Markdown table, SVG chart, TREC runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { METRIC_NAMES, loadBeirDataset, parseTrecRun, renderMetricsChart, runEvaluation, writeEvaluationReport } from '../../src/eval/index.js';

describe('evaluation report', () => {
  it('writes report.json, report.md, chart.svg and the first-stage run; a given run file is evaluated as is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qr-report-'));
    const data = join(dir, 'toy');
    mkdirSync(data);
    writeFileSync(join(data, 'corpus.jsonl'), ['{"_id":"d1","title":"Cats","text":"Cats purr softly."}', '{"_id":"d2","title":"Dogs","text":"Dogs bark loudly."}'].join('\n'));
    writeFileSync(join(data, 'queries.jsonl'), '{"_id":"q1","text":"why do cats purr"}\n{"_id":"q2","text":"barking dogs"}\n');
    writeFileSync(join(data, 'qrels.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq2\td1\t0\n');
    const dataset = await loadBeirDataset(data);

    const result = await runEvaluation(dataset);
    const out = join(dir, 'out');
    const report = writeEvaluationReport(out, result);
    assert.deepEqual(Object.keys(report.metrics), ['first_stage']);
    assert.deepEqual(Object.keys(report.metrics.first_stage!), [...METRIC_NAMES]);
    assert.equal(report.metrics.first_stage!['ndcg@10'], 1);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')), report);
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\| ndcg@10 \| 1\.0000 \|/);
    assert.ok(readFileSync(join(out, 'chart.svg'), 'utf8').startsWith('<svg'));

    // The written run, read back as a --run file, gives the same numbers.
    const run = parseTrecRun(readFileSync(join(out, 'first_stage.run'), 'utf8'));
    const rerun = await runEvaluation(dataset, { run: { source: 'first_stage.run', documents: run } });
    assert.deepEqual(rerun.stages.first_stage.metrics, result.stages.first_stage.metrics);
    assert.equal(rerun.firstStage.kind, 'run');
  });

  it('the chart has one bar per stage and metric, with its value, on a 0–1 axis', () => {
    const values = (v: number) => Object.fromEntries(METRIC_NAMES.map((m) => [m, v])) as Record<(typeof METRIC_NAMES)[number], number>;
    const svg = renderMetricsChart('toy & <test>', [{ label: 'first stage', values: values(0.5) }, { label: 'reranked', values: values(1) }]);
    const { document } = parseHTML(`<html><body>${svg}</body></html>`);
    const bars = [...document.querySelectorAll('rect')].filter((r) => r.querySelector('title'));
    assert.equal(bars.length, 12);
    const heights = bars.map((r) => Number(r.getAttribute('height')));
    assert.ok(Math.abs(heights[1]! - 2 * heights[0]!) < 0.2, 'bar height is proportional to the value');
    assert.match(svg, /toy &amp; &lt;test&gt;/);
  });
});
