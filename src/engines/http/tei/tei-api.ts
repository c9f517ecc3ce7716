import Type from 'typebox';

/**
 * Hugging Face text-embeddings-inference, `POST /rerank`
 * (https://huggingface.github.io/text-embeddings-inference/#/Text%20Embeddings%20Inference/rerank; request and
 * response types in `router/src/http/types.rs`, `RerankRequest` and `RerankResponse`).
 */
export interface TeiApiRerankRequest {
  query: string;
  texts: string[];
  /** Return the classifier logit instead of its sigmoid. */
  raw_scores: true;
  /** Cut inputs longer than the server's `--max-input-length` instead of answering 413. */
  truncate: true;
  /** Cut from the start, so the template suffix the score is read after survives (`TruncationDirection`). */
  truncation_direction: 'Left';
}

/** A bare array of ranks, sorted by score (`RerankResponse(Vec<Rank>)`). */
export const TeiApiRerankResponse = Type.Array(Type.Object({ index: Type.Integer(), score: Type.Number() }));

/** TEI reports the tokens it computed in a response header (`router/src/http/server.rs`, `x-compute-tokens`). */
export const TEI_TOKENS_HEADER = 'x-compute-tokens';
