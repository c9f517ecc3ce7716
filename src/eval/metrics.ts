/**
 * Retrieval metrics with `trec_eval` semantics, so numbers compare with published tables (BEIR, MTEB, Pyserini).
 * Sources (https://github.com/usnistgov/trec_eval): ranking order `form_res_rels.c` (`comp_sim_docno`), nDCG
 * `m_ndcg_cut.c`, recall `m_recall.c`, reciprocal rank `m_recip_rank.c`, success `m_success.c`,
 * judged non-relevant `m_num_nonrel_judged_ret.c`. Relevance level 1 (trec_eval's default `-l 1`).
 */

/** Graded judgments of one query: document id → grade (0 = judged non-relevant). */
export type Judgments = ReadonlyMap<string, number>;

/** Judgments of every query: query id → its judgments. */
export type Qrels = ReadonlyMap<string, Judgments>;

/** One retrieved document with the score that ranks it. */
export interface ScoredDocument {
  docId: string;
  score: number;
}

/** Retrieved documents per query id (any order: `orderLikeTrecEval` ranks them). */
export type Run = ReadonlyMap<string, readonly ScoredDocument[]>;

/** The metrics every stage reports, in report order. */
export const METRIC_NAMES = ['ndcg@10', 'mrr@10', 'recall@10', 'recall@100', 'hit@5', 'nonrelevant@5'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type MetricValues = Record<MetricName, number>;

/** trec_eval's default relevance level: grades ≥ 1 are relevant. */
const RELEVANCE_LEVEL = 1;

/**
 * Ranks like trec_eval: by score descending, ties broken by document id descending (`comp_sim_docno` in
 * `form_res_rels.c` uses `strcmp(docno2, docno1)`). The rank column of a run file is ignored, as trec_eval does.
 * Compares UTF-16 code units, which equals strcmp's byte order for every id without astral characters.
 */
export function orderLikeTrecEval(documents: readonly ScoredDocument[]): ScoredDocument[] {
  return [...documents].sort((a, b) => b.score - a.score || (a.docId < b.docId ? 1 : a.docId > b.docId ? -1 : 0));
}

/** Relevance grade of each ranked document (0 for unjudged: trec_eval counts them as non-relevant). */
function gradesOf(ranking: readonly string[], judgments: Judgments): number[] {
  return ranking.map((docId) => judgments.get(docId) ?? 0);
}

function relevantCount(judgments: Judgments): number {
  let count = 0;
  for (const grade of judgments.values()) if (grade >= RELEVANCE_LEVEL) count++;
  return count;
}

/**
 * nDCG@k (`ndcg_cut.k`): linear gains (the grade), discount log2(rank + 1), ideal DCG from all judged documents
 * of the query (not only the retrieved ones), 0 when the query has no document with a positive grade.
 */
export function ndcgAt(k: number, ranking: readonly string[], judgments: Judgments): number {
  const dcg = discountedGain(gradesOf(ranking.slice(0, k), judgments));
  const ideal = discountedGain([...judgments.values()].sort((a, b) => b - a).slice(0, k));
  return ideal > 0 ? dcg / ideal : 0;
}

function discountedGain(grades: readonly number[]): number {
  let sum = 0;
  grades.forEach((grade, index) => {
    if (grade > 0) sum += grade / Math.log2(index + 2);
  });
  return sum;
}

/** MRR@k: 1/rank of the first relevant document within the top k, else 0 (`trec_eval -M k -m recip_rank`). */
export function reciprocalRankAt(k: number, ranking: readonly string[], judgments: Judgments): number {
  const index = gradesOf(ranking.slice(0, k), judgments).findIndex((grade) => grade >= RELEVANCE_LEVEL);
  return index < 0 ? 0 : 1 / (index + 1);
}

/** Recall@k (`recall.k`): relevant documents in the top k over all relevant documents; 0 when there are none. */
export function recallAt(k: number, ranking: readonly string[], judgments: Judgments): number {
  const total = relevantCount(judgments);
  if (total === 0) return 0;
  return gradesOf(ranking.slice(0, k), judgments).filter((grade) => grade >= RELEVANCE_LEVEL).length / total;
}

/** Hit rate@k (`success.k`, top-k accuracy): 1 when a relevant document is in the top k, else 0. */
export function hitAt(k: number, ranking: readonly string[], judgments: Judgments): number {
  return reciprocalRankAt(k, ranking, judgments) > 0 ? 1 : 0;
}

/**
 * Share of the top k that is *judged* non-relevant (in the qrels with a grade below 1), over k like P@k.
 * Unjudged documents do not count: on sets that judge only positives (SciFact) this is 0 by construction; on
 * sets with judged negatives (NovelEval) it measures how many known-bad documents reach the user.
 */
export function nonRelevantAt(k: number, ranking: readonly string[], judgments: Judgments): number {
  let count = 0;
  for (const docId of ranking.slice(0, k)) {
    const grade = judgments.get(docId);
    if (grade !== undefined && grade < RELEVANCE_LEVEL) count++;
  }
  return count / k;
}

/** Every metric of `METRIC_NAMES` for one query's ranking (document ids, best first). */
export function evaluateRanking(ranking: readonly string[], judgments: Judgments): MetricValues {
  return {
    'ndcg@10': ndcgAt(10, ranking, judgments),
    'mrr@10': reciprocalRankAt(10, ranking, judgments),
    'recall@10': recallAt(10, ranking, judgments),
    'recall@100': recallAt(100, ranking, judgments),
    'hit@5': hitAt(5, ranking, judgments),
    'nonrelevant@5': nonRelevantAt(5, ranking, judgments),
  };
}

export interface RunEvaluation {
  /** Mean over every evaluated query. */
  mean: MetricValues;
  perQuery: Map<string, MetricValues>;
}

/**
 * Evaluates a run over the queries of `qrels` (or `queryIds`). A query missing from the run scores 0 on every
 * metric, as with `trec_eval -c`, so a retriever cannot gain by returning nothing.
 */
export function evaluateRun(run: Run, qrels: Qrels, queryIds: Iterable<string> = qrels.keys()): RunEvaluation {
  const perQuery = new Map<string, MetricValues>();
  for (const queryId of queryIds) {
    const judgments = qrels.get(queryId) ?? new Map<string, number>();
    const ranking = orderLikeTrecEval(run.get(queryId) ?? []).map((doc) => doc.docId);
    perQuery.set(queryId, evaluateRanking(ranking, judgments));
  }
  return { mean: meanMetrics([...perQuery.values()]), perQuery };
}

/** Arithmetic mean of each metric (trec_eval's `all` line); zeros for an empty list. */
export function meanMetrics(values: readonly MetricValues[]): MetricValues {
  const mean = Object.fromEntries(METRIC_NAMES.map((name) => [name, 0])) as MetricValues;
  if (values.length === 0) return mean;
  for (const name of METRIC_NAMES) mean[name] = values.reduce((sum, v) => sum + v[name], 0) / values.length;
  return mean;
}
