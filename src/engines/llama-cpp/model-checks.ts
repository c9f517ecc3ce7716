import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { GgmlType, readGgufFileInfo, type GgufTensorInfo } from 'node-llama-cpp';
import { ModelLoadError } from '../../spec/errors.js';

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
 * Reads the GGUF header and refuses files that cannot be a Qwen3-Reranker: not a GGUF, another architecture,
 * or a Qwen3 model converted for embeddings (pooling mean/cls/last), whose head was not trained to answer yes/no.
 */
export async function checkRerankerGguf(modelPath: string): Promise<ModelFacts> {
  let metadata: Record<string, unknown>;
  let tensorDataEnd: number;
  try {
    const info = await readGgufFileInfo(modelPath, { readTensorInfo: true });
    metadata = info.metadata as unknown as Record<string, unknown>;
    tensorDataEnd = Math.max(0, ...(info.fullTensorInfo ?? []).filter((tensor) => tensor.filePart === 1).map(tensorEnd));
  } catch (error) {
    throw new ModelLoadError('not_a_reranker', `${modelPath} is not a readable GGUF file (${firstLine(error)})`, { cause: error });
  }
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
  // A cut-off download or copy: llama.cpp would fail deep inside loading and print its own log lines.
  const size = statSync(modelPath).size;
  if (size < tensorDataEnd) {
    throw new ModelLoadError('not_a_reranker', `${modelPath} is truncated: its tensors need ${tensorDataEnd} bytes, the file has ${size}`);
  }
  const custom = (metadata.qwen_ranker ?? {}) as Record<string, unknown>;
  const name = typeof general.name === 'string' ? general.name : undefined;
  return { architecture, name, demo: custom.random_weights === true };
}

/** Block size and bytes per block of ggml types (ggml/src/ggml.c `type_traits`), for the types GGUF rerankers use. */
const GGML_BLOCKS: Partial<Record<GgmlType, [number, number]>> = {
  [GgmlType.F32]: [1, 4],
  [GgmlType.F16]: [1, 2],
  [GgmlType.BF16]: [1, 2],
  [GgmlType.Q4_0]: [32, 18],
  [GgmlType.Q4_1]: [32, 20],
  [GgmlType.Q5_0]: [32, 22],
  [GgmlType.Q5_1]: [32, 24],
  [GgmlType.Q8_0]: [32, 34],
  [GgmlType.Q2_K]: [256, 84],
  [GgmlType.Q3_K]: [256, 110],
  [GgmlType.Q4_K]: [256, 144],
  [GgmlType.Q5_K]: [256, 176],
  [GgmlType.Q6_K]: [256, 210],
};

/** Where a tensor's data ends in the file (its start, when the type is not in `GGML_BLOCKS`). */
function tensorEnd(tensor: GgufTensorInfo): number {
  const start = Number(tensor.fileOffset);
  const block = GGML_BLOCKS[tensor.ggmlType];
  if (!block) return start;
  const elements = tensor.dimensions.reduce<number>((product, dimension) => product * Number(dimension), 1);
  return start + Math.ceil(elements / block[0]) * block[1];
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

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
