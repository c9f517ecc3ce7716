// Generated random-weight test models, cached in <repo>/.cache/models/ (gitignored) and regenerated when the
// generator's source is newer than the cached file.
import { mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { writeQwen3Gguf, type WriteQwen3GgufOptions } from './gguf/qwen3-model.js';

/**
 * The models tests and benchmarks use. `tiny*` is SPEC.md's reference model (golden scores) in each layout;
 * `full-q8` is Qwen3-0.6B-shaped, Q8_0, in llama.cpp's ranking-head layout so that node-llama-cpp's
 * LlamaRankingContext (which needs `cls.output.weight`) can run on it for comparison. `tiny-q8` is the reference
 * model quantized to Q8_0 (`tiny-q8-f32`: the same Q8_0 values stored as F32; `tiny-q4`: Q4_0; `tiny-q4_1`: Q4_1, a type the ONNX engine refuses); `tiny-outlier*` has 3 hidden channels ×50 in the embeddings and the norms, in Q8_0 and
 * the same Q8_0 values stored as F32, for testing 8-bit activation quantization on activations that are not benign.
 */
const OUTLIERS = { channels: [5, 17, 40], factor: 50 };

/**
 * Files with the real family's structure for the fidelity tests (test/e2e/fidelity.test.ts): `gqa2` is
 * heads × head_dim ≠ hidden with GQA 2:1, `gqa4` is head_dim 128 with GQA 4:1 (both 3 layers); `untied` has an
 * answer head of its own (as Qwen3-Reranker-8B), so a score computed with the embedding's rows is wrong on it.
 * `real-*` are the exact hyper-parameters of Qwen3-Reranker-0.6B, -4B and -8B with one layer (Q8_0, tiled values).
 */
export const fidelityVariants = {
  'gqa4-rank-untied-f32': { shape: 'family-gqa4-hd128', layout: 'rank', head: 'untied', quant: 'f32' },
  'gqa4-rank-untied-f16': { shape: 'family-gqa4-hd128', layout: 'rank', head: 'untied', quant: 'f16' },
  'gqa4-rank-untied-bf16': { shape: 'family-gqa4-hd128', layout: 'rank', head: 'untied', quant: 'bf16' },
  'gqa4-rank-untied-q8': { shape: 'family-gqa4-hd128', layout: 'rank', head: 'untied', quant: 'q8_0' },
  'gqa4-rank-untied-q4': { shape: 'family-gqa4-hd128', layout: 'rank', head: 'untied', quant: 'q4_0' },
  'gqa4-causal-untied-f32': { shape: 'family-gqa4-hd128', layout: 'causal', head: 'untied', quant: 'f32' },
  'gqa4-causal-untied-q8': { shape: 'family-gqa4-hd128', layout: 'causal', head: 'untied', quant: 'q8_0' },
  'gqa4-rank-tied-q8': { shape: 'family-gqa4-hd128', layout: 'rank', head: 'tied', quant: 'q8_0' },
  'gqa2-rank-untied-f32': { shape: 'family-gqa2', layout: 'rank', head: 'untied', quant: 'f32' },
  'gqa2-causal-untied-f16': { shape: 'family-gqa2', layout: 'causal', head: 'untied', quant: 'f16' },
  'gqa2-causal-tied-bf16': { shape: 'family-gqa2', layout: 'causal', head: 'tied', quant: 'bf16' },
  'gqa2-rank-tied-q4': { shape: 'family-gqa2', layout: 'rank', head: 'tied', quant: 'q4_0' },
  'real-0.6b-1layer': { shape: 'qwen3-0.6b', layers: 1, layout: 'causal', quant: 'q8_0', fill: 'tiled' },
  'real-4b-1layer': { shape: 'qwen3-4b', layers: 1, layout: 'rank', quant: 'q8_0', fill: 'tiled' },
  'real-8b-1layer': { shape: 'qwen3-8b', layers: 1, layout: 'rank', quant: 'q8_0', fill: 'tiled' },
} as const satisfies Record<string, WriteQwen3GgufOptions>;

export const testModelVariants = {
  tiny: { shape: 'tiny', layout: 'causal', quant: 'f32' },
  'tiny-rank': { shape: 'tiny', layout: 'rank', quant: 'f32' },
  'tiny-q8': { shape: 'tiny', layout: 'causal', quant: 'q8_0' },
  'tiny-q8-f32': { shape: 'tiny', layout: 'causal', quant: 'q8_0-as-f32' },
  'tiny-q4': { shape: 'tiny', layout: 'causal', quant: 'q4_0' },
  'tiny-q4_1': { shape: 'tiny', layout: 'causal', quant: 'q4_1' },
  'tiny-outlier-f32': { shape: 'tiny', layout: 'causal', quant: 'q8_0-as-f32', outliers: OUTLIERS },
  'tiny-outlier-q8': { shape: 'tiny', layout: 'causal', quant: 'q8_0', outliers: OUTLIERS },
  'tiny-embedding': { shape: 'tiny', layout: 'embedding', quant: 'f32' },
  'full-q8': { shape: 'qwen3-0.6b', layout: 'rank', quant: 'q8_0' },
  // The same shape with an untied ranking head: the llama.cpp engine reads its scores from llama.cpp's ranking output.
  'full-q8-untied': { shape: 'qwen3-0.6b', layout: 'rank', head: 'untied', quant: 'q8_0' },
  ...fidelityVariants,
} as const satisfies Record<string, WriteQwen3GgufOptions>;

export type TestModelVariant = keyof typeof testModelVariants;

export interface EnsureTestModelOptions {
  /** Progress of the tensor data written, if the model has to be generated. Default: none. */
  onProgress?: (writtenBytes: number, totalBytes: number) => void;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const modelDirectory = `${repoRoot}.cache/models`;

/** Source files whose changes make a cached model stale. */
const generatorSources = ['gguf/gguf-writer.ts', 'gguf/spec-weights.ts', 'gguf/qwen3-model.ts'].map((file) =>
  fileURLToPath(new URL(file, import.meta.url)),
);

const pending = new Map<TestModelVariant, Promise<string>>();

/** Where `ensureTestModel` keeps a variant. */
export function testModelPath(variant: TestModelVariant): string {
  return `${modelDirectory}/qwen3-${variant}.random-weights.gguf`;
}

async function isFresh(path: string): Promise<boolean> {
  const model = await stat(path).catch(() => undefined);
  if (!model) return false;
  const sources = await Promise.all(generatorSources.map((source) => stat(source)));
  return sources.every((source) => source.mtimeMs <= model.mtimeMs);
}

/**
 * Returns the path of a generated test model, generating it first when it is missing or older than the
 * generator. Concurrent callers in one process share one generation; the file appears atomically.
 */
export function ensureTestModel(variant: TestModelVariant, options: EnsureTestModelOptions = {}): Promise<string> {
  let promise = pending.get(variant);
  if (!promise) {
    promise = (async () => {
      const path = testModelPath(variant);
      if (await isFresh(path)) return path;
      await mkdir(modelDirectory, { recursive: true });
      await writeQwen3Gguf(path, { ...testModelVariants[variant], ...options });
      return path;
    })();
    // A failed generation must not be cached: the next caller retries.
    promise.catch(() => pending.delete(variant));
    pending.set(variant, promise);
  }
  return promise;
}
