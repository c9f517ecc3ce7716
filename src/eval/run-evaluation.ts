import { InvalidInputError, throwIfAborted } from '../spec/errors.js';
import type { Reranker } from '../spec/types.js';
import type { CjkTokenization } from '../kb/lexical/cjk-tokenization.js';
import { corpusDocumentText, sampleQueryIds, type BeirDataset } from './beir-dataset.js';
import { createBm25Retriever } from './bm25-first-stage.js';
import { evaluateEvidence, type EvidenceEvaluation, type EvidenceEvaluationOptions } from './evidence-evaluation.js';
import { summarizeLatency, type LatencySummary } from './latency.js';
import { evaluateRun, orderLikeTrecEval, type MetricValues, type ScoredDocument } from './metrics.js';
import { ScoreJournal } from './score-journal.js';

export type EvaluationStage = 'first_stage' | 'reranked';

export interface EvaluationProgress {
  stage: 'index' | EvaluationStage;
  done: number;
  total: number;
}

export interface EvaluationOptions {
  /** Reranks the first stage's top `k`. Default: none (first stage only, no model needed). */
  reranker?: Reranker;
  /** Candidates per query handed to the reranker. Default: 100. */
  k?: number;
  /** Evaluate a deterministic sample of this many queries. Default: all. */
  queries?: number;
  /** Seed of the query sample. Default: 1. */
  seed?: number;
  /** First stage from a TREC run (`readTrecRun`) instead of BM25. Default: BM25 over the corpus. */
  run?: { source: string; documents: ReadonlyMap<string, readonly ScoredDocument[]> };
  /** CJK handling of the BM25 first stage. Default: the knowledge base's default. */
  cjk?: CjkTokenization;
  /** Reranker instruction. Default: the reranker's (the model card's). */
  instruction?: string;
  /** Check the reranker's evidence spans of relevant documents against rationale sentences (needs `reranker`).
   * Default: off. */
  evidence?: EvidenceEvaluationOptions;
  /** JSON Lines file caching reranker scores, so an interrupted run resumes. Default: no cache. */
  cacheFile?: string;
  signal?: AbortSignal;
  onProgress?: (progress: EvaluationProgress) => void;
}

export interface StageReport {
  metrics: MetricValues;
  latencyMs: LatencySummary;
  perQuery: Map<string, MetricValues>;
  run: Map<string, ScoredDocument[]>;
}

export interface EvaluationResult {
  dataset: { name: string; split: string; documents: number; queries: number; files: BeirDataset['files'] };
  firstStage: { kind: 'bm25' | 'run'; source: string };
  k: number;
  model?: string;
  instruction?: string;
  /** Evaluated query ids (the sample when `queries` was set). */
  queryIds: string[];
  stages: { first_stage: StageReport; reranked?: StageReport };
  /** Prompt tokens the reranker read (cached queries included, as recorded when they were scored). */
  tokensScored: number;
  documentsScored: number;
  /** Queries whose scores came from the cache file. */
  cachedQueries: number;
  /** With `evidence`: how the evidence spans meet the rationales. */
  evidence?: EvidenceEvaluation;
  durationMs: number;
}

/**
 * Evaluates the first stage (BM25 or a given run) and, with a reranker, the first stage's top `k` reranked,
 * with trec_eval metrics over the same queries.
 */
export async function runEvaluation(dataset: BeirDataset, options: EvaluationOptions = {}): Promise<EvaluationResult> {
  const started = performance.now();
  const k = options.k ?? 100;
  if (options.evidence && !options.reranker) throw new InvalidInputError('evidence', 'evidence spans need a reranker');
  const queryIds = options.queries === undefined ? [...dataset.queries.keys()] : sampleQueryIds(dataset.queries.keys(), options.queries, options.seed ?? 1);
  const progress = (stage: EvaluationProgress['stage'], done: number, total: number): void => options.onProgress?.({ stage, done, total });

  // First stage.
  const firstRun = new Map<string, ScoredDocument[]>();
  const firstLatency: number[] = [];
  if (options.run) {
    for (const queryId of queryIds) firstRun.set(queryId, orderLikeTrecEval(options.run.documents.get(queryId) ?? []).slice(0, Math.max(k, 100)));
    // A run of another dataset (or split) would score nothing and report all-zero metrics as if measured.
    if (![...firstRun.values()].some((documents) => documents.some((doc) => dataset.corpus.has(doc.docId)))) {
      throw new InvalidInputError(
        'run',
        `${options.run.source} names no document of ${dataset.name} for its ${queryIds.length} evaluated queries: is it a run of another dataset or split?`,
      );
    }
  } else {
    progress('index', 0, dataset.corpus.size);
    const retriever = createBm25Retriever(dataset.corpus.values(), options.cjk ? { cjk: options.cjk } : {});
    progress('index', dataset.corpus.size, dataset.corpus.size);
    try {
      queryIds.forEach((queryId, index) => {
        const queryStarted = performance.now();
        // Depth max(k, 100) so that Recall@100 is measured on a full 100 even when fewer are reranked.
        firstRun.set(queryId, retriever.search(dataset.queries.get(queryId)!, Math.max(k, 100)));
        firstLatency.push(performance.now() - queryStarted);
        progress('first_stage', index + 1, queryIds.length);
      });
    } finally {
      retriever.close();
    }
  }
  const firstEvaluation = evaluateRun(firstRun, dataset.qrels, queryIds);
  const result: EvaluationResult = {
    dataset: { name: dataset.name, split: dataset.split, documents: dataset.corpus.size, queries: dataset.queries.size, files: dataset.files },
    firstStage: options.run ? { kind: 'run', source: options.run.source } : { kind: 'bm25', source: 'FTS5 BM25 (k1=1.2, b=0.75)' },
    k,
    queryIds,
    stages: { first_stage: { metrics: firstEvaluation.mean, latencyMs: summarizeLatency(firstLatency), perQuery: firstEvaluation.perQuery, run: firstRun } },
    tokensScored: 0,
    documentsScored: 0,
    cachedQueries: 0,
    durationMs: 0,
    ...(options.instruction === undefined ? {} : { instruction: options.instruction }),
  };

  if (options.reranker) {
    const { reranker } = options;
    result.model = reranker.info.model;
    const cache = options.cacheFile ? new ScoreJournal(options.cacheFile, { model: reranker.info.model, instruction: options.instruction ?? null }) : undefined;
    const rerankedRun = new Map<string, ScoredDocument[]>();
    const latency: number[] = [];
    progress('reranked', 0, queryIds.length);
    for (const [index, queryId] of queryIds.entries()) {
      throwIfAborted(options.signal);
      const candidates = orderLikeTrecEval(firstRun.get(queryId) ?? []).slice(0, k).filter((doc) => dataset.corpus.has(doc.docId));
      const docIds = candidates.map((doc) => doc.docId);
      let scored = cache?.lookup(queryId, docIds);
      if (scored) result.cachedQueries++;
      else {
        const queryStarted = performance.now();
        const response = await reranker.rerank(dataset.queries.get(queryId)!, docIds.map((id) => corpusDocumentText(dataset.corpus.get(id)!)), {
          ...(options.instruction === undefined ? {} : { instruction: options.instruction }),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        // Ranked by logit: probabilities saturate at 1.0 for confident documents and would tie.
        scored = {
          scores: new Map(response.results.map((r) => [docIds[r.index]!, r.logit])),
          durationMs: performance.now() - queryStarted,
          tokens: response.usage.inputTokens,
        };
        cache?.store(queryId, scored);
      }
      rerankedRun.set(queryId, withFirstStageTail(docIds.map((docId) => ({ docId, score: scored.scores.get(docId)! })), firstRun.get(queryId) ?? [], k));
      latency.push(scored.durationMs);
      result.tokensScored += scored.tokens;
      result.documentsScored += docIds.length;
      progress('reranked', index + 1, queryIds.length);
    }
    const evaluation = evaluateRun(rerankedRun, dataset.qrels, queryIds);
    result.stages.reranked = { metrics: evaluation.mean, latencyMs: summarizeLatency(latency), perQuery: evaluation.perQuery, run: rerankedRun };
    if (options.evidence) {
      const context = { reranker, k, ...(options.instruction === undefined ? {} : { instruction: options.instruction }), ...(options.signal ? { signal: options.signal } : {}) };
      result.evidence = await evaluateEvidence(dataset, rerankedRun, queryIds, context, options.evidence);
    }
  }
  result.durationMs = performance.now() - started;
  return result;
}

/**
 * The reranked top k followed by the first stage's documents below k, in their first-stage order (the pipeline a
 * user runs: only the top k are rescored), so Recall@100 stays comparable when k < 100.
 */
function withFirstStageTail(reranked: ScoredDocument[], firstStage: readonly ScoredDocument[], k: number): ScoredDocument[] {
  const tail = orderLikeTrecEval(firstStage).slice(k);
  if (tail.length === 0) return reranked;
  const floor = Math.min(...reranked.map((doc) => doc.score), 0);
  return [...reranked, ...tail.map((doc, index) => ({ docId: doc.docId, score: floor - 1 - index }))];
}
