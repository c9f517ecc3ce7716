import type { EvidenceSpan } from '../index.js';
import type { RetrievalMode } from './retrieve/first-stage.js';
import type { StoredChunk } from './store/kb-store.js';

/** What a knowledge-base search takes and returns: its own file, so `ask` and the knowledge base share the types
 * without importing each other. */
export interface SearchOptions {
  /** First-stage candidates handed to the reranker. Default: 50. */
  k?: number;
  /** Results kept after reranking. Default: 5. */
  topN?: number;
  /** Drop reranked results below this relevance probability (needs a reranker). Default: 0. */
  minScore?: number;
  /** First stage. Default: `'hybrid'` when the knowledge base has vectors and an embedder was given, else `'bm25'`. */
  retrieval?: RetrievalMode;
  /** Rerank the candidates. Default: true when a reranker was given. */
  rerank?: boolean;
  /** Reranker task instruction. Default: the reranker's default (the model card's). */
  instruction?: string;
  /** Give each result its best N evidence spans (`rerank(…, { evidence })`; needs the reranker). An integer ≥ 1.
   * Default: off. */
  evidence?: number;
  signal?: AbortSignal;
  /** Reranking progress (documents scored so far, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface SearchHit {
  chunk: StoredChunk;
  /** 1-based rank and score in the first stage (BM25, cosine similarity or RRF). */
  firstStageRank: number;
  firstStageScore: number;
  /** 1-based rank after reranking (equal to `firstStageRank` when not reranked). */
  rank: number;
  /** Reranker relevance probability; absent when not reranked. */
  score?: number;
  /** With `evidence`: the best spans, best first, with offsets in `chunk.text` (a span of the heading the reranker
   * also read is left out). */
  evidence?: EvidenceSpan[];
}

export interface SearchResult {
  query: string;
  retrieval: RetrievalMode;
  reranked: boolean;
  /** All first-stage candidates, in first-stage order. */
  candidates: SearchHit[];
  /** The final results: reranked, above `minScore`, at most `topN`. */
  results: SearchHit[];
  timings: { firstStageMs: number; rerankMs: number };
  /** Prompt tokens the reranker read (evidence spans included). */
  rerankTokens: number;
  /** With `evidence`: the spans the reranker scored. */
  evidenceSpans?: number;
}
