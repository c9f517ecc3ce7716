import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import {
  ContextOverflowError,
  InvalidInputError,
  type DocumentInput,
  type RerankResponse,
  type RerankResult,
  type ResolvedRerankOptions,
} from '../../index.js';
import { checkWorkload } from '../server-limits.js';
import { responseModelName } from '../served-model.js';
import { errorResponses } from '../schemas/common-schemas.js';
import {
  CohereRerankBody,
  CohereRerankResponse,
  DOCUMENTS_SHAPE_ONLY_FIELDS,
  JinaRerankResponse,
  RerankBody,
  TEI_SHAPE_ONLY_FIELDS,
  TeiRerankResponse,
} from '../schemas/rerank-schemas.js';
import { evidenceOf, resolveWireOptions, responseId, type RouteContext } from './route-context.js';

/** Cohere bills one search unit per query with up to 100 documents
 * (https://docs.cohere.com/docs/how-does-cohere-pricing-work); reported so Cohere clients see a familiar meta. */
const DOCUMENTS_PER_SEARCH_UNIT = 100;

export interface RerankHandlers {
  /** Cohere v2: results carry `index` and `relevance_score` (and `document` with `return_documents`). */
  cohere(body: CohereRerankBody, reply: FastifyReply): Promise<CohereRerankResponse>;
  /** Jina / vLLM / llama.cpp / Infinity shape, or TEI's when the body has `texts`. */
  jinaOrTei(body: RerankBody, reply: FastifyReply): Promise<JinaRerankResponse | TeiRerankResponse>;
}

/** The rerank handlers, shared by their routes and `POST /invocations`. */
export function createRerankHandlers({ service, limits, metrics, servedModel }: RouteContext): RerankHandlers {
  async function rerank(reply: FastifyReply, query: string, documents: readonly DocumentInput[], options: ResolvedRerankOptions): Promise<RerankResponse> {
    checkWorkload(limits, { options, queries: [{ field: 'query', text: query }], groups: [{ queryIndex: 0, documents }] });
    const response = await service.run(reply, (reranker, signal) => reranker.rerank(query, documents, { ...options, signal }));
    metrics.observeUsage(response.usage);
    return response;
  }

  return {
    async cohere(body, reply) {
      responseModelName(servedModel(), body.model);
      checkPriority(body.priority);
      const options = resolveWireOptions(
        service.reranker(),
        { instruction: body.instruction, topN: body.top_n, minScore: body.min_score, maxLength: body.max_tokens_per_doc, evidence: body.evidence },
        { maxLength: 'max_tokens_per_doc' },
      );
      const response = await rerank(reply, body.query, body.documents, options);
      return {
        id: responseId('rerank'),
        results: response.results.map((r) => ({
          index: r.index,
          relevance_score: r.score,
          ...(body.return_documents === true ? { document: { text: r.document.text } } : {}),
          ...evidenceOf(r),
        })),
        meta: {
          api_version: { version: '2' },
          billed_units: { search_units: Math.max(1, Math.ceil(response.usage.documents / DOCUMENTS_PER_SEARCH_UNIT)) },
          tokens: { input_tokens: response.usage.inputTokens, output_tokens: 0 },
        },
      };
    },

    async jinaOrTei(body, reply) {
      const model = responseModelName(servedModel(), body.model);
      if (body.documents && body.texts) throw new InvalidInputError('texts', 'send either "documents" or "texts" (TEI), not both');
      const input = body.texts ?? body.documents;
      if (!input) throw new InvalidInputError('documents', 'documents is required (or "texts" for the TEI shape)');
      const tei = body.texts !== undefined;
      const foreign = tei ? DOCUMENTS_SHAPE_ONLY_FIELDS : TEI_SHAPE_ONLY_FIELDS;
      for (const field of foreign) {
        if (body[field] !== undefined) {
          throw new InvalidInputError(field, `${field} belongs to the ${tei ? '"documents"' : 'TEI "texts"'} shape; this body has "${tei ? 'texts' : 'documents'}"`);
        }
      }
      if (body.truncation_direction === 'left' || body.truncation_direction === 'Left') {
        throw new InvalidInputError('truncation_direction', 'only right truncation is supported: the Qwen3 reference cuts the end of the document body');
      }
      checkPriority(body.priority);
      const raw = rawScores(body.raw_scores, body.use_activation);
      const options = resolveWireOptions(
        service.reranker(),
        { instruction: body.instruction, topN: body.top_n, minScore: body.min_score, maxLength: body.truncate_prompt_tokens, evidence: body.evidence },
        { maxLength: 'truncate_prompt_tokens' },
      );
      const response = await rerank(reply, body.query, input, options);
      if (body.truncate === false) refuseTruncated(response.results, options.maxLength, tei ? 'texts' : 'documents');
      const score = (r: RerankResult) => (raw ? r.logit : r.score);
      if (tei) {
        // TEI: `score` is the sigmoid unless raw_scores (router/src/http/types.rs `Rank`), sorted best first.
        return response.results.map((r) => ({ index: r.index, score: score(r), ...(body.return_text ? { text: r.document.text } : {}), ...evidenceOf(r) }));
      }
      const returnDocuments = body.return_documents ?? true;
      return {
        id: responseId('rerank'),
        model,
        usage: { prompt_tokens: response.usage.inputTokens, total_tokens: response.usage.inputTokens },
        results: response.results.map((r) => ({
          index: r.index,
          relevance_score: score(r),
          ...(returnDocuments ? { document: { text: r.document.text } } : {}),
          ...evidenceOf(r),
        })),
      };
    },
  };
}

/** Whether to answer logits: TEI's and Infinity's `raw_scores: true` or vLLM's `use_activation: false`. */
export function rawScores(rawScoresField: boolean | undefined, useActivation: boolean | null | undefined): boolean {
  if (rawScoresField === true && useActivation === true) {
    throw new InvalidInputError('use_activation', 'raw_scores: true asks for logits and use_activation: true for probabilities; send one');
  }
  return rawScoresField === true || useActivation === false;
}

/** `priority`: every request here is served at priority 0 (first come, first served). */
export function checkPriority(priority: number | undefined): void {
  if (priority !== undefined && priority !== 0) {
    throw new InvalidInputError('priority', `priority ${priority} cannot be honoured: requests are served first come, first served (priority 0 only)`);
  }
}

/**
 * TEI's `truncate: false`: an input longer than the limit is an error, not cut. A truncated prompt has exactly
 * `maxLength` tokens, so a prompt that reaches the limit is refused (one that fits exactly is refused too: the
 * facade does not say whether it cut).
 */
function refuseTruncated(results: readonly RerankResult[], maxLength: number, field: string): void {
  const long = results.find((r) => r.inputTokens >= maxLength);
  if (long) {
    throw new ContextOverflowError(
      `${field}[${long.index}]`,
      long.inputTokens,
      maxLength,
      `${field}[${long.index}] makes a prompt of at least ${maxLength} tokens (the limit) and truncate is false; shorten it or send truncate: true`,
    );
  }
}

/** Cohere v2 `/v2/rerank`, and `/v1/rerank` + `/rerank` (Jina / vLLM / llama.cpp, or TEI when the body has `texts`). */
export const rerankRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, context) => {
  const handlers = createRerankHandlers(context);
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
    (request, reply) => handlers.cohere(request.body, reply),
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
      (request, reply) => handlers.jinaOrTei(request.body, reply),
    );
  }
};
