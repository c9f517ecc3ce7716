import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { InvalidInputError, type DocumentInput, type RerankResult } from '../../index.js';
import { checkWorkload } from '../server-limits.js';
import { errorResponses } from '../schemas/common-schemas.js';
import { BatchRerankBody, BatchRerankResponse } from '../schemas/rerank-schemas.js';
import { evidenceOf, resolveWireOptions, responseId, type RouteContext } from './route-context.js';

/** `POST /api/rerank`: the library's `rerank()` for one or many queries in one request, with everything the
 * library returns (logit, tokens, cache flag, winning window). Queries run concurrently in one admission slot. */
export const batchRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, { service, limits, metrics, servedModel }) => {
  app.post(
    '/api/rerank',
    {
      schema: {
        summary: 'Rerank documents for one or many queries (native shape)',
        tags: ['rerank'],
        body: BatchRerankBody,
        response: { 200: BatchRerankResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const body = request.body;
      const reranker = service.reranker();
      const lists = documentLists(body.queries.length, body.documents);
      const options = resolveWireOptions(
        reranker,
        {
          instruction: body.instruction,
          topN: body.top_n,
          minScore: body.min_score,
          maxLength: body.max_length,
          longDocuments: body.long_documents,
          evidence: body.evidence,
        },
        { maxLength: 'max_length', longDocuments: 'long_documents' },
      );
      checkWorkload(limits, {
        options,
        queries: body.queries.map((text, i) => ({ field: `queries[${i}]`, text })),
        groups: lists.map((documents, queryIndex) => ({ queryIndex, documents })),
      });
      const responses = await service.run(reply, (ranker, signal) =>
        Promise.all(body.queries.map((query, i) => ranker.rerank(query, lists[i]!, { ...options, signal }))),
      );
      const usage: BatchRerankResponse['usage'] = { documents: 0, input_tokens: 0, cached_documents: 0 };
      for (const response of responses) {
        metrics.observeUsage(response.usage);
        usage.documents += response.usage.documents;
        usage.input_tokens += response.usage.inputTokens;
        usage.cached_documents += response.usage.cachedDocuments;
        if (response.usage.evidenceSpans !== undefined) usage.evidence_spans = (usage.evidence_spans ?? 0) + response.usage.evidenceSpans;
      }
      const returnDocuments = body.return_documents ?? true;
      return {
        id: responseId('rerank'),
        model: servedModel().names[0]!,
        instruction: options.instruction,
        results: responses.map((response, i) => ({
          query_index: i,
          query: body.queries[i]!,
          results: response.results.map((result) => nativeResult(result, returnDocuments)),
        })),
        usage,
        duration_ms: performance.now() - started,
      };
    },
  );
};

/** One document list per query: the shared list repeated, or the per-query lists (one per query). */
function documentLists(queryCount: number, documents: BatchRerankBody['documents']): DocumentInput[][] {
  const nested = documents.filter((item) => Array.isArray(item)).length;
  if (nested === 0) return Array.from({ length: queryCount }, () => documents as DocumentInput[]);
  if (nested !== documents.length) {
    throw new InvalidInputError('documents', 'documents must be one list of documents, or a list of lists (one per query), not a mix');
  }
  if (documents.length !== queryCount) {
    throw new InvalidInputError('documents', `documents has ${documents.length} lists for ${queryCount} queries; send one list per query, or one flat list for all`);
  }
  return documents as DocumentInput[][];
}

function nativeResult(result: RerankResult, returnDocument: boolean) {
  return {
    index: result.index,
    relevance_score: result.score,
    logit: result.logit,
    input_tokens: result.inputTokens,
    cached: result.cached,
    ...(result.window
      ? {
          window: {
            index: result.window.index,
            count: result.window.count,
            start_token: result.window.startToken,
            end_token: result.window.endToken,
            ...(result.window.text === undefined ? {} : { text: result.window.text }),
          },
        }
      : {}),
    ...(returnDocument ? { document: result.document } : {}),
    ...evidenceOf(result),
  };
}
