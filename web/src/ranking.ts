/** Turning scores into what the views show: ranks, movement, the threshold, and the comparison of two runs. */
import type { EvidenceSpan } from '../../src/spec/types.js';

/** The best-scoring window of a long document (`long_documents: "windows"`), as `/api/rerank` sends it. */
export interface WindowWire {
  index: number;
  count: number;
  start_token: number;
  end_token: number;
  text?: string;
}

/** One document's score, in input order. */
export interface ScoredDocument {
  /** 0-based position in the pasted list. */
  index: number;
  text: string;
  /** Relevance probability in [0, 1]. */
  score: number;
  /** logit("yes") − logit("no"). */
  logit: number;
  /** Prompt tokens the judge read (all windows in windows mode). */
  inputTokens: number;
  /** Answered from the server's score cache. */
  cached: boolean;
  window: WindowWire | null;
  /** The document's best spans, best first (a run with `evidence: N`); null without evidence. */
  evidence: EvidenceSpan[] | null;
}

export interface RankedDocument extends ScoredDocument {
  /** 1-based rank after reranking. */
  rank: number;
  /** Places moved up from the input position (positive = up, negative = down). */
  movement: number;
  /** Score under the minimum score: shown dimmed, and past the threshold line on the chart. */
  belowMinScore: boolean;
}

export interface RankOptions {
  /** Keep the best `topN` (0 or absent: all). */
  topN?: number;
  minScore: number;
}

/** Best first; ties keep input order (a stable, reproducible ranking). */
export function rankDocuments(scored: readonly ScoredDocument[], options: RankOptions): RankedDocument[] {
  const ranked = [...scored]
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((doc, position) => ({
      ...doc,
      rank: position + 1,
      movement: doc.index - position,
      belowMinScore: doc.score < options.minScore,
    }));
  return options.topN ? ranked.slice(0, options.topN) : ranked;
}

/** A document in run B, with where it stood in run A. */
export interface ComparedDocument extends RankedDocument {
  rankInA: number;
  scoreInA: number;
  /** Places moved up from run A to run B. */
  rankChange: number;
}

export interface Comparison {
  a: RankedDocument[];
  b: ComparedDocument[];
  /** Kendall's tau-a between the two full rankings, in [−1, 1]; 1 = identical order. */
  kendallTau: number;
  /** Documents both runs put in their top `k`. */
  topOverlap: { k: number; shared: number };
}

/** Compares two runs over the same documents. Rank changes are computed on the full rankings, before top-N. */
export function compareRuns(scoredA: readonly ScoredDocument[], scoredB: readonly ScoredDocument[], options: RankOptions): Comparison {
  const fullA = rankDocuments(scoredA, { minScore: options.minScore });
  const fullB = rankDocuments(scoredB, { minScore: options.minScore });
  const inA = new Map(fullA.map((doc) => [doc.index, doc]));
  const b = fullB.map((doc) => {
    const before = inA.get(doc.index);
    const rankInA = before?.rank ?? doc.rank;
    return { ...doc, rankInA, scoreInA: before?.score ?? Number.NaN, rankChange: rankInA - doc.rank };
  });
  const k = Math.min(options.topN || 3, fullA.length);
  const topA = new Set(fullA.slice(0, k).map((doc) => doc.index));
  const shared = fullB.slice(0, k).filter((doc) => topA.has(doc.index)).length;
  const cut = <T>(list: T[]): T[] => (options.topN ? list.slice(0, options.topN) : list);
  return { a: cut(fullA), b: cut(b), kendallTau: kendallTau(b.map((doc) => doc.rankInA)), topOverlap: { k, shared } };
}

/**
 * Kendall's tau-a of a permutation against the identity: (concordant − discordant) / (n(n−1)/2)
 * (Kendall 1938; https://en.wikipedia.org/wiki/Kendall_rank_correlation_coefficient). O(n²), fine for a page.
 */
function kendallTau(ranksInA: readonly number[]): number {
  const n = ranksInA.length;
  if (n < 2) return 1;
  let balance = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) balance += Math.sign((ranksInA[j] as number) - (ranksInA[i] as number));
  }
  return balance / ((n * (n - 1)) / 2);
}
