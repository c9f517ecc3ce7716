import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ModelLoadError } from '../../spec/errors.js';
import { integerOption } from '../../core/integer-option.js';

// What every local engine checks and defaults the same way: whether a GGUF's metadata is a Qwen3-Reranker, and
// the thread count.

/** llama.cpp `enum llama_pooling_type` (llama.h): the values a GGUF's `<arch>.pooling_type` can hold. */
const POOLING_RANK = 4;
const POOLING_NONE = 0;

export interface ModelFacts {
  architecture: string;
  name: string | undefined;
  /** Generated random-weight model (see test/helpers/gguf): its scores are meaningless. */
  demo: boolean;
}

/**
 * Refuses GGUF metadata that cannot be a Qwen3-Reranker: another architecture, or a Qwen3 model converted for
 * embeddings (pooling mean/cls/last), whose head was not trained to answer yes/no.
 */
export function checkRerankerMetadata(modelPath: string, metadata: Record<string, unknown>): ModelFacts {
  const general = (metadata.general ?? {}) as Record<string, unknown>;
  const architecture = String(general.architecture ?? 'unknown');
  if (architecture !== 'qwen3') {
    throw new ModelLoadError(
      'not_a_reranker',
      `${modelPath} is a "${architecture}" model; qwen-ranker needs a Qwen3-Reranker GGUF (architecture qwen3)`,
    );
  }
  const archKeys = (metadata[architecture] ?? {}) as Record<string, unknown>;
  const pooling = archKeys.pooling_type;
  if (typeof pooling === 'number' && pooling !== POOLING_RANK && pooling !== POOLING_NONE) {
    throw new ModelLoadError(
      'not_a_reranker',
      `${modelPath} is a Qwen3 embedding model (pooling type ${pooling}), not a Qwen3-Reranker`,
    );
  }
  const custom = (metadata.qwen_ranker ?? {}) as Record<string, unknown>;
  const name = typeof general.name === 'string' ? general.name : undefined;
  return { architecture, name, demo: custom.random_weights === true };
}

/**
 * Physical cores: llama.cpp runs fastest with one thread per physical core; node-llama-cpp's default
 * (max(cpuMathCores, 4)) oversubscribes small machines (measured here: 2 cores, 4 threads ≈ half speed).
 */
export function physicalCoreCount(): number {
  try {
    const cores = new Set<string>();
    let physical = '0';
    for (const line of readFileSync('/proc/cpuinfo', 'utf8').split('\n')) {
      const [key, value] = line.split(':').map((s) => s.trim());
      if (key === 'physical id') physical = value ?? '0';
      else if (key === 'core id') cores.add(`${physical}:${value}`);
    }
    if (cores.size > 0) return cores.size;
  } catch {
    // not Linux: fall through
  }
  return Math.max(1, availableParallelism());
}

/** A local engine's `threads` option, checked. Default: the physical cores. More threads than logical cores only
 * make the compute threads (llama.cpp's, onnxruntime's) wait for each other. */
export function resolveThreads(threads: number | undefined): number {
  return integerOption(threads, physicalCoreCount(), 'threads', { min: 1, max: availableParallelism(), maxReason: "this machine's logical cores" });
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
