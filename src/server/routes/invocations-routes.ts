import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { InvalidInputError } from '../../index.js';
import { validationField } from '../http-errors.js';
import { errorResponses } from '../schemas/common-schemas.js';
import { JinaRerankResponse, RerankBody, TeiRerankResponse } from '../schemas/rerank-schemas.js';
import { ScoreBody, ScoreResponse } from '../schemas/score-schemas.js';
import { createRerankHandlers } from './rerank-routes.js';
import { createScoreHandler } from './score-routes.js';
import type { RouteContext } from './route-context.js';

/**
 * `POST /invocations`, the SageMaker hosting route (https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html).
 * As vLLM (vllm/entrypoints/openai/api_server.py `invocations`: the body is matched against each task's request
 * type) and TEI (router/src/http/server.rs: a reranker's invocations are its rerank route): a body with `query`
 * is a rerank (`documents` → the Jina/vLLM answer, `texts` → TEI's), one with `queries` or `text_1`/`text_2` is a
 * score; each is validated by its own route's schema and answered exactly as that route.
 */
export const invocationsRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, context) => {
  const rerank = createRerankHandlers(context);
  const score = createScoreHandler(context);
  const rerankBody = validator<RerankBody>(RerankBody);
  const scoreBody = validator<ScoreBody>(ScoreBody);
  app.post(
    '/invocations',
    {
      schema: {
        summary: 'SageMaker invocations: a rerank body (query + documents | texts) or a score body (queries | text_1, documents | text_2)',
        tags: ['rerank', 'score'],
        body: Type.Record(Type.String(), Type.Unknown(), { description: 'The body of POST /rerank or POST /score' }),
        response: { 200: Type.Union([JinaRerankResponse, TeiRerankResponse, ScoreResponse]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if ('query' in body) return rerank.jinaOrTei(rerankBody(body), reply);
      if ('queries' in body || 'text_1' in body || 'text_2' in body) return score(scoreBody(body), reply);
      throw new InvalidInputError('query', 'send a rerank body ("query" with "documents" or "texts") or a score body ("queries"/"text_1" with "documents"/"text_2")');
    },
  );
};

/** Checks a body against a route's schema, naming the first offending field as the routes' own validation does. */
function validator<T>(schema: TSchema): (body: unknown) => T {
  const compiled = Compile(schema);
  return (body) => {
    if (compiled.Check(body)) return body as T;
    const errors = [...compiled.Errors(body)];
    // TypeBox reports an unknown property twice: as the property (a `false` schema) and on the object; the first names it.
    const error = errors.find((e) => e.keyword === 'boolean') ?? errors[0];
    const params = (error?.params ?? {}) as { requiredProperties?: string[] };
    const field = error ? validationField(error.instancePath, { missingProperty: params.requiredProperties?.[0] }) : null;
    const message = error?.keyword === 'boolean' ? 'is not a field of this request' : (error?.message ?? 'is invalid');
    throw new InvalidInputError(field ?? 'body', `${field ?? 'body'} ${message}`);
  };
}
