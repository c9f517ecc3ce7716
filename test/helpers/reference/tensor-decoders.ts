// Decoders from GGUF tensor bytes to float64, written from the block layouts of ggml (not from the engines):
// ggml/src/ggml-common.h `block_q8_0` { ggml_half d; int8_t qs[32]; } and `block_q4_0` { ggml_half d; uint8_t
// qs[16]; }, and ggml/src/ggml-quants.c `dequantize_row_q8_0` (y = d·qs[j]) and `dequantize_row_q4_0` (element j
// = d·((qs[j] & 0x0F) − 8), element j + 16 = d·((qs[j] >> 4) − 8)). F32/F16/BF16 are little-endian scalars.
import { bf16ToNumber, fp16ToNumber } from './half-float.js';

/** `enum ggml_type` values this reference reads (ggml/include/ggml.h). */
export const GGML_TYPE = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8, BF16: 30 } as const;

/** Names of the other `enum ggml_type` values, for the error message. */
const OTHER_TYPE_NAMES: Record<number, string> = {
  3: 'Q4_1', 6: 'Q5_0', 7: 'Q5_1', 9: 'Q8_1', 10: 'Q2_K', 11: 'Q3_K', 12: 'Q4_K', 13: 'Q5_K', 14: 'Q6_K', 15: 'Q8_K',
  16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS', 19: 'IQ1_S', 20: 'IQ4_NL', 21: 'IQ3_S', 22: 'IQ2_S', 23: 'IQ4_XS',
  24: 'I8', 25: 'I16', 26: 'I32', 27: 'I64', 28: 'F64', 29: 'IQ1_M', 34: 'TQ1_0', 35: 'TQ2_0', 39: 'MXFP4',
};

export interface TypeLayout {
  name: string;
  /** Elements per block (1 for scalar types). */
  blockElements: number;
  blockBytes: number;
}

const LAYOUTS: Record<number, TypeLayout> = {
  [GGML_TYPE.F32]: { name: 'F32', blockElements: 1, blockBytes: 4 },
  [GGML_TYPE.F16]: { name: 'F16', blockElements: 1, blockBytes: 2 },
  [GGML_TYPE.BF16]: { name: 'BF16', blockElements: 1, blockBytes: 2 },
  [GGML_TYPE.Q8_0]: { name: 'Q8_0', blockElements: 32, blockBytes: 34 },
  [GGML_TYPE.Q4_0]: { name: 'Q4_0', blockElements: 32, blockBytes: 18 },
};

/** The block layout of a ggml type; throws for a type this reference does not decode. */
export function typeLayout(type: number): TypeLayout {
  const layout = LAYOUTS[type];
  if (!layout) throw new Error(`reference decoder: ggml type ${OTHER_TYPE_NAMES[type] ?? 'unknown'} (${type}) is not supported`);
  return layout;
}

/** Bytes of `elements` values of `type` (whole blocks only). */
export function byteLength(type: number, elements: number): number {
  const { blockElements, blockBytes, name } = typeLayout(type);
  if (elements % blockElements !== 0) throw new Error(`${elements} elements are not whole ${name} blocks of ${blockElements}`);
  return (elements / blockElements) * blockBytes;
}

/** True for the block types whose products 'q8_0-blocks' evaluates on integer quants. */
export function isBlockQuantized(type: number): boolean {
  return type === GGML_TYPE.Q8_0 || type === GGML_TYPE.Q4_0;
}

/** Decodes `count` values of `type` starting at `bytes[byteOffset]` into `out[outOffset...]`, exactly. */
export function decodeValues(type: number, bytes: Uint8Array, byteOffset: number, count: number, out: Float64Array, outOffset = 0): void {
  if (isBlockQuantized(type) && count % 32 !== 0) throw new Error(`${count} elements are not whole blocks of 32`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case GGML_TYPE.F32:
      for (let i = 0; i < count; i++) out[outOffset + i] = view.getFloat32(byteOffset + 4 * i, true);
      return;
    case GGML_TYPE.F16:
      for (let i = 0; i < count; i++) out[outOffset + i] = fp16ToNumber(view.getUint16(byteOffset + 2 * i, true));
      return;
    case GGML_TYPE.BF16:
      for (let i = 0; i < count; i++) out[outOffset + i] = bf16ToNumber(view.getUint16(byteOffset + 2 * i, true));
      return;
    case GGML_TYPE.Q8_0:
      for (let b = 0; b < count / 32; b++) {
        const at = byteOffset + 34 * b;
        const d = fp16ToNumber(bytes[at]! | (bytes[at + 1]! << 8));
        for (let j = 0; j < 32; j++) out[outOffset + 32 * b + j] = d * ((bytes[at + 2 + j]! << 24) >> 24);
      }
      return;
    case GGML_TYPE.Q4_0:
      for (let b = 0; b < count / 32; b++) {
        const at = byteOffset + 18 * b;
        const d = fp16ToNumber(bytes[at]! | (bytes[at + 1]! << 8));
        for (let j = 0; j < 16; j++) {
          const byte = bytes[at + 2 + j]!;
          out[outOffset + 32 * b + j] = d * ((byte & 0x0f) - 8);
          out[outOffset + 32 * b + j + 16] = d * ((byte >> 4) - 8);
        }
      }
      return;
    default:
      typeLayout(type);
      throw new Error(`reference decoder: no decoder for ggml type ${type}`);
  }
}

/**
 * Splits `count` values of a Q8_0 or Q4_0 tensor into per-block scales (fp16 `d` as a number) and integer quants
 * (Q8_0: qs; Q4_0: nibble − 8), so value i = scales[i / 32] · quants[i].
 */
export function decodeBlocks(type: number, bytes: Uint8Array, byteOffset: number, count: number, scales: Float64Array, quants: Int8Array): void {
  if (count % 32 !== 0) throw new Error(`${count} elements are not whole blocks of 32`);
  const blocks = count / 32;
  if (type === GGML_TYPE.Q8_0) {
    for (let b = 0; b < blocks; b++) {
      const at = byteOffset + 34 * b;
      scales[b] = fp16ToNumber(bytes[at]! | (bytes[at + 1]! << 8));
      for (let j = 0; j < 32; j++) quants[32 * b + j] = (bytes[at + 2 + j]! << 24) >> 24;
    }
  } else if (type === GGML_TYPE.Q4_0) {
    for (let b = 0; b < blocks; b++) {
      const at = byteOffset + 18 * b;
      scales[b] = fp16ToNumber(bytes[at]! | (bytes[at + 1]! << 8));
      for (let j = 0; j < 16; j++) {
        const byte = bytes[at + 2 + j]!;
        quants[32 * b + j] = (byte & 0x0f) - 8;
        quants[32 * b + j + 16] = (byte >> 4) - 8;
      }
    }
  } else {
    throw new Error(`reference decoder: ggml type ${typeLayout(type).name} has no integer blocks`);
  }
}
