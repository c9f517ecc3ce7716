import { ENGINE_KINDS, LOCAL_ENGINE_KINDS, type EngineKind, type LocalEngineKind, type RemoteEngineKind, type Reranker } from './spec/types.js';
import { InvalidInputError, isRerankerError, ModelLoadError } from './spec/errors.js';
import type { RerankEngine } from './spec/engine.js';
import { createRerankerFromEngine, type RerankerFacadeOptions } from './core/reranker.js';
import type { LocalEngineOptions } from './engines/llama-cpp/index.js';
import type { OnnxEngineOptions } from './engines/onnx/index.js';
import type { HttpEngineOptions } from './engines/http/index.js';
import type { DownloadProgress } from './models/download.js';

/** What every engine takes: the facade's options and the model. */
interface CommonRerankerOptions extends RerankerFacadeOptions {
  /** Local GGUF path or `hf:owner/repo[:quant]` URI (local engines), or the model name sent to a remote engine.
   * Default: `DEFAULT_MODEL` (Qwen3-Reranker-0.6B, Q8_0) locally; not sent to a remote engine. */
  model?: string;
}

/** Where a local engine finds or downloads its model. */
interface LocalModelOptions {
  /** Directory for downloaded models. Default: `$QWEN_RANKER_MODELS_DIR` or `~/.cache/qwen-ranker/models`. */
  modelsDir?: string;
  /** Download progress for `hf:` models. */
  onDownloadProgress?: (progress: DownloadProgress) => void;
}

type LlamaCppSettings = Omit<LocalEngineOptions, 'modelPath' | 'modelName'>;
type OnnxSettings = Omit<OnnxEngineOptions, 'modelPath' | 'modelName'>;
type RemoteSettings = Omit<HttpEngineOptions, 'kind' | 'model'>;
/** Another engine's options, each typed `never` so that passing one is a compile error. */
type Excluded<T> = { [K in keyof T]?: never };

/** `engine: 'auto'` (the default): ONNX on a CPU when it can run the file, else llama.cpp, so both local engines'
 * options apply (each to the engine that runs). */
export interface AutoRerankerOptions extends CommonRerankerOptions, LocalModelOptions, LlamaCppSettings, OnnxSettings, Excluded<RemoteSettings> {
  /** Which engine scores. `'auto'`: ONNX on a CPU when it can run the file (F32/F16/BF16/Q8_0/Q4_0), llama.cpp
   * when a GPU backend is asked for or available, or for other files. Default: `'auto'`. */
  engine?: 'auto';
}

/** `engine: 'onnx'`: F32/F16/BF16/Q8_0/Q4_0 files on onnxruntime-node (CPU, an optional dependency). */
export interface OnnxRerankerOptions extends CommonRerankerOptions, LocalModelOptions, OnnxSettings, Excluded<Omit<LlamaCppSettings, keyof OnnxSettings>>, Excluded<RemoteSettings> {
  engine: 'onnx';
}

/** `engine: 'llama-cpp'`: any GGUF on the CPU or a GPU. */
export interface LlamaCppRerankerOptions extends CommonRerankerOptions, LocalModelOptions, LlamaCppSettings, Excluded<Omit<OnnxSettings, keyof LlamaCppSettings>>, Excluded<RemoteSettings> {
  engine: 'llama-cpp';
}

/** A remote engine: the servers at `endpoints`, speaking the API `engine` names (every remote kind takes the same
 * options). */
export interface RemoteRerankerOptions extends CommonRerankerOptions, RemoteSettings, Excluded<LocalModelOptions & LlamaCppSettings & OnnxSettings> {
  engine: RemoteEngineKind;
}

/** Options of `createReranker`, one type per engine: an option another engine would ignore (`{ engine: 'vllm',
 * gpu: 'cuda' }`) is a type error, and at run time an `invalid_input` naming it. */
export type CreateRerankerOptions = AutoRerankerOptions | OnnxRerankerOptions | LlamaCppRerankerOptions | RemoteRerankerOptions;

// The keys each engine takes, listed once; `satisfies` fails to compile when an options type gains or loses a key.
const COMMON_KEYS = Object.keys({ engine: true, model: true, cacheSize: true } satisfies Record<keyof CommonRerankerOptions | 'engine', true>);
const LOCAL_MODEL_KEYS = Object.keys({ modelsDir: true, onDownloadProgress: true } satisfies Record<keyof LocalModelOptions, true>);
const LLAMA_CPP_KEYS = Object.keys({
  gpu: true,
  threads: true,
  sequences: true,
  sequenceContextSize: true,
  batchSize: true,
  flashAttention: true,
  kvCacheType: true,
} satisfies Record<keyof LlamaCppSettings, true>);
const ONNX_KEYS = Object.keys({ threads: true, prefixCacheBytes: true, profileFilePrefix: true } satisfies Record<keyof OnnxSettings, true>);
const REMOTE_KEYS = Object.keys({
  endpoints: true,
  apiKey: true,
  timeoutMs: true,
  maxRetries: true,
  maxDocumentsPerRequest: true,
  maxTokensPerRequest: true,
  healthCheckIntervalMs: true,
  maxConcurrentRequestsPerEndpoint: true,
} satisfies Record<keyof RemoteSettings, true>);

const ENGINE_KEYS = {
  auto: new Set([...COMMON_KEYS, ...LOCAL_MODEL_KEYS, ...LLAMA_CPP_KEYS, ...ONNX_KEYS]),
  onnx: new Set([...COMMON_KEYS, ...LOCAL_MODEL_KEYS, ...ONNX_KEYS]),
  'llama-cpp': new Set([...COMMON_KEYS, ...LOCAL_MODEL_KEYS, ...LLAMA_CPP_KEYS]),
  remote: new Set([...COMMON_KEYS, ...REMOTE_KEYS]),
};

/** Every engine's options in one bag, `engine` any kind: what a command line or a config file gives before
 * `checkRerankerOptions` has paired each option with the engine. */
export type UncheckedRerankerOptions = CommonRerankerOptions &
  LocalModelOptions &
  LlamaCppSettings &
  OnnxSettings &
  Partial<RemoteSettings> & { engine?: EngineKind };

/**
 * Throws an `InvalidInputError` naming the first option the chosen engine does not take (`gpu is not an option of
 * the vllm engine`), so that a JavaScript caller or a command line meets at run time what TypeScript reports at
 * compile time. Options set to `undefined` count as absent. The values' own checks stay with each engine.
 */
export function checkRerankerOptions(options: UncheckedRerankerOptions): asserts options is CreateRerankerOptions {
  const engine = options.engine ?? 'auto';
  if (!(ENGINE_KINDS as readonly string[]).includes(engine)) throw new InvalidInputError('engine', `engine must be one of ${ENGINE_KINDS.join(', ')}, got ${String(engine)}`);
  const allowed = isLocal(options) ? ENGINE_KEYS[options.engine ?? 'auto'] : ENGINE_KEYS.remote;
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && !allowed.has(key)) throw new InvalidInputError(key, `${key} is not an option of the ${engine} engine`);
  }
}

/**
 * Creates a reranker. Engines are imported lazily so that a remote-only deployment never loads llama.cpp.
 *
 * ```ts
 * await using ranker = await createReranker({ model: 'hf:giladgd/Qwen3-Reranker-0.6B-GGUF:Q8_0' });
 * const { results } = await ranker.rerank('what is RAG?', documents, { topN: 3 });
 * ```
 */
export async function createReranker(options: CreateRerankerOptions = {}): Promise<Reranker> {
  checkRerankerOptions(options);
  const engine = await createEngine(options);
  return createRerankerFromEngine(engine, options);
}

async function createEngine(options: CreateRerankerOptions): Promise<RerankEngine> {
  if (isLocal(options)) {
    const kind = options.engine ?? 'auto';
    const { resolveModelPath } = await import('./models/resolve-model.js');
    const modelPath = await resolveModelPath(options.model, {
      modelsDir: options.modelsDir,
      onProgress: options.onDownloadProgress,
    });
    const local = { ...options, modelPath, modelName: options.model ?? modelPath };
    if (kind === 'onnx') return createOnnxEngine(local);
    if (kind === 'auto' && !(await wantsGpu(options.gpu))) {
      // On a CPU the ONNX engine measured 1.5× the llama.cpp engine on both bench workloads (BENCHMARKS.md),
      // past issue 10's 1.3× bar. A file or an install it cannot run (tensor types other than
      // F32/F16/BF16/Q8_0/Q4_0, onnxruntime-node missing or failing to load) falls back to llama.cpp.
      try {
        return await createOnnxEngine(local);
      } catch (error) {
        if (!isRerankerError(error) || error.code !== 'model_load_failed') throw error;
      }
    }
    const { createLlamaCppEngine } = await import('./engines/llama-cpp/index.js');
    return createLlamaCppEngine(local);
  }
  const { engine: kind, ...remote } = options;
  const { createHttpEngine } = await import('./engines/http/index.js');
  return createHttpEngine({ ...remote, kind });
}

function isLocal<T extends { engine?: EngineKind }>(options: T): options is T & { engine?: LocalEngineKind } {
  return options.engine === undefined || (LOCAL_ENGINE_KINDS as readonly string[]).includes(options.engine);
}

/** A GPU backend was asked for, or `gpu: 'auto'` (the default) and node-llama-cpp finds one on this machine. */
async function wantsGpu(gpu: LlamaCppSettings['gpu']): Promise<boolean> {
  if (gpu === false) return false;
  if (gpu !== undefined && gpu !== 'auto') return true;
  const { llamaGpuSupported } = await import('./engines/local/llama-runtime.js');
  return llamaGpuSupported();
}

/** The ONNX engine's packages are optional dependencies: their absence is a load error that says so. */
async function createOnnxEngine(options: OnnxEngineOptions): Promise<RerankEngine> {
  const engine = await import('./engines/onnx/index.js').catch((error: unknown) => {
    throw new ModelLoadError('model_load_failed', `the ONNX engine's optional packages are not installed (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  });
  return engine.createOnnxEngine(options);
}
