/**
 * qwen-ranker as a Vercel AI SDK reranking model: `rerank({ model: createRerankingModel(reranker), query, documents })`
 * with `ai@6` (which accepts `specificationVersion: 'v3'` models). Interface: `RerankingModelV3` in
 * vercel/ai packages/provider/src/reranking-model/v3/reranking-model-v3.ts.
 */
import type { JSONObject, JSONValue, RerankingModelV3, RerankingModelV3CallOptions } from '@ai-sdk/provider';
import { Type, type Static } from 'typebox';
import Value from 'typebox/value';
import { InvalidInputError, type Reranker, type RerankOptions, type RerankResponse } from '../../index.js';

/** The provider name: the key of `providerOptions` and `providerMetadata`. */
export const PROVIDER = 'qwen-ranker';

/** `providerOptions['qwen-ranker']`: the library's scoring options that fit in JSON. Unknown keys are refused. */
export const QwenRankerProviderOptions = Type.Object(
  {
    instruction: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    minScore: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1 })),
    longDocuments: Type.Optional(Type.Union([Type.Literal('truncate'), Type.Literal('windows')])),
  },
  { additionalProperties: false },
);
export type QwenRankerProviderOptions = Static<typeof QwenRankerProviderOptions>;

/**
 * Wraps a reranker (local or remote, from `createReranker`) as an AI SDK reranking model. Results come back best
 * first (the SDK keeps the model's order); `abortSignal` cancels queued scoring; logits, token counts and cache
 * hits are in `providerMetadata['qwen-ranker']`. `defaults` apply to every call; `providerOptions` override them.
 */
export function createRerankingModel(reranker: Reranker, defaults: QwenRankerProviderOptions = {}): RerankingModelV3 {
  return {
    specificationVersion: 'v3',
    provider: PROVIDER,
    modelId: reranker.info.model,
    async doRerank(options: RerankingModelV3CallOptions) {
      const response = await reranker.rerank(options.query, documentTexts(options.documents), {
        ...defaults,
        ...readProviderOptions(options.providerOptions?.[PROVIDER]),
        topN: options.topN,
        signal: options.abortSignal,
      } satisfies RerankOptions);
      return {
        ranking: response.results.map((r) => ({ index: r.index, relevanceScore: r.score })),
        providerMetadata: { [PROVIDER]: metadata(response) },
        response: { modelId: response.model },
      };
    },
  };
}

/** Object documents are sent as their JSON text, as the SDK's own Cohere provider does
 * (vercel/ai packages/cohere/src/reranking/cohere-reranking-model.ts). */
function documentTexts(documents: RerankingModelV3CallOptions['documents']): string[] {
  return documents.type === 'text' ? documents.values : documents.values.map((value: JSONObject) => JSON.stringify(value));
}

function readProviderOptions(options: unknown): QwenRankerProviderOptions {
  if (options === undefined || Value.Check(QwenRankerProviderOptions, options)) return options ?? {};
  const field = `providerOptions.${PROVIDER}`;
  const known = Object.keys(QwenRankerProviderOptions.properties);
  const unknown = typeof options === 'object' && options !== null ? Object.keys(options).find((key) => !known.includes(key)) : undefined;
  if (unknown !== undefined) throw new InvalidInputError(`${field}.${unknown}`, `${field}.${unknown} is not an option; use ${known.join(', ')}`);
  const first = Value.Errors(QwenRankerProviderOptions, options)[0];
  const path = (first?.instancePath ?? '').replaceAll('/', '.');
  throw new InvalidInputError(`${field}${path}`, `${field}${path} ${first?.message ?? 'is invalid'}`);
}

function metadata(response: RerankResponse): Record<string, JSONValue> {
  return {
    instruction: response.instruction,
    usage: { ...response.usage },
    results: response.results.map((r) => ({ index: r.index, logit: r.logit, inputTokens: r.inputTokens, cached: r.cached })),
  };
}
