import { isUtf8 } from 'node:buffer';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCors from '@fastify/cors';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  createTokenizer,
  InvalidInputError,
  LimitExceededError,
  LOCAL_ENGINE_KINDS,
  RerankerError,
  type EndpointStatus,
  type ModelTokenizer,
  type Reranker,
} from '../index.js';
import { createApiKeyCheck } from './api-key-check.js';
import { toHttpError } from './http-errors.js';
import { createScoringService } from './scoring-service.js';
import { resolveServerLimits, type ServerLimits } from './server-limits.js';
import { createServerMetrics } from './server-metrics.js';
import { resolveServedModel, type ServedModel } from './served-model.js';
import { batchRoutes } from './routes/batch-routes.js';
import { invocationsRoutes } from './routes/invocations-routes.js';
import { modelRoutes } from './routes/model-routes.js';
import { tokenizeRoutes } from './routes/tokenize-routes.js';
import { rerankRoutes } from './routes/rerank-routes.js';
import type { RouteContext } from './routes/route-context.js';
import { scoreRoutes } from './routes/score-routes.js';
import { statusRoutes } from './routes/status-routes.js';
import { webUiRoutes, type WebUiOptions } from './web-ui.js';

export interface CreateAppOptions {
  /** The reranker to serve, or a promise of it. While the promise is pending `/ready` answers 503 and scoring
   * routes 503 with `Retry-After`. The app never closes it: its owner does. */
  reranker: Reranker | Promise<Reranker>;
  /** Request limits and admission control. Default: `DEFAULT_SERVER_LIMITS`. */
  limits?: ServerLimits;
  /** Bearer API keys. When non-empty, every route except `/health`, `/ready` and the read-only pages (`/docs`,
   * `/openapi.json`, the workbench) needs `Authorization: Bearer <key>`. Default: none (no authentication). */
  apiKeys?: readonly string[];
  /** Origins allowed to call the API from a browser (`*` for any). Default: none (CORS off). */
  cors?: string | readonly string[];
  /** `true` for pino logging at `info`, a pino options object, or a logger instance. Default: `false`. */
  logger?: boolean | { level?: string } | FastifyBaseLogger;
  /** The workbench page at `/` (`false` to leave it out). Default: `{}` (the package's built `web/dist`). */
  webUi?: false | WebUiOptions;
  /** Directory of knowledge bases (`<name>.sqlite`): adds `POST /api/kb/{name}/search`. Default: none. */
  knowledgeBasesDir?: string;
  /** Names the model is served under (vLLM's `--served-model-name`): every response's `model`, `/v1/models`,
   * `/ready`, `/metrics`. When given, a request whose `model` is none of them is a 404. Default: the model's file
   * name without `.gguf` (or an `hf:` URI's `repo:QUANT`), and any requested name is accepted. */
  servedModelNames?: readonly string[];
  /** The tokenizer behind `/tokenize` and `/detokenize`, or `false` for none (501). Default: the local model's,
   * loaded (vocabulary only) on first use; none for a remote engine. */
  tokenizer?: ModelTokenizer | Promise<ModelTokenizer> | false;
  /** Where `hf:` models were downloaded, for the default tokenizer. Default: as `createReranker`. */
  modelsDir?: string;
}

export type RerankerApp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Starts a graceful shutdown: new requests get 503 (`/health` and `/ready` report it), in-flight ones finish; after
     * `timeoutMs` the rest are aborted. Resolves when nothing is in flight. Then call `close()`.
     */
    drain(timeoutMs: number): Promise<void>;
  }
}

/** Time a client gets to send its whole request (slow clients cannot hold a connection forever). */
const RECEIVE_TIMEOUT_MS = 60_000;

/**
 * Builds the HTTP app around a reranker: routes for every supported wire format, schemas (validation and the
 * OpenAPI document at `/openapi.json`, docs at `/docs`), one error handler, limits, admission control, API keys,
 * CORS and metrics. No socket: call `app.inject()` in tests, or `serve()` to listen.
 */
export function createApp(options: CreateAppOptions): RerankerApp {
  const limits = resolveServerLimits(options.limits);
  const app = Fastify({
    ...loggerOptions(options.logger),
    bodyLimit: limits.bodyLimit,
    requestTimeout: RECEIVE_TIMEOUT_MS,
    // Strict validation: no type coercion ("5" is not a number, 5 is not a string) and no silent removal of
    // unknown properties; fastify's defaults do both (coerceTypes: 'array', removeAdditional: true,
    // https://fastify.dev/docs/latest/Reference/Validation-and-Serialization/#validator-compiler).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    // The router's own errors (bad percent-encoding: 400, a path parameter past `maxParamLength`: 414) go through
    // the one error handler too, so they carry the `{error: {code, message, field}}` envelope.
    frameworkErrors: (error, request, reply) => {
      const http = toHttpError(error, { bodyLimit: limits.bodyLimit });
      void (reply as FastifyReply).code(http.status).send(http.body);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const service = createScoringService(options.reranker, limits);
  const metrics = createServerMetrics({
    rerankerStats: () => (service.state.status === 'ready' ? service.state.reranker.stats() : undefined),
    admission: service.admission,
    remoteEndpoints: () =>
      service.state.status === 'ready' ? (service.state.reranker.status().endpoints as readonly EndpointStatus[] | undefined) : undefined,
    modelName: () => (service.state.status === 'ready' ? servedModel().names[0] : undefined),
  });
  let served: { reranker: Reranker; model: ServedModel } | undefined;
  const servedModel = (): ServedModel => {
    const reranker = service.reranker();
    if (served?.reranker !== reranker) served = { reranker, model: resolveServedModel(options.servedModelNames, reranker.info) };
    return served.model;
  };
  const tokenizer = createTokenizerSource(app, options, service);
  const context: RouteContext = { service, limits, metrics, servedModel, tokenizer };

  installJsonParser(app);
  const drainState = installDrain(app, service);
  installErrorHandlers(app, limits.bodyLimit);
  if (options.apiKeys && options.apiKeys.length > 0) installApiKeys(app, options.apiKeys);
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  if (options.cors !== undefined && options.cors.length > 0) {
    const origins = typeof options.cors === 'string' ? [options.cors] : [...options.cors];
    void app.register(fastifyCors, {
      origin: origins.includes('*') ? true : origins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization'],
      exposedHeaders: ['retry-after'],
    });
  }

  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'qwen-ranker',
        description: 'Qwen3-Reranker document reranking: Cohere, Jina/vLLM, TEI and llama.cpp compatible endpoints.',
        version: '0.1.0',
      },
      ...(options.apiKeys && options.apiKeys.length > 0
        ? { components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }, security: [{ bearer: [] }] }
        : {}),
    },
  });
  void app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  void app.register(statusRoutes, { ...context, isDraining: () => drainState.draining });
  void app.register(rerankRoutes, context);
  void app.register(scoreRoutes, context);
  void app.register(batchRoutes, context);
  void app.register(modelRoutes, context);
  void app.register(tokenizeRoutes, context);
  void app.register(invocationsRoutes, context);
  if (options.webUi !== false) void app.register(webUiRoutes, options.webUi ?? {});
  const { knowledgeBasesDir } = options;
  if (knowledgeBasesDir !== undefined) {
    // Imported only when asked for, so a plain rerank server never loads SQLite and the ingest parsers.
    void app.register(async (scope) => {
      const { kbRoutes } = await import('./routes/kb-routes.js');
      await scope.register(kbRoutes, { knowledgeBasesDir, limits, modelName: () => servedModel().names[0]!, runScoring: (reply, work) => service.run(reply, work) });
    });
  }
  return app;
}

/** The tokenizer given, or the local model's, loaded on first use and released when the app closes. */
function createTokenizerSource(
  app: RerankerApp,
  options: CreateAppOptions,
  service: ReturnType<typeof createScoringService>,
): () => Promise<ModelTokenizer> {
  const given = options.tokenizer;
  if (given === false) {
    return async () => {
      throw new RerankerError('not_supported', 'this server has no tokenizer (createApp was given tokenizer: false)');
    };
  }
  if (given !== undefined) return async () => given;
  let created: Promise<ModelTokenizer> | undefined;
  app.addHook('onClose', async () => {
    await (await created?.catch(() => undefined))?.close();
  });
  return async () => {
    const { info } = service.reranker();
    if (!(LOCAL_ENGINE_KINDS as readonly string[]).includes(info.engine)) {
      throw new RerankerError('not_supported', `tokenization needs the model file; this server scores on the remote engine "${info.engine}"`);
    }
    created ??= createTokenizer({ model: info.model, ...(options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir }) });
    // A failed load is not cached: the next request tries again.
    return created.catch((error: unknown) => {
      created = undefined;
      throw error;
    });
  };
}

function loggerOptions(logger: CreateAppOptions['logger']): { logger: boolean | { level?: string } } | { loggerInstance: FastifyBaseLogger } {
  if (logger === undefined || typeof logger === 'boolean') return { logger: logger ?? false };
  if ('child' in logger && typeof logger.child === 'function') return { loggerInstance: logger as FastifyBaseLogger };
  return { logger: logger as { level?: string } };
}

/**
 * JSON bodies are read as bytes and refused unless they are valid UTF-8 (fastify's default parser decodes with
 * replacement characters, which would silently score mangled text), then parsed by fastify's own parser (with
 * its `__proto__`/`constructor` poisoning protection), then refused if a string holds a lone UTF-16 surrogate
 * (`"\ud800"` is valid JSON but not text).
 */
function installJsonParser(app: RerankerApp): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // Fastify also parses text/plain by default; every route takes JSON, so any other type is a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(new InvalidInputError('body', 'request body is not valid UTF-8'), undefined);
      return;
    }
    if (jsonDepthExceeds(bytes, MAX_JSON_DEPTH)) {
      done(
        new LimitExceededError('body', 'maxJsonDepth', MAX_JSON_DEPTH, `request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`),
        undefined,
      );
      return;
    }
    parseJson(request, bytes.toString('utf8'), (error, value) => {
      if (error) return done(error, undefined);
      const field = illFormedStringPath(value, '');
      if (field !== undefined) return done(new InvalidInputError(field || 'body', `${field || 'body'} is not valid Unicode (lone surrogate)`), undefined);
      done(null, value);
    });
  });
}

/** Deepest nesting of arrays and objects a body may have. Every request schema needs fewer than 5 levels; without
 * a bound, ~4,000 levels overflowed the parser's stack and were reported as "not valid JSON". */
const MAX_JSON_DEPTH = 64;

/** Whether the JSON text in `bytes` opens more than `max` arrays/objects at once (brackets inside strings do not count). */
function jsonDepthExceeds(bytes: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c) i++; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
}

/** With the `u` flag a surrogate pair is one code point, so only a lone surrogate matches the Cs category. */
const LONE_SURROGATE = /\p{Cs}/u;

/** The path of the first string (or key) in `value` that is not well-formed Unicode, or undefined. */
function illFormedStringPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = illFormedStringPath(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const child = path ? `${path}.${key}` : key;
      if (LONE_SURROGATE.test(key)) return child;
      const found = illFormedStringPath(item, child);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const STATUS_PATHS = new Set(['/health', '/ready']);

/** Every request is counted from its arrival to the end of its response; `drain` waits for the count to drop. */
function installDrain(app: RerankerApp, service: ReturnType<typeof createScoringService>): { draining: boolean } {
  const state = { draining: false };
  let inFlight = 0;
  let onIdle: (() => void) | undefined;
  app.addHook('onRequest', async (request, reply) => {
    inFlight++;
    reply.raw.once('close', () => {
      inFlight--;
      if (inFlight === 0) onIdle?.();
    });
    // /health and /ready stay up: they report the drain themselves ({status: 'draining'}, /ready with 503).
    if (state.draining && !STATUS_PATHS.has(request.routeOptions.url ?? '')) {
      void reply.header('connection', 'close');
      throw new RerankerError('closed', 'the server is shutting down; retry on another instance or later');
    }
  });
  app.decorate('drain', async (timeoutMs: number) => {
    state.draining = true;
    const idle = new Promise<void>((resolve) => {
      onIdle = resolve;
      if (inFlight === 0) resolve();
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    if ((await Promise.race([idle, timedOut])) === 'timeout') {
      service.abortAll(new RerankerError('closed', 'the server shut down before this request finished'));
      await idle;
    }
    clearTimeout(timer);
  });
  return state;
}

function installErrorHandlers(app: RerankerApp, bodyLimit: number): void {
  app.setErrorHandler(async (error, request, reply) => {
    const http = toHttpError(error, { bodyLimit });
    if (http.status >= 500 && http.status !== 503) request.log.error({ err: error }, 'request failed');
    if (http.retryAfterSeconds !== undefined) void reply.header('retry-after', String(http.retryAfterSeconds));
    if (http.status === 401) void reply.header('www-authenticate', 'Bearer');
    return reply.code(http.status).send(http.body);
  });
  app.setNotFoundHandler(async (request, reply) => {
    return reply.code(404).send({ error: { code: 'not_found', message: `no route for ${request.method} ${pathOf(request)}; see /docs`, field: null } });
  });
}

/**
 * Bearer authentication for everything but the public, read-only routes: `/health`, `/ready`, and GET pages
 * (`/docs`, `/openapi.json`, the workbench). `/metrics` and `/api/...` GETs need a key. CORS preflights
 * (OPTIONS) carry no credentials by design (https://fetch.spec.whatwg.org/#cors-preflight-fetch), so they pass.
 */
function installApiKeys(app: RerankerApp, keys: readonly string[]): void {
  const check = createApiKeyCheck(keys);
  app.addHook('onRequest', async (request) => {
    if (isPublic(request)) return;
    if (!check(request.headers.authorization)) {
      throw new RerankerError('unauthorized', 'missing or invalid API key: send "Authorization: Bearer <key>"');
    }
  });
}

/**
 * Decided on the route the router matched, never on the raw URL: the router decodes and normalizes (`/%6detrics`,
 * `/metrics#x` and the absolute form `http://host/metrics` all reach `/metrics`). A GET that matched no route is
 * public (its answer is the 404).
 */
function isPublic(request: FastifyRequest): boolean {
  if (request.method === 'OPTIONS') return true;
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const route = request.routeOptions.url;
  if (route === undefined) return true;
  return route !== '/metrics' && !route.startsWith('/api/');
}

function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}
