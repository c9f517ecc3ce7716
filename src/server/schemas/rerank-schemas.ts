import { Type, type Static } from 'typebox';
import {
  DocumentItem,
  EvidenceField,
  EvidenceResponse,
  InstructionField,
  MaxChunksPerDocField,
  MinScoreField,
  ModelField,
  PriorityField,
  QueryField,
  RankFieldsField,
  RawScoresField,
  TopNField,
  TruncatePromptTokensField,
  UseActivationField,
  UsageResponse,
  strict,
} from './common-schemas.js';

/**
 * Cohere v2 rerank. Request and response as in the official SDK's serializers (cohere-ai/cohere-typescript
 * `src/serialization/resources/v2/client/requests/V2RerankRequest.ts`, `types/V2RerankResponse.ts`, `ApiMeta.ts`)
 * and https://docs.cohere.com/reference/rerank.
 */
export const CohereRerankBody = Type.Object(
  {
    model: ModelField,
    query: QueryField,
    documents: Type.Array(DocumentItem, { minItems: 1 }),
    top_n: TopNField,
    max_tokens_per_doc: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Cap on prompt tokens (instruction + query + document). Default: the server default (8192)' }),
    ),
    priority: PriorityField,
    // cohere-ai 7.x's v2 request (V2RerankRequest.ts) still has these three.
    rank_fields: RankFieldsField,
    return_documents: Type.Optional(
      Type.Boolean({ description: 'Cohere (v1, older v2 clients): include {text} in each result. Default: false (as Cohere)' }),
    ),
    max_chunks_per_doc: MaxChunksPerDocField,
    instruction: InstructionField,
    min_score: MinScoreField,
    evidence: EvidenceField,
  },
  strict,
);
export type CohereRerankBody = Static<typeof CohereRerankBody>;

export const CohereRerankResponse = Type.Object({
  id: Type.String(),
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      relevance_score: Type.Number(),
      document: Type.Optional(Type.Object({ text: Type.String() })),
      evidence: EvidenceResponse,
    }),
  ),
  meta: Type.Object({
    api_version: Type.Object({ version: Type.String() }),
    billed_units: Type.Object({ search_units: Type.Integer() }),
    tokens: Type.Object({ input_tokens: Type.Integer(), output_tokens: Type.Integer() }),
  }),
});
export type CohereRerankResponse = Static<typeof CohereRerankResponse>;

/**
 * `/v1/rerank` and `/rerank`: the Jina shape (https://jina.ai/reranker/) that vLLM (`RerankRequest`,
 * vllm/entrypoints/pooling/score/protocol.py) and llama.cpp's server share, plus TEI's fields. As in llama.cpp's
 * `post_rerank` (ggml-org/llama.cpp tools/server/server-context.cpp), a body with `texts` instead of `documents`
 * is TEI's request (huggingface/text-embeddings-inference router/src/http/types.rs `RerankRequest`) and gets TEI's
 * answer.
 */
export const RerankBody = Type.Object(
  {
    model: ModelField,
    query: QueryField,
    documents: Type.Optional(Type.Array(DocumentItem, { minItems: 1, description: 'Jina / vLLM / llama.cpp shape' })),
    texts: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: "TEI shape: the answer is TEI's [{index, score, text?}]" })),
    top_n: TopNField,
    return_documents: Type.Optional(
      Type.Boolean({ description: 'Documents shape only: include {text} in each result. Default: true (as Jina and vLLM)' }),
    ),
    raw_scores: RawScoresField,
    return_text: Type.Optional(Type.Boolean({ description: 'TEI (texts shape only): include the text in each result. Default: false' })),
    truncate: Type.Optional(
      Type.Union([Type.Boolean(), Type.Null()], {
        description: 'TEI: true or null cuts long documents to the prompt limit (the default here); false refuses (422) a document whose prompt reaches the limit',
      }),
    ),
    truncation_direction: Type.Optional(
      Type.Union([Type.Literal('right'), Type.Literal('Right'), Type.Literal('left'), Type.Literal('Left')], {
        description: 'TEI: only right truncation (cutting the end of the document body) is supported',
      }),
    ),
    truncate_prompt_tokens: TruncatePromptTokensField,
    use_activation: UseActivationField,
    priority: PriorityField,
    // Cohere v1 (https://docs.cohere.com/v1/reference/rerank), which shares this route.
    rank_fields: RankFieldsField,
    max_chunks_per_doc: MaxChunksPerDocField,
    instruction: InstructionField,
    min_score: MinScoreField,
    evidence: EvidenceField,
  },
  strict,
);
export type RerankBody = Static<typeof RerankBody>;

/** Fields of `RerankBody` that only one of its two shapes has: sent with the other shape they are a 400 naming
 * them (each shape says the same thing its own way: `return_text` vs `return_documents`). */
export const TEI_SHAPE_ONLY_FIELDS = ['return_text'] as const satisfies readonly (keyof RerankBody)[];
export const DOCUMENTS_SHAPE_ONLY_FIELDS = ['return_documents', 'rank_fields', 'max_chunks_per_doc'] as const satisfies readonly (keyof RerankBody)[];

export const JinaRerankResponse = Type.Object({
  id: Type.String(),
  model: Type.String(),
  usage: UsageResponse,
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      relevance_score: Type.Number(),
      document: Type.Optional(Type.Object({ text: Type.String() })),
      evidence: EvidenceResponse,
    }),
  ),
});
export type JinaRerankResponse = Static<typeof JinaRerankResponse>;

export const TeiRerankResponse = Type.Array(
  Type.Object({ index: Type.Integer(), score: Type.Number(), text: Type.Optional(Type.String()), evidence: EvidenceResponse }),
);
export type TeiRerankResponse = Static<typeof TeiRerankResponse>;

/** Documents of the native API: `id` and `metadata` come back untouched, as in the library. */
const NativeDocument = Type.Union([
  Type.String(),
  Type.Object(
    {
      text: Type.String(),
      id: Type.Optional(Type.Union([Type.String(), Type.Number()])),
      metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    },
    strict,
  ),
]);

/** `POST /api/rerank`: the library's `rerank()` over HTTP, for one or many queries. */
export const BatchRerankBody = Type.Object(
  {
    queries: Type.Array(QueryField, { minItems: 1 }),
    documents: Type.Array(Type.Union([NativeDocument, Type.Array(NativeDocument, { minItems: 1 })]), {
      minItems: 1,
      description: 'One list for all queries, or one list per query (as many lists as queries)',
    }),
    top_n: TopNField,
    min_score: MinScoreField,
    instruction: InstructionField,
    return_documents: Type.Optional(Type.Boolean({ description: 'Include the document in each result. Default: true' })),
    max_length: Type.Optional(Type.Integer({ minimum: 1, description: 'Prompt token limit (maxLength). Default: 8192' })),
    long_documents: Type.Optional(
      Type.Union([Type.Literal('truncate'), Type.Literal('windows')], { description: 'Long-document handling. Default: truncate' }),
    ),
    evidence: EvidenceField,
  },
  strict,
);
export type BatchRerankBody = Static<typeof BatchRerankBody>;

const NativeResult = Type.Object({
  index: Type.Integer(),
  relevance_score: Type.Number(),
  logit: Type.Number(),
  input_tokens: Type.Integer(),
  cached: Type.Boolean(),
  window: Type.Optional(
    Type.Object({
      index: Type.Integer(),
      count: Type.Integer(),
      start_token: Type.Integer(),
      end_token: Type.Integer(),
      text: Type.Optional(Type.String()),
    }),
  ),
  document: Type.Optional(
    Type.Object({
      text: Type.String(),
      id: Type.Optional(Type.Union([Type.String(), Type.Number()])),
      metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  ),
  evidence: EvidenceResponse,
});

export const BatchRerankResponse = Type.Object({
  id: Type.String(),
  model: Type.String(),
  instruction: Type.String(),
  results: Type.Array(Type.Object({ query_index: Type.Integer(), query: Type.String(), results: Type.Array(NativeResult) })),
  usage: Type.Object({
    documents: Type.Integer(),
    input_tokens: Type.Integer(),
    cached_documents: Type.Integer(),
    evidence_spans: Type.Optional(Type.Integer({ description: 'With evidence: the spans scored' })),
  }),
  duration_ms: Type.Number(),
});
export type BatchRerankResponse = Static<typeof BatchRerankResponse>;
