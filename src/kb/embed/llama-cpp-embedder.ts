import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { throwIfAborted, ModelLoadError } from '../../spec/errors.js';
import { normalizeVector, type Embedder } from './embedder.js';

export interface LlamaCppEmbedderOptions {
  /** Path of a Qwen3-Embedding GGUF (its `pooling_type` metadata must be `last`, as the official GGUFs set). */
  modelPath: string;
  /** Task description put before queries. Default: the model card's web-search instruction. */
  instruction?: string;
  /** Context size in tokens; longer inputs are truncated to it. Default: 2048. */
  contextSize?: number;
  /** CPU threads. Default: half the logical CPUs (about the physical cores), at least 1. node-llama-cpp's own
   * default used every CPU and, measured on a loaded 2-core machine, took 1.1 s per embedding instead of 7–15 ms
   * (spinning threads wait for cores other processes hold). */
  threads?: number;
}

/** Qwen3-Embedding's default task (https://huggingface.co/Qwen/Qwen3-Embedding-0.6B, "Usage"). */
export const DEFAULT_EMBEDDING_INSTRUCTION = 'Given a web search query, retrieve relevant passages that answer the query';

/** Query format of the model card's `get_detailed_instruct`: documents are embedded without any prefix. */
export function formatEmbeddingQuery(instruction: string, query: string): string {
  return `Instruct: ${instruction}\nQuery:${query}`;
}

/**
 * A Qwen3-Embedding model on node-llama-cpp's embedding context: last-token pooling comes from the GGUF
 * (llama.cpp reads `<arch>.pooling_type`), node-llama-cpp appends the end-of-text token the model was trained
 * with (`resolveEndTokenToAppend`), vectors are L2-normalized as the model card does before cosine similarity.
 */
export async function createLlamaCppEmbedder(options: LlamaCppEmbedderOptions): Promise<Embedder> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const instruction = options.instruction ?? DEFAULT_EMBEDDING_INSTRUCTION;
  const contextSize = options.contextSize ?? 2048;
  const threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / 2));
  // Prebuilt binaries only (never compile llama.cpp on a user's machine), errors-only logging, as the reranker's engine.
  const llama = await getLlama({ gpu: 'auto', build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false, maxThreads: threads });
  let model;
  try {
    model = await llama.loadModel({ modelPath: options.modelPath });
  } catch (error) {
    await llama.dispose();
    throw new ModelLoadError('model_load_failed', `cannot load embedding model ${options.modelPath}: ${String(error)}`, { cause: error });
  }
  const context = await model.createEmbeddingContext({ contextSize, threads });
  // Room for the end token node-llama-cpp appends (and a beginning token on models that use one).
  const maxInputTokens = context.model.trainContextSize > 0 ? Math.min(contextSize, context.model.trainContextSize) - 2 : contextSize - 2;

  const embed = async (text: string): Promise<Float32Array> => {
    const tokens = model.tokenize(text).slice(0, maxInputTokens);
    const { vector } = await context.getEmbeddingFor(tokens);
    return normalizeVector(vector);
  };
  const dimensions = (await embed('dimension probe')).length;

  return {
    model: basename(options.modelPath),
    dimensions,
    async embedDocuments(texts, { signal } = {}) {
      const vectors: Float32Array[] = [];
      for (const text of texts) {
        throwIfAborted(signal);
        vectors.push(await embed(text));
      }
      return vectors;
    },
    embedQuery: (text) => embed(formatEmbeddingQuery(instruction, text)),
    async close() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
