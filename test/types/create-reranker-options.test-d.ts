// Type-level test of createReranker's options, checked by `npm run typecheck` (tsconfig includes test/): each
// `@ts-expect-error` line fails the check when its error disappears, so an option another engine would ignore stays
// a compile error. Nothing here runs: the functions are never called.
import type { CreateRerankerOptions, LlamaCppRerankerOptions, OnnxRerankerOptions, RemoteRerankerOptions } from '../../src/index.js';

const accept = (options: CreateRerankerOptions): CreateRerankerOptions => options;

export function acceptsEachEnginesOwnOptions(): CreateRerankerOptions[] {
  return [
    accept({}),
    accept({ model: 'hf:giladgd/Qwen3-Reranker-0.6B-GGUF:Q8_0', cacheSize: 0 }),
    // `auto` may run either local engine, so both engines' options apply.
    accept({ gpu: false, threads: 2, sequences: 2, prefixCacheBytes: 0 }),
    accept({ engine: 'auto', kvCacheType: 'f32', profileFilePrefix: 'p' }),
    accept({ engine: 'onnx', threads: 2, prefixCacheBytes: 1024, modelsDir: '/tmp', onDownloadProgress: () => {} }),
    accept({ engine: 'llama-cpp', gpu: 'cuda', threads: 2, sequences: 4, sequenceContextSize: 512, batchSize: 256, flashAttention: 'auto', kvCacheType: 'f16' }),
    accept({ engine: 'vllm', endpoints: ['http://gpu1:8000'], model: 'qwen', apiKey: 'k', timeoutMs: 1000, maxRetries: 1 }),
    accept({ engine: 'cohere', endpoints: ['https://api.cohere.com'], maxDocumentsPerRequest: 16, healthCheckIntervalMs: 0, cacheSize: 0 }),
  ];
}

export function refusesAnotherEnginesOptions(): CreateRerankerOptions[] {
  return [
    // @ts-expect-error gpu is a llama.cpp option: a remote engine would ignore it
    accept({ engine: 'vllm', endpoints: ['http://gpu1:8000'], gpu: 'cuda' }),
    // @ts-expect-error threads is a local option
    accept({ engine: 'tei', endpoints: ['http://gpu1:8080'], threads: 4 }),
    // @ts-expect-error modelsDir is where local engines keep downloads
    accept({ engine: 'cohere', endpoints: ['http://ranker:8000'], modelsDir: '/models' }),
    // @ts-expect-error sequences is a llama.cpp option
    accept({ engine: 'onnx', sequences: 4 }),
    // @ts-expect-error kvCacheType is a llama.cpp option
    accept({ engine: 'onnx', kvCacheType: 'f32' }),
    // @ts-expect-error gpu is a llama.cpp option: the ONNX engine runs on the CPU only
    accept({ engine: 'onnx', gpu: false }),
    // @ts-expect-error prefixCacheBytes is an ONNX option
    accept({ engine: 'llama-cpp', prefixCacheBytes: 0 }),
    // @ts-expect-error endpoints belong to a remote engine; without `engine` this is `auto`
    accept({ endpoints: ['http://gpu1:8000'] }),
    // @ts-expect-error apiKey belongs to a remote engine
    accept({ engine: 'llama-cpp', apiKey: 'k' }),
    // @ts-expect-error a remote engine needs its endpoints
    accept({ engine: 'llama-server' }),
    // @ts-expect-error not an engine
    accept({ engine: 'gguf' }),
  ];
}

// Each variant is exported and names its engine.
export const variants: Array<OnnxRerankerOptions['engine'] | LlamaCppRerankerOptions['engine'] | RemoteRerankerOptions['engine']> = ['onnx', 'llama-cpp', 'vllm'];
