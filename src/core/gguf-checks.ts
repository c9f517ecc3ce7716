import { statSync } from 'node:fs';
import { GgmlType, readGgufFileInfo, type GgufFileInfo, type GgufTensorInfo } from 'node-llama-cpp';
import { ModelLoadError } from '../spec/errors.js';
import { checkRerankerMetadata, firstLine, type ModelFacts } from './local-model.js';

/** A GGUF that passed `readRerankerGguf`'s checks: what the engines need of its header. */
export interface RerankerGguf {
  facts: ModelFacts;
  /** node-llama-cpp's parse of the header, tensor table included. */
  info: GgufFileInfo;
}

/**
 * Reads the GGUF header and refuses files that cannot be a Qwen3-Reranker: not a GGUF, another architecture, a
 * Qwen3 model converted for embeddings (core/local-model.ts), or a file cut short. Both local engines run it
 * before loading anything.
 */
export async function readRerankerGguf(modelPath: string): Promise<RerankerGguf> {
  let info: GgufFileInfo;
  let tensorDataEnd: number;
  try {
    info = await readGgufFileInfo(modelPath, { readTensorInfo: true, logWarnings: false });
    tensorDataEnd = Math.max(0, ...(info.fullTensorInfo ?? []).filter((tensor) => tensor.filePart === 1).map(tensorEnd));
  } catch (error) {
    throw new ModelLoadError('not_a_reranker', `${modelPath} is not a readable GGUF file (${firstLine(error)})`, { cause: error });
  }
  const facts = checkRerankerMetadata(modelPath, info.metadata as unknown as Record<string, unknown>);
  // A cut-off download or copy: llama.cpp would fail deep inside loading and print its own log lines.
  const size = statSync(modelPath).size;
  if (size < tensorDataEnd) {
    throw new ModelLoadError('not_a_reranker', `${modelPath} is truncated: its tensors need ${tensorDataEnd} bytes, the file has ${size}`);
  }
  return { facts, info };
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
