import { createRequire } from 'node:module';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isRerankerError } from '../../index.js';
import { ErrorResponse } from '../schemas/common-schemas.js';
import { ModelList, TeiInfo } from '../schemas/model-schemas.js';
import { resolveWireOptions, type RouteContext } from './route-context.js';

/** This package's version (package.json is two levels up from both src/server/routes and dist/server/routes). */
const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

/** `GET /v1/models` and `/models` (vLLM, llama-server, Infinity: the OpenAI list shape) and `GET /info` (TEI). */
export const modelRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, { service, limits, servedModel, tokenizer }) => {
  const started = Math.floor(Date.now() / 1000);
  for (const url of ['/v1/models', '/models']) {
    app.get(
      url,
      { schema: { summary: 'Served models (OpenAI / vLLM list shape)', tags: ['status'], response: { 200: ModelList, 503: ErrorResponse } } },
      async () => {
        const { info } = service.reranker();
        const { names } = servedModel();
        // One card per served name, as vLLM lists each `--served-model-name` (vllm/entrypoints/openai/serving_models.py `show_available_models`).
        const data = names.map((id) => ({
          id,
          object: 'model' as const,
          created: started,
          owned_by: 'qwen-ranker',
          root: names[0]!,
          parent: null,
          max_model_len: info.maxContextTokens,
        }));
        return { object: 'list' as const, data };
      },
    );
  }

  app.get(
    '/info',
    { schema: { summary: "Model and limits (TEI's /info)", tags: ['status'], response: { 200: TeiInfo, 503: ErrorResponse } } },
    async () => {
      const reranker = service.reranker();
      const dtype = await tokenizer().then(
        (t) => t.dtype,
        (error: unknown) => {
          if (isRerankerError(error) && error.code === 'not_supported') return 'unknown';
          throw error;
        },
      );
      return {
        model_id: servedModel().names[0]!,
        model_sha: null,
        model_dtype: dtype,
        // The score is P("yes") (the Qwen3-Reranker model card's judge answer).
        model_type: { reranker: { id2label: { '0': 'yes' }, label2id: { yes: 0 } } },
        max_concurrent_requests: limits.maxConcurrentRequests,
        max_input_length: resolveWireOptions(reranker, {}, {}).maxLength,
        max_batch_tokens: limits.maxTokensPerRequest,
        max_batch_requests: null,
        max_client_batch_size: limits.maxDocumentsPerRequest,
        auto_truncate: true,
        tokenization_workers: 1,
        version: VERSION,
        sha: null,
        docker_label: null,
      };
    },
  );
};
