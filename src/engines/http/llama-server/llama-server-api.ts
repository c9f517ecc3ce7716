import Type from 'typebox';

/**
 * llama.cpp's `llama-server --reranking`, `POST /v1/rerank` (aliases `/rerank`, `/reranking`, `/v1/reranking`;
 * https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md "POST /reranking").
 */
export interface LlamaServerApiRerankRequest {
  /** Ignored by llama-server, echoed back. */
  model?: string;
  query: string;
  documents: string[];
  /** llama-server cuts the sorted results to `top_n` (`format_response_rerank` in tools/server/server-common.cpp),
   * so it is always the batch size. */
  top_n: number;
}

/** `format_response_rerank` (tools/server/server-common.cpp): results sorted by score, `usage.prompt_tokens` the
 * sum of `tokens_evaluated` over the documents. */
export const LlamaServerApiRerankResponse = Type.Object({
  results: Type.Array(Type.Object({ index: Type.Integer(), relevance_score: Type.Number() })),
  usage: Type.Optional(Type.Object({ prompt_tokens: Type.Optional(Type.Integer({ minimum: 0 })) })),
});
