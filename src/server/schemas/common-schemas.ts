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

/** Not found in other servers: each returned result's best sentences, scored by the same model (docs/http-api.md
 * "Evidence"). */
export const EvidenceField = Type.Optional(
  Type.Integer({
    minimum: 1,
    description: "Give each returned result (after top_n and min_score) its best N evidence spans (sentences), each scored as a document of its own; their prompts count in the usage tokens. Absent: no evidence",
  }),
);

/** A result's `evidence` items: the library's `EvidenceSpan` as it is. */
export const EvidenceResponse = Type.Optional(
  Type.Array(
    Type.Object({
      start: Type.Integer({ description: 'Offset in the document text (UTF-16 code units, as JavaScript strings)' }),
      end: Type.Integer(),
      text: Type.String({ description: 'The document text from start to end' }),
      score: Type.Number({ description: 'Relevance probability of the span' }),
      logit: Type.Number(),
    }),
    { description: 'With evidence: N: at most N spans, best first' },
  ),
);

export const MinScoreField = Type.Optional(
  Type.Number({ minimum: 0, maximum: 1, description: 'Drop results whose relevance score (probability) is below this. Default: 0' }),
);

/** `top_n: 0` means "all" as in vLLM (`request.top_n if request.top_n > 0 else len(documents)`,
 * vllm-project/vllm vllm/entrypoints/openai/serving_score.py). Above the documents-per-request limit it is a 400. */
export const TopNField = Type.Optional(
  Type.Integer({ minimum: 0, description: 'Return only the best N results; 0 or absent returns all' }),
);

/** The served model's name (src/server/served-model.ts): with `--served-model-name`, another name is a 404 as in vLLM;
 * without it any name is accepted (stock clients must send one) and responses carry the served name. */
export const ModelField = Type.Optional(
  Type.String({ description: 'Served model name. With --served-model-name set, another name is a 404; otherwise any name is accepted' }),
);

/** vLLM's `priority` (vllm/entrypoints/pooling/score/protocol.py) and Cohere's `priority`. Requests here are served
 * first come, first served, i.e. all at priority 0; another value is a 400, as vLLM answers it without
 * `--scheduling-policy priority` (vllm/v1/engine/processor.py: "Got priority … but Priority scheduling is not enabled"). */
export const PriorityField = Type.Optional(
  Type.Integer({ description: '0 (the default; requests are served first come, first served). Another value is a 400' }),
);

/** vLLM's `truncate_prompt_tokens` (`-1` = the model's maximum). Here it caps the whole prompt (`maxLength`). */
export const TruncatePromptTokensField = Type.Optional(
  Type.Union([Type.Integer({ minimum: -1 }), Type.Null()], { description: 'Cap on prompt tokens (instruction + query + document); -1 or null: the server default' }),
);

/** vLLM's `use_activation` (protocol.py `ClassifyRequestMixin`): false returns the raw logit instead of sigmoid. */
export const UseActivationField = Type.Optional(
  Type.Union([Type.Boolean(), Type.Null()], { description: 'false: return logit("yes") - logit("no") instead of its sigmoid. Default: true' }),
);

/** TEI's `raw_scores` (router/src/http/types.rs `RerankRequest`) and Infinity's (`RerankInput`,
 * michaelfeil/infinity libs/infinity_emb/infinity_emb/fastapi_schemas/pymodels.py): the score before the sigmoid. */
export const RawScoresField = Type.Optional(
  Type.Boolean({ description: 'true: return logit("yes") - logit("no") instead of its sigmoid. Default: false' }),
);

/** Cohere's `max_chunks_per_doc` (v1, and v2 in cohere-ai 7.x; https://docs.cohere.com/v1/reference/rerank), which
 * `@langchain/cohere` sends (possibly null) on every call. Documents here are never split into chunks: the body is
 * truncated to the prompt limit, one chunk per document, within any maximum. */
export const MaxChunksPerDocField = Type.Optional(
  Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
    description: 'Cohere: the most chunks a document is split into. Here every document is one chunk (truncated, never split), which any value allows',
  }),
);

/** Cohere's `rank_fields` (v1, and v2 in cohere-ai 7.x; https://docs.cohere.com/v1/reference/rerank). A document
 * object here has one field, `text`, and that is what is ranked; naming another field is a 400. */
export const RankFieldsField = Type.Optional(
  Type.Array(Type.Literal('text'), { description: 'Cohere: the document fields ranked. A document here has one field, so only ["text"]; another field is a 400' }),
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
  404: ErrorResponse,
  413: ErrorResponse,
  415: ErrorResponse,
  422: ErrorResponse,
  429: ErrorResponse,
  503: ErrorResponse,
};

export const UsageResponse = Type.Object({ prompt_tokens: Type.Integer(), total_tokens: Type.Integer() });
