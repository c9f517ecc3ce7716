import { existsSync } from 'node:fs';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { InvalidInputError, NotFoundError, type Reranker } from '../../index.js';
import { createKnowledgeBase, knowledgeBasePath, type SearchHit } from '../../kb/index.js';
import { errorResponses, strict } from '../schemas/common-schemas.js';

export interface KbRoutesOptions {
  /** Directory holding `<name>.sqlite` knowledge bases (as `qwen-ranker kb ingest --kb-dir` writes them). */
  knowledgeBasesDir: string;
  /** Runs reranking under the server's admission control (concurrency, queue, timeout, cancel on disconnect),
   * like every other scoring route; it throws the server's typed error while the model loads. Default: none
   * (first stage only). */
  runScoring?: <T>(reply: FastifyReply, work: (reranker: Reranker, signal: AbortSignal) => Promise<T>) => Promise<T>;
}

const KbSearchParams = Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$', description: 'Knowledge base name' }) });

const KbSearchBody = Type.Object(
  {
    query: Type.String({ minLength: 1, description: 'The search query' }),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'First-stage candidates. Default: 50' })),
    top_n: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Results kept after reranking. Default: 5' })),
    min_score: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Drop reranked results below this probability. Default: 0' })),
    rerank: Type.Optional(Type.Boolean({ description: 'Rerank the candidates. Default: true when the server has a reranker' })),
    retrieval: Type.Optional(Type.Union([Type.Literal('bm25'), Type.Literal('vector'), Type.Literal('hybrid')], { description: 'First stage. Default: bm25' })),
    instruction: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: "Reranker task instruction. Absent or null: the model card's" })),
  },
  strict,
);

const KbHit = Type.Object({
  rank: Type.Integer({ description: '1-based rank after reranking (the first-stage rank when not reranked)' }),
  score: Type.Union([Type.Number(), Type.Null()], { description: 'Reranker relevance probability; null when not reranked' }),
  first_stage_rank: Type.Integer(),
  first_stage_score: Type.Number({ description: 'BM25 score, cosine similarity or RRF score' }),
  text: Type.String(),
  path: Type.String({ description: 'Source file as ingested' }),
  page: Type.Union([Type.Integer(), Type.Null()]),
  heading: Type.Union([Type.String(), Type.Null()]),
  position: Type.Integer({ description: '0-based chunk position in its file' }),
});

const KbSearchResponse = Type.Object({
  query: Type.String(),
  knowledge_base: Type.String(),
  retrieval: Type.String(),
  reranked: Type.Boolean(),
  model: Type.Union([Type.String(), Type.Null()]),
  candidates: Type.Integer({ description: 'First-stage candidates retrieved' }),
  results: Type.Array(KbHit),
  usage: Type.Object({ input_tokens: Type.Integer({ description: 'Prompt tokens the reranker read' }) }),
  timings_ms: Type.Object({ first_stage: Type.Number(), rerank: Type.Number() }),
});

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
          });
          return {
            query: result.query,
            knowledge_base: name,
            retrieval: result.retrieval,
            reranked: result.reranked,
            model: reranker?.info.model ?? null,
            candidates: result.candidates.length,
            results: result.results.map(toWireHit),
            usage: { input_tokens: result.rerankTokens },
            timings_ms: { first_stage: round(result.timings.firstStageMs), rerank: round(result.timings.rerankMs) },
          };
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

function toWireHit(hit: SearchHit) {
  return {
    rank: hit.rank,
    score: hit.score ?? null,
    first_stage_rank: hit.firstStageRank,
    first_stage_score: hit.firstStageScore,
    text: hit.chunk.text,
    path: hit.chunk.path,
    page: hit.chunk.page ?? null,
    heading: hit.chunk.heading ?? null,
    position: hit.chunk.position,
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
