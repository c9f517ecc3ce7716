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
