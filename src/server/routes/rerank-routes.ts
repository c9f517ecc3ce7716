import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { InvalidInputError, type DocumentInput, type RerankResponse, type ResolvedRerankOptions } from '../../index.js';
import { checkWorkload } from '../server-limits.js';
import { errorResponses } from '../schemas/common-schemas.js';
import {
  CohereRerankBody,
  CohereRerankResponse,
  JinaRerankResponse,
  RerankBody,
  TeiRerankResponse,
} from '../schemas/rerank-schemas.js';
import { resolveWireOptions, responseId, type RouteContext } from './route-context.js';

/** Cohere bills one search unit per query with up to 100 documents
 * (https://docs.cohere.com/docs/how-does-cohere-pricing-work); reported so Cohere clients see a familiar meta. */
const DOCUMENTS_PER_SEARCH_UNIT = 100;


/** Cohere v2 `/v2/rerank`, and `/v1/rerank` + `/rerank` (Jina / vLLM / llama.cpp, or TEI when the body has `texts`). */
export const rerankRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, context) => {
  const { service, limits, metrics } = context;

  async function rerank(
    reply: FastifyReply,
    query: string,
    documents: readonly DocumentInput[],
    options: ResolvedRerankOptions,
  ): Promise<RerankResponse> {
    checkWorkload(limits, { options, queries: [{ field: 'query', text: query }], groups: [{ queryIndex: 0, documents }] });
    const response = await service.run(reply, (reranker, signal) => reranker.rerank(query, documents, { ...options, signal }));
    metrics.observeUsage(response.usage);
    return response;
  }

  /** Cohere v2: results carry `index` and `relevance_score`; `meta` reports billed search units and tokens. */
  async function cohereRerank(body: CohereRerankBody, reply: FastifyReply): Promise<CohereRerankResponse> {
    const options = resolveWireOptions(
      service.reranker(),
      { instruction: body.instruction, topN: body.top_n, minScore: body.min_score, maxLength: body.max_tokens_per_doc },
      { maxLength: 'max_tokens_per_doc' },
    );
    const response = await rerank(reply, body.query, body.documents, options);
    return {
      id: responseId('rerank'),
      results: response.results.map((r) => ({ index: r.index, relevance_score: r.score })),
      meta: {
        api_version: { version: '2' },
        billed_units: { search_units: Math.max(1, Math.ceil(response.usage.documents / DOCUMENTS_PER_SEARCH_UNIT)) },
        tokens: { input_tokens: response.usage.inputTokens, output_tokens: 0 },
      },
    };
  }

  /** Jina / vLLM / llama.cpp shape, or the TEI shape when the body has `texts`. */
  async function jinaOrTeiRerank(body: RerankBody, reply: FastifyReply): Promise<JinaRerankResponse | TeiRerankResponse> {
    if (body.documents && body.texts) throw new InvalidInputError('texts', 'send either "documents" or "texts" (TEI), not both');
    const input = body.texts ?? body.documents;
    if (!input) throw new InvalidInputError('documents', 'documents is required (or "texts" for the TEI shape)');
    if (body.truncation_direction === 'left' || body.truncation_direction === 'Left') {
      throw new InvalidInputError('truncation_direction', 'only right truncation is supported: the Qwen3 reference cuts the end of the document body');
    }
    const options = resolveWireOptions(
      service.reranker(),
      { instruction: body.instruction, topN: body.top_n, minScore: body.min_score, maxLength: body.truncate_prompt_tokens },
      { maxLength: 'truncate_prompt_tokens' },
    );
    const response = await rerank(reply, body.query, input, options);
    if (body.texts) {
      // TEI: `score` is the sigmoid unless raw_scores (router/src/http/types.rs `Rank`), sorted best first.
      return response.results.map((r) => ({
        index: r.index,
        score: body.raw_scores ? r.logit : r.score,
        ...(body.return_text ? { text: r.document.text } : {}),
      }));
    }
    const returnDocuments = body.return_documents ?? true;
    return {
      id: responseId('rerank'),
      model: response.model,
      usage: { prompt_tokens: response.usage.inputTokens, total_tokens: response.usage.inputTokens },
      results: response.results.map((r) => ({
        index: r.index,
        relevance_score: body.use_activation === false ? r.logit : r.score,
        ...(returnDocuments ? { document: { text: r.document.text } } : {}),
      })),
    };
  }

  app.post(
    '/v2/rerank',
    {
      schema: {
        summary: 'Cohere v2 rerank',
        description: 'Drop-in for https://docs.cohere.com/reference/rerank (works with the official cohere-ai SDK).',
        tags: ['rerank'],
        body: CohereRerankBody,
        response: { 200: CohereRerankResponse, ...errorResponses },
      },
    },
    (request, reply) => cohereRerank(request.body, reply),
  );

  for (const url of ['/v1/rerank', '/rerank']) {
    app.post(
      url,
      {
        schema: {
          summary: 'Rerank (Jina / vLLM / llama.cpp shape, or TEI shape when the body has "texts")',
          tags: ['rerank'],
          body: RerankBody,
          response: { 200: Type.Union([JinaRerankResponse, TeiRerankResponse]), ...errorResponses },
        },
      },
      (request, reply) => jinaOrTeiRerank(request.body, reply),
    );
  }
};
