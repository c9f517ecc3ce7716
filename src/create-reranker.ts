import type { EngineKind, Reranker } from './spec/types.js';
import { isRerankerError, ModelLoadError } from './spec/errors.js';
import type { RerankEngine } from './spec/engine.js';
import { createRerankerFromEngine, type RerankerFacadeOptions } from './core/reranker.js';
import type { LocalEngineOptions } from './engines/llama-cpp/index.js';
import type { OnnxEngineOptions } from './engines/onnx/index.js';
import type { HttpEngineOptions } from './engines/http/index.js';
import type { DownloadProgress } from './models/download.js';

/**
 * Options of `createReranker`. Local options apply to the local engines (`auto`, the default, `llama-cpp`,
 * `onnx`); `endpoints`/`apiKey`/... apply to the remote engines.
 */
export interface CreateRerankerOptions
  extends RerankerFacadeOptions,
    Omit<LocalEngineOptions, 'modelPath'>,
    Omit<OnnxEngineOptions, 'modelPath' | 'modelName'>,
    Partial<Omit<HttpEngineOptions, 'kind'>> {
  /** Local GGUF path or `hf:owner/repo[:quant]` URI (local engine), or the model name sent to a remote engine.
   * Default: `DEFAULT_MODEL` (Qwen3-Reranker-0.6B, Q8_0). */
  model?: string;
  /** Which engine scores. `'onnx'` runs F32/F16/BF16/Q8_0/Q4_0 files on onnxruntime-node (CPU, an optional
   * dependency); `'llama-cpp'` runs any GGUF on the CPU or a GPU. `'auto'`: ONNX on a CPU when it can run the file,
   * llama.cpp when a GPU backend is asked for or available, or for other files. Default: `'auto'`. */
  engine?: EngineKind;
  /** Directory for downloaded models. Default: `$QWEN_RANKER_MODELS_DIR` or `~/.cache/qwen-ranker/models`. */
  modelsDir?: string;
  /** Download progress for `hf:` models. */
  onDownloadProgress?: (progress: DownloadProgress) => void;
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
  const engine = await createEngine(options);
  return createRerankerFromEngine(engine, options);
}

async function createEngine(options: CreateRerankerOptions): Promise<RerankEngine> {
  const kind = options.engine ?? 'auto';
  if (kind === 'auto' || kind === 'llama-cpp' || kind === 'onnx') {
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
  const { createHttpEngine } = await import('./engines/http/index.js');
  return createHttpEngine({ ...options, kind, endpoints: options.endpoints ?? [] } as HttpEngineOptions);
}

/** A GPU backend was asked for, or `gpu: 'auto'` (the default) and node-llama-cpp finds one on this machine. */
async function wantsGpu(gpu: CreateRerankerOptions['gpu']): Promise<boolean> {
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
