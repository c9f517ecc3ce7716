import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { GgmlType, readGgufFileInfo, type GgufFileInfo, type GgufTensorInfo } from 'node-llama-cpp';
import { ModelLoadError } from '../../spec/errors.js';
import { NO_TOKEN_ID, YES_TOKEN_ID } from '../../core/template.js';
import { checkRerankerMetadata, firstLine, type ModelFacts } from './local-model.js';
import { ggmlBlockElements, ggmlByteLength } from './ggml-types.js';
import { languageModelHeadTensor, resolveAnswerHead, type AnswerHead } from './answer-head.js';


/** node-llama-cpp's header types, for the ONNX engine's tensor reader (which may import only this layer). */
export type { GgmlType, GgufFileInfo };

/** The name of a GGML type id (`Q4_K`), as node-llama-cpp's `GgmlType` spells it. */
export function ggmlTypeName(type: number): string {
  return GgmlType[type] ?? `type ${type}`;
}

/** A GGUF that passed `readRerankerGguf`'s checks: what the engines need of its header. */
export interface RerankerGguf {
  facts: ModelFacts;
  /** node-llama-cpp's parse of the header, tensor table included. */
  info: GgufFileInfo;
  /** The file's answer head (engines/local/answer-head.ts). */
  head: AnswerHead;
}

/**
 * Reads the GGUF header and refuses files that cannot be a Qwen3-Reranker: not a GGUF, another architecture, a
 * Qwen3 model converted for embeddings (engines/local/local-model.ts), or a file cut short. Both local engines run it
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

/** The stored bytes of some rows of a 2-D tensor (undefined for a type missing from ggml-types.ts). */
function readRowBytes(modelPath: string, tensor: GgufTensorInfo, rows: readonly number[]): Buffer | undefined {
  const columns = Number(tensor.dimensions[0]);
  const blockElements = ggmlBlockElements(tensor.ggmlType);
  if (!blockElements || columns % blockElements !== 0) return undefined;
  const rowBytes = ggmlByteLength(tensor.ggmlType, columns)!;
  const out = Buffer.alloc(rows.length * rowBytes);
  const fd = openSync(modelPath, 'r');
  try {
    rows.forEach((row, i) => readSync(fd, out, i * rowBytes, rowBytes, Number(tensor.fileOffset) + row * rowBytes));
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Where a tensor's data ends in the file (its start, when the type is not in ggml-types.ts). */
function tensorEnd(tensor: GgufTensorInfo): number {
  const start = Number(tensor.fileOffset);
  const elements = tensor.dimensions.reduce<number>((product, dimension) => product * Number(dimension), 1);
  return start + (ggmlByteLength(tensor.ggmlType, elements) ?? 0);
}
