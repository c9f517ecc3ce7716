import type { GgmlType } from 'node-llama-cpp';

/**
 * The GGML type ids GGUF rerankers use (ggml/include/ggml.h `enum ggml_type`, as GGUF stores them). Spelled out
 * rather than read from node-llama-cpp's `GgmlType` so that the ONNX session's worker thread, which reads tensors,
 * never loads node-llama-cpp (about a second of start-up); the `satisfies` clause checks each id against it.
 */
export const GGML_TYPE = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  BF16: 30,
} as const satisfies { [Name in keyof typeof GgmlType]?: (typeof GgmlType)[Name] };

/** Elements per block and bytes per block of each type (ggml/src/ggml.c `type_traits`); plain floats are blocks of one. */
const GGML_BLOCKS: Partial<Record<number, readonly [elements: number, bytes: number]>> = {
  [GGML_TYPE.F32]: [1, 4],
  [GGML_TYPE.F16]: [1, 2],
  [GGML_TYPE.BF16]: [1, 2],
  [GGML_TYPE.Q4_0]: [32, 18],
  [GGML_TYPE.Q4_1]: [32, 20],
  [GGML_TYPE.Q5_0]: [32, 22],
  [GGML_TYPE.Q5_1]: [32, 24],
  [GGML_TYPE.Q8_0]: [32, 34],
  [GGML_TYPE.Q2_K]: [256, 84],
  [GGML_TYPE.Q3_K]: [256, 110],
  [GGML_TYPE.Q4_K]: [256, 144],
  [GGML_TYPE.Q5_K]: [256, 176],
  [GGML_TYPE.Q6_K]: [256, 210],
};

/** Elements per block of a type (1 for plain floats); undefined for a type not in the table. */
export function ggmlBlockElements(type: number): number | undefined {
  return GGML_BLOCKS[type]?.[0];
}

/** Bytes that `elements` values of a type take in the file; undefined for a type not in the table. */
export function ggmlByteLength(type: number, elements: number): number | undefined {
  const block = GGML_BLOCKS[type];
  return block && Math.ceil(elements / block[0]) * block[1];
}
