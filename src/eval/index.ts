/** qwen-ranker/eval: BEIR datasets, trec_eval-compatible metrics, first stage + rerank evaluation, reports. */
export { loadBeirDataset, corpusDocumentText, readQrels, sampleQueryIds, availableSplits, DEFAULT_SPLIT, type BeirDataset, type CorpusDocument, type LoadBeirDatasetOptions } from './beir-dataset.js';
export {
  METRIC_NAMES,
  evaluateRanking,
  evaluateRun,
  meanMetrics,
  ndcgAt,
  reciprocalRankAt,
  recallAt,
  hitAt,
  nonRelevantAt,
  orderLikeTrecEval,
  type MetricName,
  type MetricValues,
  type Judgments,
  type Qrels,
  type Run,
  type RunEvaluation,
  type ScoredDocument,
} from './metrics.js';
export { readTrecRun, parseTrecRun, formatTrecRun } from './trec-run.js';
export { runEvaluation, type EvaluationOptions, type EvaluationResult, type EvaluationProgress, type EvaluationStage, type StageReport } from './run-evaluation.js';
export { createBm25Retriever, type Bm25Retriever } from './bm25-first-stage.js';
export { toReportJson, renderMarkdownReport, writeEvaluationReport, type EvaluationReportJson, type EvidenceReportJson } from './report.js';
export { renderMetricsChart, type ChartSeries } from './chart-svg.js';
export { summarizeLatency, percentile, type LatencySummary } from './latency.js';
export { ScoreJournal, type ScoreJournalKey, type CachedQuery } from './score-journal.js';
export { measureEvidenceOverlap, readRationales, spansOverlap, type CharacterSpan, type EvidenceCase, type EvidenceOverlap, type Rationales } from './evidence-overlap.js';
export { evaluateEvidence, type EvidenceEvaluation, type EvidenceEvaluationOptions } from './evidence-evaluation.js';
