import { InvalidInputError } from '../../spec/errors.js';
import type { Embedder } from '../embed/embedder.js';
import type { KnowledgeBaseStore } from '../store/kb-store.js';
import { reciprocalRankFusion } from './reciprocal-rank-fusion.js';

/** First-stage retriever: BM25 (FTS5), vectors (sqlite-vec), or both fused by reciprocal rank. */
export type RetrievalMode = 'bm25' | 'vector' | 'hybrid';

export interface Candidate {
  chunkId: number;
  /** 1-based rank in the first stage. */
  rank: number;
  /** BM25 score, cosine similarity, or RRF score, by mode. */
  score: number;
}

/** The `k` best chunks for `query` from the first stage. */
export async function retrieveCandidates(
  store: KnowledgeBaseStore,
  embedder: Embedder | undefined,
  query: string,
  mode: RetrievalMode,
  k: number,
): Promise<Candidate[]> {
  const lexical = (): Array<{ id: number; score: number }> => store.searchLexical(query, k).map((hit) => ({ id: hit.rowid, score: hit.score }));
  const vector = async (): Promise<Array<{ id: number; score: number }>> => {
    if (!embedder) throw new InvalidInputError('retrieval', `retrieval "${mode}" needs an embedding model`);
    store.assertEmbeddingModel(embedder.model, embedder.dimensions);
    const hits = store.searchVector(await embedder.embedQuery(query), k);
    return hits.map((hit) => ({ id: hit.rowid, score: 1 - hit.distance }));
  };
  let ranked: Array<{ id: number; score: number }>;
  if (mode === 'bm25') ranked = lexical();
  else if (mode === 'vector') ranked = await vector();
  else {
    const lists = [lexical(), await vector()];
    ranked = reciprocalRankFusion(lists.map((list) => list.map((hit) => hit.id)))
      .slice(0, k)
      .map((item) => ({ id: item.id, score: item.score }));
  }
  return ranked.map((hit, index) => ({ chunkId: hit.id, rank: index + 1, score: hit.score }));
}
