import type { EngineKind, Reranker } from './spec/types.js';
import type { RerankEngine } from './spec/engine.js';
import { createRerankerFromEngine, type RerankerFacadeOptions } from './core/reranker.js';
import type { LocalEngineOptions } from './engines/llama-cpp/index.js';
import type { HttpEngineOptions } from './engines/http/index.js';
import type { DownloadProgress } from './models/download.js';

/**
 * Options of `createReranker`. Local (llama.cpp) options apply when `engine` is `'llama-cpp'` (the default);
 * `endpoints`/`apiKey`/... apply to the remote engines.
 */
export interface CreateRerankerOptions
  extends RerankerFacadeOptions,
    Omit<LocalEngineOptions, 'modelPath'>,
    Partial<Omit<HttpEngineOptions, 'kind'>> {
  /** Local GGUF path or `hf:owner/repo[:quant]` URI (local engine), or the model name sent to a remote engine.
   * Default: `DEFAULT_MODEL` (Qwen3-Reranker-0.6B, Q8_0). */
  model?: string;
  /** Which engine scores. Default: `'llama-cpp'`. */
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
  const kind = options.engine ?? 'llama-cpp';
  if (kind === 'llama-cpp') {
    const { resolveModelPath } = await import('./models/resolve-model.js');
    const modelPath = await resolveModelPath(options.model, {
      modelsDir: options.modelsDir,
      onProgress: options.onDownloadProgress,
    });
    const { createLlamaCppEngine } = await import('./engines/llama-cpp/index.js');
    return createLlamaCppEngine({ ...options, modelPath, modelName: options.model ?? modelPath });
  }
  const { createHttpEngine } = await import('./engines/http/index.js');
  return createHttpEngine({ ...options, kind, endpoints: options.endpoints ?? [] } as HttpEngineOptions);
}
