import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMetricsChart } from './chart-svg.js';
import { METRIC_NAMES, type MetricValues } from './metrics.js';
import type { LatencySummary } from './latency.js';
import type { EvidenceOverlap } from './evidence-overlap.js';
import type { EvaluationResult, EvaluationStage } from './run-evaluation.js';
import { formatTrecRun } from './trec-run.js';

/** The machine-readable report (`eval --json`, `report.json`): snake_case keys, metrics keyed by stage, then metric. */
export interface EvaluationReportJson {
  dataset: { name: string; split: string; documents: number; queries: number; evaluated_queries: number };
  first_stage: { kind: 'bm25' | 'run'; source: string };
  k: number;
  model: string | null;
  instruction: string | null;
  metrics: Partial<Record<EvaluationStage, MetricValues>>;
  latency_ms: Partial<Record<EvaluationStage, LatencySummary>>;
  tokens_scored: number;
  documents_scored: number;
  cached_queries: number;
  /** With `eval --evidence N`: evidence spans against rationale sentences (absent without it). */
  evidence?: EvidenceReportJson;
  duration_ms: number;
  created_at: string;
}

export interface EvidenceReportJson {
  spans: number;
  rationales: string;
  documents: number;
  spans_scored: number;
  reranked: EvidenceRatesJson;
  first_spans: EvidenceRatesJson;
}

interface EvidenceRatesJson {
  hit_rate: number;
  rationale_recall: number;
  span_precision: number;
}

function evidenceRatesJson(overlap: EvidenceOverlap): EvidenceRatesJson {
  return roundValues({ hit_rate: overlap.hitRate, rationale_recall: overlap.rationaleRecall, span_precision: overlap.spanPrecision });
}

const STAGE_LABELS: Record<EvaluationStage, string> = { first_stage: 'first stage', reranked: 'reranked' };

export function toReportJson(result: EvaluationResult): EvaluationReportJson {
  const stages = Object.entries(result.stages) as Array<[EvaluationStage, NonNullable<EvaluationResult['stages'][EvaluationStage]>]>;
  return {
    dataset: {
      name: result.dataset.name,
      split: result.dataset.split,
      documents: result.dataset.documents,
      queries: result.dataset.queries,
      evaluated_queries: result.queryIds.length,
    },
    first_stage: result.firstStage,
    k: result.k,
    model: result.model ?? null,
    instruction: result.instruction ?? null,
    metrics: Object.fromEntries(stages.map(([stage, report]) => [stage, roundValues(report.metrics)])),
    latency_ms: Object.fromEntries(stages.map(([stage, report]) => [stage, roundValues(report.latencyMs, 2)])),
    tokens_scored: result.tokensScored,
    documents_scored: result.documentsScored,
    cached_queries: result.cachedQueries,
    ...(result.evidence
      ? {
          evidence: {
            spans: result.evidence.spans,
            rationales: result.evidence.source,
            documents: result.evidence.reranked.documents,
            spans_scored: result.evidence.spansScored,
            reranked: evidenceRatesJson(result.evidence.reranked),
            first_spans: evidenceRatesJson(result.evidence.firstSpans),
          },
        }
      : {}),
    duration_ms: Math.round(result.durationMs),
    created_at: new Date().toISOString(),
  };
}

function roundValues<T extends object>(values: T, digits = 4): T {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Number((value as number).toFixed(digits))])) as T;
}

/** The Markdown report: setup, the metric table by stage with the reranker's gain, latency, and the chart. */
export function renderMarkdownReport(report: EvaluationReportJson, chartFile = 'chart.svg'): string {
  const { first_stage: first, reranked } = report.metrics;
  const lines = [
    `# Evaluation: ${report.dataset.name} (${report.dataset.split})`,
    '',
    `| setting | value |`,
    `|---|---|`,
    `| dataset | ${report.dataset.name}, split ${report.dataset.split}: ${report.dataset.documents} documents, ${report.dataset.evaluated_queries} of ${report.dataset.queries} judged queries |`,
    `| first stage | ${report.first_stage.kind === 'bm25' ? report.first_stage.source : `run file ${report.first_stage.source}`} |`,
    `| reranker | ${report.model ?? 'none (--no-rerank)'}${report.model ? `, top ${report.k} reranked` : ''} |`,
    ...(report.instruction ? [`| instruction | ${report.instruction} |`] : []),
    `| date | ${report.created_at} |`,
    '',
    '## Metrics',
    '',
    `| metric | first stage |${reranked ? ' reranked | Δ |' : ''}`,
    `|---|---:|${reranked ? '---:|---:|' : ''}`,
    ...METRIC_NAMES.map((metric) => {
      const base = first?.[metric] ?? 0;
      if (!reranked) return `| ${metric} | ${base.toFixed(4)} |`;
      const delta = reranked[metric] - base;
      return `| ${metric} | ${base.toFixed(4)} | ${reranked[metric].toFixed(4)} | ${delta >= 0 ? '+' : ''}${delta.toFixed(4)} |`;
    }),
    '',
    'trec_eval semantics: nDCG@10 with linear gains and the ideal DCG from all judged documents; unjudged documents',
    'count as non-relevant; queries without any relevant document score 0; `nonrelevant@5` is the share of the top 5',
    'that is judged non-relevant (grade 0). See docs/evaluation.md.',
    '',
    `![metrics by stage](${chartFile})`,
    '',
    '## Cost',
    '',
    '| stage | p50 ms/query | p95 ms/query | mean ms/query |',
    '|---|---:|---:|---:|',
    ...(Object.entries(report.latency_ms) as Array<[EvaluationStage, LatencySummary]>).map(
      ([stage, latency]) => `| ${STAGE_LABELS[stage]} | ${latency.p50.toFixed(1)} | ${latency.p95.toFixed(1)} | ${latency.mean.toFixed(1)} |`,
    ),
    '',
    ...(report.model
      ? [`Reranker: ${report.documents_scored} documents, ${report.tokens_scored} prompt tokens scored${report.cached_queries ? ` (${report.cached_queries} queries from the resume cache)` : ''}.`, '']
      : []),
    ...(report.evidence ? renderEvidenceSection(report.evidence) : []),
    `Total wall time: ${(report.duration_ms / 1000).toFixed(1)} s.`,
    '',
  ];
  return lines.join('\n');
}

/** Writes `report.json`, `report.md`, `chart.svg` and the TREC run of each stage into `dir`. */
export function writeEvaluationReport(dir: string, result: EvaluationResult): EvaluationReportJson {
  mkdirSync(dir, { recursive: true });
  const report = toReportJson(result);
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'report.md'), renderMarkdownReport(report));
  const series = (Object.entries(report.metrics) as Array<[EvaluationStage, MetricValues]>).map(([stage, values]) => ({ label: STAGE_LABELS[stage], values }));
  writeFileSync(join(dir, 'chart.svg'), renderMetricsChart(`${report.dataset.name} (${report.dataset.split}), ${report.dataset.evaluated_queries} queries`, series));
  for (const [stage, stageReport] of Object.entries(result.stages)) {
    if (stageReport) writeFileSync(join(dir, `${stage}.run`), formatTrecRun(stageReport.run, `qwen-ranker-${stage}`));
  }
  return report;
}

/** The evidence section: the reranker's spans next to the first-N-spans baseline, with what the rates mean. */
function renderEvidenceSection(evidence: EvidenceReportJson): string[] {
  const row = (label: string, rates: EvidenceRatesJson) =>
    `| ${label} | ${rates.hit_rate.toFixed(4)} | ${rates.rationale_recall.toFixed(4)} | ${rates.span_precision.toFixed(4)} |`;
  return [
    `## Evidence (N = ${evidence.spans})`,
    '',
    `${evidence.documents} relevant documents with rationale sentences (${evidence.rationales}) in the reranked top k; ${evidence.spans_scored} spans scored.`,
    '',
    '| spans | hit rate | rationale recall | span precision |',
    '|---|---:|---:|---:|',
    row(`reranker's best ${evidence.spans}`, evidence.reranked),
    row(`first ${evidence.spans} (no model)`, evidence.first_spans),
    '',
    'hit rate: share of documents where a span overlaps a rationale sentence (one shared character); rationale recall:',
    "mean share of a document's rationale sentences overlapped by a span; span precision: mean share of its spans that",
    'overlap a rationale sentence. The figures mean something only with real model weights. See docs/evaluation.md.',
    '',
  ];
}
