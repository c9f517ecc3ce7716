import { existsSync } from 'node:fs';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DEFAULT_INSTRUCTION, DEFAULT_MAX_LENGTH, InvalidInputError, LimitExceededError, NotFoundError, type Reranker } from '../../index.js';
import { createKnowledgeBase, knowledgeBasePath, searchResultJson } from '../../kb/index.js';
import { errorResponses } from '../schemas/common-schemas.js';
import { KbSearchBody, KbSearchParams, KbSearchResponse } from '../schemas/kb-schemas.js';
import { checkWorkload, type ResolvedServerLimits } from '../server-limits.js';

export interface KbRoutesOptions {
  /** Directory holding `<name>.sqlite` knowledge bases (as `qwen-ranker kb ingest --kb-dir` writes them). */
  knowledgeBasesDir: string;
  /** The server's request limits: the query and instruction obey `maxQueryCharacters`, `k` obeys
   * `maxDocumentsPerRequest`, as on the rerank routes. */
  limits: ResolvedServerLimits;
  /** The name responses give the model (never a file path). Default: the reranker's `info.model`. */
  modelName?: () => string;
  /** Runs reranking under the server's admission control (concurrency, queue, timeout, cancel on disconnect),
   * like every other scoring route; it throws the server's typed error while the model loads. Default: none
   * (first stage only). */
  runScoring?: <T>(reply: FastifyReply, work: (reranker: Reranker, signal: AbortSignal) => Promise<T>) => Promise<T>;
}

/** `POST /api/kb/{name}/search`: first stage + rerank over a knowledge base, as `qwen-ranker kb search` does. */
export const kbRoutes: FastifyPluginAsyncTypebox<KbRoutesOptions> = async (app, options) => {
  app.post(
    '/api/kb/:name/search',
    {
      schema: {
        summary: 'Search a knowledge base (first stage + rerank)',
        tags: ['knowledge base'],
        params: KbSearchParams,
        body: KbSearchBody,
        response: { 200: KbSearchResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const body = request.body;
      const { limits } = options;
      // The query and instruction limits of the rerank routes; the candidates are bounded by `k` below.
      const workloadOptions = { instruction: body.instruction ?? DEFAULT_INSTRUCTION, maxLength: DEFAULT_MAX_LENGTH, longDocuments: 'truncate', topN: undefined, evidence: undefined } as const;
      checkWorkload(limits, { options: workloadOptions, queries: [{ field: 'query', text: body.query }], groups: [] });
      if (body.k !== undefined && body.k > limits.maxDocumentsPerRequest) {
        throw new LimitExceededError(
          'k',
          'maxDocumentsPerRequest',
          limits.maxDocumentsPerRequest,
          `k = ${body.k} candidates would be reranked in one request; the server accepts at most ${limits.maxDocumentsPerRequest}`,
        );
      }
      const path = knowledgeBasePath(options.knowledgeBasesDir, name);
      if (!existsSync(path)) throw new NotFoundError('name', `knowledge base "${name}" does not exist`);
      const { runScoring } = options;
      const wantsRerank = body.rerank ?? runScoring !== undefined;
      if (wantsRerank && runScoring === undefined) throw new InvalidInputError('rerank', 'this server has no reranker');
      const search = async (reranker: Reranker | undefined, signal: AbortSignal) => {
        const kb = await createKnowledgeBase({ path, readonly: true, ...(reranker ? { reranker } : {}) });
        try {
          const result = await kb.search(body.query, {
            signal,
            rerank: reranker !== undefined,
            ...(body.k === undefined ? {} : { k: body.k }),
            ...(body.top_n === undefined ? {} : { topN: body.top_n }),
            ...(body.min_score === undefined ? {} : { minScore: body.min_score }),
            ...(body.retrieval === undefined ? {} : { retrieval: body.retrieval }),
            ...(body.instruction === undefined || body.instruction === null ? {} : { instruction: body.instruction }),
            ...(body.evidence === undefined ? {} : { evidence: body.evidence }),
          });
          return { ...searchResultJson(result), knowledge_base: name, model: reranker ? (options.modelName?.() ?? reranker.info.model) : null };
        } finally {
          await kb.close();
        }
      };
      // First stage only needs no model and no admission slot; it is one SQLite query.
      if (!wantsRerank || runScoring === undefined) return search(undefined, new AbortController().signal);
      return runScoring(reply, search);
    },
  );
};
