import Type from 'typebox';

/**
 * Cohere's Rerank v2, `POST /v2/rerank` (https://docs.cohere.com/v2/reference/rerank), also spoken by Jina, Voyage,
 * vLLM and qwen-ranker's own server.
 */
export interface CohereApiRerankRequest {
  /** Required by Cohere itself; servers with one model ignore it. */
  model?: string;
  query: string;
  documents: string[];
  /** All of them: results come back sorted and cut to `top_n`. */
  top_n: number;
}

/** `results[].relevance_score` in [0, 1]. Token counts, when present, are in `meta.tokens.input_tokens` or
 * `meta.billed_units.input_tokens`; Cohere itself bills search units instead. */
export const CohereApiRerankResponse = Type.Object({
  results: Type.Array(Type.Object({ index: Type.Integer(), relevance_score: Type.Number() })),
  meta: Type.Optional(
    Type.Object({
      tokens: Type.Optional(Type.Object({ input_tokens: Type.Optional(Type.Integer({ minimum: 0 })) })),
      billed_units: Type.Optional(Type.Object({ input_tokens: Type.Optional(Type.Integer({ minimum: 0 })) })),
    }),
  ),
});
