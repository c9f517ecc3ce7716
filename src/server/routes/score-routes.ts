import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { InvalidInputError, type ScorePair } from '../../index.js';
import { checkWorkload } from '../server-limits.js';
import { errorResponses } from '../schemas/common-schemas.js';
import { ScoreBody, ScoreResponse } from '../schemas/score-schemas.js';
import { responseModelName } from '../served-model.js';
import { checkPriority, rawScores } from './rerank-routes.js';
import { resolveWireOptions, responseId, type RouteContext } from './route-context.js';

/** vLLM's `/score` handler, shared by `/score`, `/v1/score` and `POST /invocations`. */
export function createScoreHandler({ service, limits, metrics, servedModel }: RouteContext) {
  return async (body: ScoreBody, reply: FastifyReply): Promise<ScoreResponse> => {
    const model = responseModelName(servedModel(), body.model);
    checkPriority(body.priority);
    const reranker = service.reranker();
    const [queryField, queries] = pickSide(body.queries, 'queries', body.text_1, 'text_1');
    const [documentField, documents] = pickSide(body.documents, 'documents', body.text_2, 'text_2');
    // vLLM `_validate_score_input_lens` (vllm/entrypoints/pooling/score/utils.py): 1:1, 1:N or N:N.
    if (queries.length > 1 && queries.length !== documents.length) {
      throw new InvalidInputError(queryField, `Input lengths must be either 1:1, 1:N or N:N; got ${queries.length} ${queryField} and ${documents.length} ${documentField}`);
    }
    const options = resolveWireOptions(
      reranker,
      { instruction: body.instruction, minScore: body.min_score, maxLength: body.truncate_prompt_tokens },
      { maxLength: 'truncate_prompt_tokens' },
    );
    const pairs: ScorePair[] = documents.map((document, i) => ({ query: queries[queries.length === 1 ? 0 : i]!, document }));
    checkWorkload(limits, {
      options,
      queries: queries.map((text, i) => ({ field: `${queryField}[${i}]`, text })),
      groups: documents.map((document, i) => ({ queryIndex: queries.length === 1 ? 0 : i, documents: [document] })),
    });
    const scores = await service.run(reply, (ranker, signal) => ranker.score(pairs, { ...options, signal }));
    const inputTokens = scores.reduce((sum, s) => sum + s.inputTokens, 0);
    metrics.observeUsage({ documents: scores.length, inputTokens, cachedDocuments: scores.filter((s) => s.cached).length });
    const raw = rawScores(undefined, body.use_activation);
    return {
      id: responseId('score'),
      object: 'list' as const,
      created: Math.floor(Date.now() / 1000),
      model,
      data: scores.flatMap((s, index) => (s.score >= options.minScore ? [{ index, object: 'score' as const, score: raw ? s.logit : s.score }] : [])),
      usage: { prompt_tokens: inputTokens, total_tokens: inputTokens, completion_tokens: 0 },
    };
  };
}

/** vLLM's `/score` (and `/v1/score`, vLLM's alias since v0.7: vllm/entrypoints/openai/api_server.py): scores
 * query-document pairs, results in input order. */
export const scoreRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, context) => {
  const score = createScoreHandler(context);
  for (const url of ['/score', '/v1/score']) {
    app.post(
      url,
      {
        schema: {
          summary: 'Score pairs (vLLM /score: 1:1, 1:N or N:N)',
          tags: ['score'],
          body: ScoreBody,
          response: { 200: ScoreResponse, ...errorResponses },
        },
      },
      (request, reply) => score(request.body, reply),
    );
  }
};

/** One side of the pairs: vLLM's new name (`queries`/`documents`) or its old one (`text_1`/`text_2`), not both. */
function pickSide(
  preferred: string | string[] | undefined,
  preferredField: string,
  legacy: string | string[] | undefined,
  legacyField: string,
): [string, string[]] {
  if (preferred !== undefined && legacy !== undefined) {
    throw new InvalidInputError(legacyField, `send either "${preferredField}" or "${legacyField}", not both`);
  }
  const value = preferred ?? legacy;
  if (value === undefined) throw new InvalidInputError(preferredField, `${preferredField} (or ${legacyField}) is required`);
  return [preferred !== undefined ? preferredField : legacyField, typeof value === 'string' ? [value] : value];
}
