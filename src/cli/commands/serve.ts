import type { Command } from 'commander';
import { InvalidInputError, type CreateRerankerOptions, type EngineKind } from '../../index.js';
import { readApiKeysFile, serve, type ServerLimits } from '../../server/index.js';
import { action, parsePositiveInt } from '../util.js';
import { addModelOptions, demoWarning, gpuOption, type ModelCliOptions } from '../model-options.js';
import { readServeConfig } from '../serve-config.js';

interface ServeCliOptions extends ModelCliOptions {
  port: number;
  host: string;
  apiKey?: string[];
  apiKeysFile?: string;
  cors?: string[];
  bodyLimit?: number;
  maxDocuments?: number;
  maxTokens?: number;
  maxQueryChars?: number;
  maxConcurrent?: number;
  maxQueue?: number;
  requestTimeout?: number;
  drainTimeout: number;
  logLevel: string;
  cacheSize?: number;
  sequences?: number;
  engine?: string;
  endpoint?: string[];
  engineApiKey?: string;
  kbDir?: string;
  config?: string;
}

/** Every engine `createReranker` knows (the compiler checks this stays complete). */
const ENGINE_KINDS = { 'llama-cpp': true, vllm: true, 'llama-server': true, tei: true, cohere: true } satisfies Record<EngineKind, true>;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const parseNonNegativeInt =
  (option: string) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidInputError(option, `${option} must be a non-negative integer, got "${value}"`);
    return n;
  };

export function registerServeCommand(program: Command): void {
  addModelOptions(
    program
      .command('serve')
      .description('HTTP rerank server: Cohere /v2/rerank, Jina/vLLM /v1/rerank, TEI/llama.cpp /rerank, vLLM /score, /api/rerank')
      .option('-p, --port <port>', 'TCP port (0 = any free port)', parseNonNegativeInt('--port'), 8000)
      .option('--host <host>', 'interface to listen on (0.0.0.0 for remote clients)', '127.0.0.1')
      .option('--api-key <key>', 'require "Authorization: Bearer <key>" (repeatable; default: no authentication)', collect)
      .option('--api-keys-file <file>', 'file with one API key per line (# comments allowed); keeps keys out of `ps`')
      .option('--cors <origin>', 'allow browser calls from this origin, or * (repeatable; default: CORS off)', collect)
      .option('--body-limit <bytes>', 'largest request body (default: 8388608)', parsePositiveInt('--body-limit'))
      .option('--max-documents <n>', 'documents (pairs) per request (default: 1000)', parsePositiveInt('--max-documents'))
      .option('--max-tokens <n>', 'estimated prompt tokens per request (default: 1048576)', parsePositiveInt('--max-tokens'))
      .option('--max-query-chars <n>', 'longest query or instruction in characters (default: 16384)', parsePositiveInt('--max-query-chars'))
      .option('--max-concurrent <n>', 'requests scored at once (default: 16)', parsePositiveInt('--max-concurrent'))
      .option('--max-queue <n>', 'requests waiting; beyond this 429 + Retry-After (default: 256)', parseNonNegativeInt('--max-queue'))
      .option('--request-timeout <ms>', 'per-request time limit, queueing included; 0 = none (default: 120000)', parseNonNegativeInt('--request-timeout'))
      .option('--drain-timeout <ms>', 'on SIGTERM/SIGINT, wait this long for in-flight requests', parseNonNegativeInt('--drain-timeout'), 30_000)
      .option('--log-level <level>', 'fatal | error | warn | info | debug | silent', 'info')
      .option('--cache-size <n>', 'score cache entries; 0 disables (default: 10000)', parseNonNegativeInt('--cache-size'))
      .option('--sequences <n>', 'local engine: sequences scored in parallel (default: 4)', parsePositiveInt('--sequences'))
      .option('--engine <kind>', 'llama-cpp (default) or a remote engine (vllm, llama-server, tei, cohere)')
      .option('--endpoint <url>', 'remote engine endpoint (repeatable: requests are spread across them)', collect)
      .option('--engine-api-key <key>', 'API key sent to the remote engine')
      .option('--kb-dir <dir>', 'serve the knowledge bases in this directory at POST /api/kb/{name}/search')
      .option('--config <file>', 'JSON file with model, engine, endpoints, engineApiKey, remote {…} and limits {…}; flags win (docs/http-api.md)'),
  ).action(action(runServe));
}

async function runServe(options: ServeCliOptions): Promise<void> {
  const config = options.config ? await readServeConfig(options.config) : {};
  const fileKeys = options.apiKeysFile ? await readApiKeysFile(options.apiKeysFile) : [];
  if (options.apiKeysFile && fileKeys.length === 0) throw new InvalidInputError('--api-keys-file', `${options.apiKeysFile} contains no keys`);
  const apiKeys = [...(options.apiKey ?? []), ...fileKeys];
  const engine = options.engine ?? config.engine;
  if (engine !== undefined && !Object.hasOwn(ENGINE_KINDS, engine)) {
    throw new InvalidInputError('--engine', `--engine must be one of ${Object.keys(ENGINE_KINDS).join(', ')}, got "${engine}"`);
  }
  const fileLimits = config.limits ?? {};
  const limits: ServerLimits = {
    bodyLimit: options.bodyLimit ?? fileLimits.bodyLimit,
    maxDocumentsPerRequest: options.maxDocuments ?? fileLimits.maxDocumentsPerRequest,
    maxTokensPerRequest: options.maxTokens ?? fileLimits.maxTokensPerRequest,
    maxQueryCharacters: options.maxQueryChars ?? fileLimits.maxQueryCharacters,
    maxConcurrentRequests: options.maxConcurrent ?? fileLimits.maxConcurrentRequests,
    maxQueuedRequests: options.maxQueue ?? fileLimits.maxQueuedRequests,
    requestTimeoutMs: options.requestTimeout ?? fileLimits.requestTimeoutMs,
  };
  const endpoints = options.endpoint ?? config.endpoints;
  const engineApiKey = options.engineApiKey ?? config.engineApiKey;
  const rerankerOptions: CreateRerankerOptions = {
    ...config.remote,
    model: options.model ?? config.model,
    modelsDir: options.modelsDir,
    gpu: gpuOption(options.gpu),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.sequences === undefined ? {} : { sequences: options.sequences }),
    ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
    ...(engine === undefined ? {} : { engine: engine as EngineKind }),
    ...(endpoints ? { endpoints } : {}),
    ...(engineApiKey === undefined ? {} : { apiKey: engineApiKey }),
  };
  const handle = await serve({
    reranker: rerankerOptions,
    port: options.port,
    host: options.host,
    apiKeys,
    cors: options.cors ?? [],
    limits,
    drainTimeoutMs: options.drainTimeout,
    logLevel: options.logLevel === 'silent' ? false : options.logLevel,
    ...(options.kbDir === undefined ? {} : { knowledgeBasesDir: options.kbDir }),
  });
  process.stderr.write(`qwen-ranker: listening on ${handle.url} (loading the model; GET /ready turns 200 when done)\n`);
  const reranker = await handle.ready;
  const { info } = reranker;
  process.stderr.write(
    `qwen-ranker: serving ${info.model} on ${info.engine} (${info.device}), loaded in ${(info.loadTimeMs / 1000).toFixed(1)} s\n` +
      `  API docs: ${handle.url}/docs   OpenAPI: ${handle.url}/openapi.json${apiKeys.length > 0 ? `   API keys: ${apiKeys.length}` : ''}\n`,
  );
  if (info.demo) process.stderr.write(demoWarning(info.model));
  await handle.closed;
}
