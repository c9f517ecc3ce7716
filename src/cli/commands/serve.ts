import { Option, type Command } from 'commander';
import { checkRerankerOptions, ENGINE_KINDS, InvalidInputError, REMOTE_ENGINE_KINDS, type EngineKind } from '../../index.js';
import { readApiKeysFile, serve, SERVER_LIMIT_SETTINGS, type ServerLimitName, type ServerLimits } from '../../server/index.js';
import { action, parseNonNegativeInt, parsePositiveInt } from '../util.js';
import { addModelOptions, demoWarning, gpuOption, LOCAL_ENGINE_HELP, type ModelCliOptions } from '../model-options.js';
import { readServeConfig } from '../serve-config.js';

interface ServeCliOptions extends ModelCliOptions {
  port: number;
  host: string;
  apiKey?: string[];
  apiKeysFile?: string;
  cors?: string[];
  servedModelName?: string[];
  drainTimeout: number;
  logLevel: string;
  cacheSize?: number;
  sequences?: number;
  prefixCacheBytes?: number;
  engine?: string;
  endpoint?: string[];
  engineApiKey?: string;
  kbDir?: string;
  config?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const limitNames = Object.keys(SERVER_LIMIT_SETTINGS) as ServerLimitName[];

/** The `serve` flag of a server limit, derived from `SERVER_LIMIT_SETTINGS` (flag, help, default and minimum). */
function limitOption(name: ServerLimitName): Option {
  const setting = SERVER_LIMIT_SETTINGS[name];
  const option = new Option(setting.flag, `${setting.description} (default: ${setting.default})`);
  return option.argParser(setting.minimum === 0 ? parseNonNegativeInt(option.long!) : parsePositiveInt(option.long!));
}

export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description('HTTP rerank server: Cohere /v2/rerank, Jina/vLLM /v1/rerank, TEI/llama.cpp /rerank, vLLM /score, /api/rerank')
    .option('-p, --port <port>', 'TCP port (0 = any free port)', parseNonNegativeInt('--port'), 8000)
    .option('--host <host>', 'interface to listen on (0.0.0.0 for remote clients)', '127.0.0.1')
    .option('--api-key <key>', 'require "Authorization: Bearer <key>" (repeatable; default: no authentication)', collect)
    .option('--api-keys-file <file>', 'file with one API key per line (# comments allowed); keeps keys out of `ps`')
    .option('--cors <origin>', 'allow browser calls from this origin, or * (repeatable; default: CORS off)', collect)
    .option(
      '--served-model-name <name>',
      "name responses and /v1/models give the model (repeatable: aliases; a request naming another model is then a 404; default: the model's file name without .gguf, any requested name accepted)",
      collect,
    );
  for (const name of limitNames) command.addOption(limitOption(name));
  addModelOptions(
    command
      .option('--drain-timeout <ms>', 'on SIGTERM/SIGINT, wait this long for in-flight requests', parseNonNegativeInt('--drain-timeout'), 30_000)
      .option('--log-level <level>', 'fatal | error | warn | info | debug | silent', 'info')
      .option('--cache-size <n>', 'score cache entries; 0 disables (default: 10000)', parseNonNegativeInt('--cache-size'))
      .option('--sequences <n>', 'llama.cpp engine: sequences scored in parallel (default: 4)', parsePositiveInt('--sequences'))
      .option(
        '--prefix-cache-bytes <n>',
        "ONNX engine: bytes of key/value tensors kept for recent queries' shared prefixes, least recently used evicted first; 0 keeps none between runs (default: 2,048 tokens' worth, 448 MiB on a 0.6B model)",
        parseNonNegativeInt('--prefix-cache-bytes'),
      )
      .option('--endpoint <url>', 'remote engine endpoint (repeatable: requests are spread across them)', collect)
      .option('--engine-api-key <key>', 'API key sent to the remote engine')
      .option('--kb-dir <dir>', 'serve the knowledge bases in this directory at POST /api/kb/{name}/search')
      .option('--config <file>', 'JSON file with model, engine, endpoints, engineApiKey, remote {…} and limits {…}; flags win (docs/http-api.md)'),
    `${LOCAL_ENGINE_HELP}, or a remote engine (${REMOTE_ENGINE_KINDS.join(', ')})`,
  ).action(action(runServe));
}

async function runServe(options: ServeCliOptions & Partial<Record<string, unknown>>): Promise<void> {
  const config = options.config ? await readServeConfig(options.config) : {};
  const fileKeys = options.apiKeysFile ? await readApiKeysFile(options.apiKeysFile) : [];
  if (options.apiKeysFile && fileKeys.length === 0) throw new InvalidInputError('--api-keys-file', `${options.apiKeysFile} contains no keys`);
  const apiKeys = [...(options.apiKey ?? []), ...fileKeys];
  const engine = options.engine ?? config.engine;
  if (engine !== undefined && !(ENGINE_KINDS as readonly string[]).includes(engine)) {
    throw new InvalidInputError('--engine', `--engine must be one of ${ENGINE_KINDS.join(', ')}, got "${engine}"`);
  }
  // Flags win over the config file.
  const limits: ServerLimits = Object.fromEntries(
    limitNames.map((name) => [name, (options[limitOption(name).attributeName()] as number | undefined) ?? config.limits?.[name]]),
  );
  const endpoints = options.endpoint ?? config.endpoints;
  const engineApiKey = options.engineApiKey ?? config.engineApiKey;
  const rerankerOptions = {
    ...config.remote,
    model: options.model ?? config.model,
    modelsDir: options.modelsDir,
    ...gpuOption(options.gpu),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.sequences === undefined ? {} : { sequences: options.sequences }),
    ...(options.prefixCacheBytes === undefined ? {} : { prefixCacheBytes: options.prefixCacheBytes }),
    ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
    ...(engine === undefined ? {} : { engine: engine as EngineKind }),
    ...(endpoints ? { endpoints } : {}),
    ...(engineApiKey === undefined ? {} : { apiKey: engineApiKey }),
  };
  // Before the port opens: an option the engine does not take (`--engine vllm --gpu cuda`) exits 2 saying so.
  checkRerankerOptions(rerankerOptions);
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
    ...(options.servedModelName === undefined ? {} : { servedModelNames: options.servedModelName }),
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
