import { getLlama, getLlamaGpuTypes, LlamaLogLevel, type Llama, type LlamaOptions } from 'node-llama-cpp';

/**
 * How every part of the project starts llama.cpp: node-llama-cpp's prebuilt binaries (`build: 'never'`: never
 * download and compile llama.cpp), errors only in its log, no progress output. Plain data, so that the body
 * tokenizer's worker thread (body-tokenizer.ts) receives the same settings.
 */
export const LLAMA_RUNTIME_OPTIONS = { build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false } as const satisfies LlamaOptions;

/** A llama.cpp runtime of its own (the llama.cpp engine owns and disposes it). */
export function createLlamaRuntime(options: Pick<LlamaOptions, 'gpu' | 'maxThreads'>): Promise<Llama> {
  return getLlama({ ...LLAMA_RUNTIME_OPTIONS, ...options });
}

let vocabularyRuntime: Promise<Llama> | undefined;

/**
 * llama.cpp on the CPU, loaded once per process and never disposed, for vocabularies only (models loaded with
 * `vocabOnly`: the ONNX engine's tokenizer, `createTokenizer`). A failed load is retried on the next call.
 */
export function sharedVocabularyRuntime(): Promise<Llama> {
  vocabularyRuntime ??= createLlamaRuntime({ gpu: false });
  vocabularyRuntime.catch(() => (vocabularyRuntime = undefined));
  return vocabularyRuntime;
}

/** Whether node-llama-cpp finds a GPU backend (CUDA, Metal, Vulkan) it supports on this machine. */
export async function llamaGpuSupported(): Promise<boolean> {
  return (await getLlamaGpuTypes('supported')).some((type) => type !== false);
}
