import { Type } from 'typebox';

/**
 * Fields every rerank endpoint shares. Input schemas are strict (`additionalProperties: false`): a misspelled
 * option is a 400 naming it, not a silently ignored setting.
 */
export const strict = { additionalProperties: false } as const;

/** A document: plain text, or `{text}` as Jina and vLLM accept it (https://jina.ai/reranker/). */
export const DocumentItem = Type.Union([Type.String(), Type.Object({ text: Type.String() }, strict)], {
  description: 'Document text, or an object with a "text" field',
});

export const QueryField = Type.String({ minLength: 1, description: 'The search query' });

/** Not found in other servers: Qwen3-Reranker is instruction-aware, so each request may carry its task. */
export const InstructionField = Type.Optional(
  Type.Union([Type.String(), Type.Null()], {
    description:
      'Task instruction for the judge (Qwen3-Reranker is instruction-aware). Absent or null: the model card\'s web-search instruction; "" is kept as an empty instruction.',
  }),
);

export const MinScoreField = Type.Optional(
  Type.Number({ minimum: 0, maximum: 1, description: 'Drop results whose relevance score (probability) is below this. Default: 0' }),
);

/** `top_n: 0` means "all" as in vLLM (`request.top_n if request.top_n > 0 else len(documents)`,
 * vllm-project/vllm vllm/entrypoints/openai/serving_score.py). Above the documents-per-request limit it is a 400. */
export const TopNField = Type.Optional(
  Type.Integer({ minimum: 0, description: 'Return only the best N results; 0 or absent returns all' }),
);

/** Accepted for wire compatibility: the server serves the model it was started with. */
export const ModelField = Type.Optional(Type.String({ description: 'Ignored: the server serves one model (echoed as the loaded model)' }));

/** vLLM's `priority` (vllm/entrypoints/pooling/score/protocol.py) and Cohere's `priority`: accepted, not used. */
export const PriorityField = Type.Optional(Type.Integer({ description: 'Accepted for compatibility; requests are served first come, first served' }));

/** vLLM's `truncate_prompt_tokens` (`-1` = the model's maximum). Here it caps the whole prompt (`maxLength`). */
export const TruncatePromptTokensField = Type.Optional(
  Type.Union([Type.Integer({ minimum: -1 }), Type.Null()], { description: 'Cap on prompt tokens (instruction + query + document); -1 or null: the server default' }),
);

/** vLLM's `use_activation` (protocol.py `ClassifyRequestMixin`): false returns the raw logit instead of sigmoid. */
export const UseActivationField = Type.Optional(
  Type.Union([Type.Boolean(), Type.Null()], { description: 'false: return logit("yes") - logit("no") instead of its sigmoid' }),
);

/** Cohere's `max_chunks_per_doc` (v1, and v2 in cohere-ai 7.x; https://docs.cohere.com/v1/reference/rerank): accepted
 * and ignored, as `@langchain/cohere` sends it (possibly null) on every call. Documents here are never split into
 * chunks: the body is truncated to the prompt limit (or scored in windows with the native API's `long_documents`). */
export const MaxChunksPerDocField = Type.Optional(
  Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'Cohere: accepted and ignored (documents are truncated, never chunked)' }),
);

/** Cohere's `rank_fields` (v1, and v2 in cohere-ai 7.x; https://docs.cohere.com/v1/reference/rerank): accepted and
 * ignored. A document object here has one field, `text`, and that is what is ranked. */
export const RankFieldsField = Type.Optional(
  Type.Array(Type.String(), { description: 'Cohere: accepted and ignored (the "text" of each document is ranked)' }),
);

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable error code, e.g. invalid_input, limit_exceeded, overloaded' }),
      message: Type.String(),
      field: Type.Union([Type.String(), Type.Null()], { description: 'The offending input as a JSON path' }),
      limit: Type.Optional(Type.String({ description: 'The server limit that was exceeded' })),
      max: Type.Optional(Type.Number({ description: "The limit's value" })),
    }),
  },
  { description: 'Error' },
);

/** Error responses every scoring route can give, for the OpenAPI document. */
export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  413: ErrorResponse,
  415: ErrorResponse,
  422: ErrorResponse,
  429: ErrorResponse,
  503: ErrorResponse,
};

export const UsageResponse = Type.Object({ prompt_tokens: Type.Integer(), total_tokens: Type.Integer() });
