import { Type } from 'typebox';
import { EvidenceField, EvidenceResponse, strict } from './common-schemas.js';

/** `POST /api/kb/{name}/search` (src/server/routes/kb-routes.ts). */
export const KbSearchParams = Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$', description: 'Knowledge base name' }) });

export const KbSearchBody = Type.Object(
  {
    query: Type.String({ minLength: 1, description: 'The search query' }),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'First-stage candidates. Default: 50' })),
    top_n: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Results kept after reranking. Default: 5' })),
    min_score: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Drop reranked results below this probability. Default: 0' })),
    rerank: Type.Optional(Type.Boolean({ description: 'Rerank the candidates. Default: true when the server has a reranker' })),
    retrieval: Type.Optional(Type.Union([Type.Literal('bm25'), Type.Literal('vector'), Type.Literal('hybrid')], { description: 'First stage. Default: bm25' })),
    instruction: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: "Reranker task instruction. Absent or null: the model card's" })),
    // Needs reranking: with `rerank: false` it is a 400 naming `evidence`.
    evidence: EvidenceField,
  },
  strict,
);

export const KbHit = Type.Object({
  rank: Type.Integer({ description: '1-based rank after reranking (the first-stage rank when not reranked)' }),
  score: Type.Union([Type.Number(), Type.Null()], { description: 'Reranker relevance probability; null when not reranked' }),
  first_stage_rank: Type.Integer(),
  first_stage_score: Type.Number({ description: 'BM25 score, cosine similarity or RRF score' }),
  text: Type.String(),
  path: Type.String({ description: 'Source file as ingested' }),
  page: Type.Union([Type.Integer(), Type.Null()]),
  heading: Type.Union([Type.String(), Type.Null()]),
  position: Type.Integer({ description: '0-based chunk position in its file' }),
  // Offsets in the hit's `text` (the chunk text; a span of the heading the reranker also read is left out).
  evidence: EvidenceResponse,
});

export const KbSearchResponse = Type.Object({
  query: Type.String(),
  knowledge_base: Type.String(),
  retrieval: Type.String(),
  reranked: Type.Boolean(),
  model: Type.Union([Type.String(), Type.Null()]),
  candidates: Type.Integer({ description: 'First-stage candidates retrieved' }),
  results: Type.Array(KbHit),
  usage: Type.Object({
    input_tokens: Type.Integer({ description: 'Prompt tokens the reranker read (evidence spans included)' }),
    evidence_spans: Type.Optional(Type.Integer({ description: 'With `evidence`: the spans scored' })),
  }),
  timings_ms: Type.Object({ first_stage: Type.Number(), rerank: Type.Number() }),
});
