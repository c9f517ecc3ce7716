import type { SearchHit, SearchResult } from './search-types.js';

/** The JSON (snake_case) form of a search hit, as `kb search --json` prints it and `POST /api/kb/{name}/search`
 * answers it: one serializer for both. */
export function searchHitJson(hit: SearchHit) {
  return {
    rank: hit.rank,
    score: hit.score ?? null,
    first_stage_rank: hit.firstStageRank,
    first_stage_score: hit.firstStageScore,
    text: hit.chunk.text,
    path: hit.chunk.path,
    page: hit.chunk.page ?? null,
    heading: hit.chunk.heading ?? null,
    position: hit.chunk.position,
    ...(hit.evidence ? { evidence: hit.evidence } : {}),
  };
}

/** The JSON form of a search result (hits as `searchHitJson`, times in ms to 0.1). */
export function searchResultJson(result: SearchResult) {
  return {
    query: result.query,
    retrieval: result.retrieval,
    reranked: result.reranked,
    candidates: result.candidates.length,
    results: result.results.map(searchHitJson),
    usage: { input_tokens: result.rerankTokens, ...(result.evidenceSpans === undefined ? {} : { evidence_spans: result.evidenceSpans }) },
    timings_ms: { first_stage: roundTenth(result.timings.firstStageMs), rerank: roundTenth(result.timings.rerankMs) },
  };
}

function roundTenth(ms: number): number {
  return Math.round(ms * 10) / 10;
}
