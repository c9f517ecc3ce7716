import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isRerankerError } from '../../index.js';
import { HealthResponse, NotReadyResponse, ReadyResponse } from '../schemas/status-schemas.js';
import { withoutLocalPaths } from '../served-model.js';
import type { RouteContext } from './route-context.js';

export interface StatusRoutesOptions extends RouteContext {
  /** True once a shutdown began: `/ready` turns 503 so that load balancers stop sending traffic. */
  isDraining: () => boolean;
}

/** Seconds a prober should wait before asking `/ready` again while the model loads. */
const READY_RETRY_AFTER_SECONDS = 2;

/** `/health` (the process answers), `/ready` (the model is loaded), `/metrics` (Prometheus). Never rate-limited:
 * they bypass admission control, and `/health` + `/ready` bypass authentication (see `createApp`). */
export const statusRoutes: FastifyPluginAsyncTypebox<StatusRoutesOptions> = async (app, { service, metrics, isDraining, servedModel }) => {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness: 200 while the process runs',
        tags: ['status'],
        response: { 200: HealthResponse },
      },
    },
    async () => ({ status: isDraining() ? ('draining' as const) : ('ok' as const) }),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: 503 until the model is loaded and while the engine cannot score, else 200 with what is loaded',
        tags: ['status'],
        response: { 200: ReadyResponse, 503: NotReadyResponse },
      },
    },
    async (_request, reply) => {
      const state = service.state;
      if (isDraining()) return reply.code(503).send({ status: 'draining' as const });
      if (state.status === 'loading') {
        return reply.code(503).header('retry-after', String(READY_RETRY_AFTER_SECONDS)).send({ status: 'loading' as const });
      }
      if (state.status === 'failed') {
        const error = state.error;
        return reply.code(503).send({
          status: 'failed' as const,
          error: { code: isRerankerError(error) ? error.code : 'model_load_failed', message: withoutLocalPaths(error instanceof Error ? error.message : String(error)) },
        });
      }
      // Loaded, but unable to score now: a restarting or dead ONNX worker, a fleet with no healthy endpoint.
      const health = state.reranker.health();
      if (!health.ready) {
        if (health.retryAfterSeconds !== undefined) reply.header('retry-after', String(health.retryAfterSeconds));
        return reply.code(503).send({
          status: 'unavailable' as const,
          error: { code: 'engine_unavailable', message: withoutLocalPaths(health.reason) },
          engine_status: state.reranker.status(),
        });
      }
      const { info } = state.reranker;
      return {
        status: 'ready' as const,
        model: servedModel().names[0]!,
        served_model_names: [...servedModel().names],
        engine: info.engine,
        device: info.device,
        demo: info.demo,
        load_time_ms: info.loadTimeMs,
        max_context_tokens: info.maxContextTokens,
        engine_status: state.reranker.status(),
      };
    },
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text exposition format)', tags: ['status'] } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
};
