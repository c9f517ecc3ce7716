import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { GgmlType, readGgufFileInfo, type GgufFileInfo, type GgufTensorInfo } from 'node-llama-cpp';
import { ModelLoadError } from '../spec/errors.js';
import { NO_TOKEN_ID, YES_TOKEN_ID } from './template.js';
import { checkRerankerMetadata, firstLine, type ModelFacts } from './local-model.js';
import { languageModelHeadTensor, resolveAnswerHead, type AnswerHead } from './answer-head.js';

/** A GGUF that passed `readRerankerGguf`'s checks: what the engines need of its header. */
export interface RerankerGguf {
  facts: ModelFacts;
  /** node-llama-cpp's parse of the header, tensor table included. */
  info: GgufFileInfo;
  /** The file's answer head (core/answer-head.ts). */
  head: AnswerHead;
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
  const tensors = new Set((info.fullTensorInfo ?? []).map((tensor) => tensor.name));
  const archMetadata = ((info.metadata as unknown as Record<string, unknown>)[facts.architecture] ?? {}) as Record<string, unknown>;
  return { facts, info, head: resolveAnswerHead(modelPath, (name) => tensors.has(name), archMetadata) };
}

/**
 * Whether llama.cpp's language-model head computes exactly the file's answer head: true when the answer head is
 * that head's own rows, or when `cls.output.weight`'s yes/no rows hold the same type and bytes as the
 * language-model head's rows of tokens yes and no (a tied model converted to the ranking layout, quantized alike).
 * Then logit(yes) − logit(no) read from llama.cpp's logits is the file's score to the last bit.
 */
export function languageModelHeadIsAnswerHead(modelPath: string, { info, head }: RerankerGguf): boolean {
  const byName = new Map((info.fullTensorInfo ?? []).map((tensor) => [tensor.name, tensor]));
  const lmHead = byName.get(languageModelHeadTensor((name) => byName.has(name)));
  const answer = byName.get(head.tensor);
  if (!lmHead || !answer || lmHead === answer) return lmHead === answer;
  if (lmHead.ggmlType !== answer.ggmlType) return false;
  const [yes, no] = head.rows;
  const lmRows = readRowBytes(modelPath, lmHead, [YES_TOKEN_ID, NO_TOKEN_ID]);
  const answerRows = readRowBytes(modelPath, answer, [yes, no]);
  return lmRows !== undefined && answerRows !== undefined && Buffer.compare(lmRows, answerRows) === 0;
}

/** The stored bytes of some rows of a 2-D tensor (undefined for a type missing from `GGML_BLOCKS`). */
function readRowBytes(modelPath: string, tensor: GgufTensorInfo, rows: readonly number[]): Buffer | undefined {
  const block = GGML_BLOCKS[tensor.ggmlType];
  const columns = Number(tensor.dimensions[0]);
  if (!block || columns % block[0] !== 0) return undefined;
  const rowBytes = (columns / block[0]) * block[1];
  const out = Buffer.alloc(rows.length * rowBytes);
  const fd = openSync(modelPath, 'r');
  try {
    rows.forEach((row, i) => readSync(fd, out, i * rowBytes, rowBytes, Number(tensor.fileOffset) + row * rowBytes));
  } finally {
    closeSync(fd);
  }
  return out;
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
