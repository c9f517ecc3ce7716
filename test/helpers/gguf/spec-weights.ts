// Deterministic random weights of the tiny reference model, and their F32 / Q8_0 encodings.
// The hash and the value formulas are those of ../shared/fixtures/qwen3-tiny-reference/SPEC.md ("Weights");
// the golden scores in reference.json were computed on exactly these values.
import { GgmlType } from 'node-llama-cpp';
import { dequantize } from '../../../src/engines/onnx/gguf-tensors.js';

/** How a tensor's values are derived from the hash: a scaled matrix or a norm weight around 1, optionally with a
 * few channels (element index modulo `period`) multiplied by `factor` (outlier test models, not in SPEC.md). */
export type WeightKind = ({ kind: 'mat'; scale: number } | { kind: 'norm' }) & { amplify?: Amplify };

export interface Amplify {
  period: number;
  channels: readonly number[];
  factor: number;
}

/** Elements generated per chunk: 4 MB of float32, large enough that per-chunk overhead is negligible. */
const CHUNK_ELEMENTS = 1 << 20;

/**
 * Fills `out` with elements `startIndex ..` of tensor number `tensorIndex` (SPEC.md: all arithmetic on u32,
 * value in float64 then rounded to float32 by the Float32Array store).
 */
export function fillSpecWeights(out: Float32Array, tensorIndex: number, startIndex: number, weight: WeightKind): void {
  const tensorTerm = Math.imul(tensorIndex, 0x85ebca77);
  const scale = weight.kind === 'mat' ? weight.scale : 0.1;
  const offset = weight.kind === 'mat' ? 0 : 1;
  for (let i = 0; i < out.length; i++) {
    let x = (Math.imul(startIndex + i, 0x9e3779b1) + tensorTerm + 1) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x045d9f3b) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x045d9f3b) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    out[i] = offset + scale * ((x / 4294967296) * 2 - 1);
  }
  const { amplify } = weight;
  if (!amplify) return;
  for (let i = 0; i < out.length; i++) {
    if (amplify.channels.includes((startIndex + i) % amplify.period)) out[i] = out[i]! * amplify.factor;
  }
}

/** Yields `count` float32 elements of a tensor as little-endian bytes, one reused chunk buffer at a time. */
export function* specWeightsF32(tensorIndex: number, count: number, weight: WeightKind): Generator<Uint8Array> {
  // Float32Array stores in platform order; every platform Node supports here is little endian like GGUF.
  const values = new Float32Array(Math.min(CHUNK_ELEMENTS, count));
  for (let start = 0; start < count; start += values.length) {
    const chunk = values.subarray(0, Math.min(values.length, count - start));
    fillSpecWeights(chunk, tensorIndex, start, weight);
    yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** Yields `count` elements of a tensor as 16-bit floats (`toBits`: F16 or BF16 rounding), little endian. */
export function* specWeights16(toBits: (value: number) => number, tensorIndex: number, count: number, weight: WeightKind): Generator<Uint8Array> {
  const values = new Float32Array(Math.min(CHUNK_ELEMENTS, count));
  const halves = new Uint16Array(values.length);
  for (let start = 0; start < count; start += values.length) {
    const chunk = values.subarray(0, Math.min(values.length, count - start));
    fillSpecWeights(chunk, tensorIndex, start, weight);
    for (let i = 0; i < chunk.length; i++) halves[i] = toBits(chunk[i]!);
    yield new Uint8Array(halves.buffer, 0, chunk.length * 2);
  }
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE 754 binary16 bits of a float32 value, round to nearest even (as GGML_FP32_TO_FP16 with F16C). */
export function float32ToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const halfway = 1 << (shift - 1);
    const remainder = mantissa & ((1 << shift) - 1);
    let half = mantissa >>> shift;
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  const remainder = mantissa & 0x1fff;
  let half = (halfExponent << 10) | (mantissa >>> 13);
  // A carry out of the mantissa correctly bumps the exponent.
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** bfloat16 bits of a float32 value, round to nearest even (ggml.h `ggml_compute_fp32_to_bf16`; no NaNs here). */
export function float32ToBfloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0] ?? 0;
  return ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16) & 0xffff;
}

/** Q8_0 block size and bytes per block (block_q8_0 in ggml/src/ggml-common.h: f16 d + int8 qs[32]). */
const Q8_0_BLOCK = 32;
const Q8_0_BLOCK_BYTES = 34;

/**
 * Quantizes `values` (a multiple of 32 long) into `out` as Q8_0 blocks, mirroring `quantize_row_q8_0_ref` in
 * ggml/src/ggml-quants.c: d = max|x| / 127 (stored as f16), q = roundf(x * (1/d)) with float32 arithmetic.
 */
export function quantizeQ8_0(values: Float32Array, out: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const blocks = values.length / Q8_0_BLOCK;
  for (let block = 0; block < blocks; block++) {
    const base = block * Q8_0_BLOCK;
    let absMax = 0;
    for (let i = 0; i < Q8_0_BLOCK; i++) absMax = Math.max(absMax, Math.abs(values[base + i] ?? 0));
    const d = Math.fround(absMax / 127);
    const inverse = d !== 0 ? Math.fround(1 / d) : 0;
    const outBase = block * Q8_0_BLOCK_BYTES;
    view.setUint16(outBase, float32ToFloat16Bits(d), true);
    for (let i = 0; i < Q8_0_BLOCK; i++) {
      const scaled = Math.fround((values[base + i] ?? 0) * inverse);
      // roundf rounds halves away from zero; Math.round rounds them up.
      const quantized = scaled < 0 ? -Math.round(-scaled) : Math.round(scaled);
      view.setInt8(outBase + 2 + i, quantized);
    }
  }
}

/**
 * Yields `count` elements of a tensor as float32 after a Q8_0 round trip: the exact values a Q8_0 file holds,
 * stored as F32 (the float reference for 8-bit activation quantization on the same weights).
 */
export function* specWeightsQ8_0AsF32(tensorIndex: number, count: number, weight: WeightKind): Generator<Uint8Array> {
  for (const blocks of specWeightsQ8_0(tensorIndex, count, weight)) {
    const values = dequantizedQ8_0(blocks, (blocks.length / Q8_0_BLOCK_BYTES) * Q8_0_BLOCK);
    yield new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
}

/** The float32 values `count` elements of Q8_0 blocks hold. */
export function dequantizedQ8_0(blocks: Uint8Array, count: number): Float32Array {
  const values = new Float32Array(count);
  dequantize({ name: 'blocks', type: GgmlType.Q8_0, shape: [count], bytes: blocks.subarray(0, (count / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES) }, values);
  return values;
}

/**
 * Q4_0 blocks as `quantize_row_q4_0_ref` (ggml-quants.c) writes them: d = (the signed value of largest magnitude)
 * / −8, q = min(15, trunc(x/d + 8.5)); byte j holds element j (low nibble) and element j + 16 (high nibble).
 */
export function quantizeQ4_0(values: Float32Array, out: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let block = 0; block < values.length / 32; block++) {
    const x = values.subarray(block * 32, block * 32 + 32);
    let absMax = 0;
    let max = 0;
    for (const v of x) {
      if (Math.abs(v) > absMax) {
        absMax = Math.abs(v);
        max = v;
      }
    }
    const d = Math.fround(max / -8);
    const inverse = d !== 0 ? Math.fround(1 / d) : 0;
    view.setUint16(block * 18, float32ToFloat16Bits(d), true);
    const q = (v: number) => Math.min(15, Math.trunc(Math.fround(Math.fround(v * inverse) + 8.5)));
    for (let j = 0; j < 16; j++) out[block * 18 + 2 + j] = q(x[j]!) | (q(x[j + 16]!) << 4);
  }
}

/**
 * Q4_1 blocks as `quantize_row_q4_1_ref` writes them: d = (max − min)/15, m = min, q = min(15, trunc((x − m)/d
 * + 0.5)). Only used to make a file with a type the ONNX engine refuses.
 */
export function quantizeQ4_1(values: Float32Array, out: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let block = 0; block < values.length / 32; block++) {
    const x = values.subarray(block * 32, block * 32 + 32);
    const min = Math.min(...x);
    const d = Math.fround((Math.max(...x) - min) / 15);
    const inverse = d !== 0 ? Math.fround(1 / d) : 0;
    view.setUint16(block * 20, float32ToFloat16Bits(d), true);
    view.setUint16(block * 20 + 2, float32ToFloat16Bits(min), true);
    const q = (v: number) => Math.min(15, Math.trunc(Math.fround(Math.fround((v - min) * inverse) + 0.5)));
    for (let j = 0; j < 16; j++) out[block * 20 + 4 + j] = q(x[j]!) | (q(x[j + 16]!) << 4);
  }
}

const BLOCK_ENCODINGS = {
  Q8_0: { bytes: Q8_0_BLOCK_BYTES, quantize: quantizeQ8_0 },
  Q4_0: { bytes: 18, quantize: quantizeQ4_0 },
  Q4_1: { bytes: 20, quantize: quantizeQ4_1 },
} as const;

export type BlockType = keyof typeof BLOCK_ENCODINGS;

/** Yields `count` elements of a tensor as blocks of `type`, one reused chunk buffer at a time. */
export function* specWeightsBlocks(type: BlockType, tensorIndex: number, count: number, weight: WeightKind): Generator<Uint8Array> {
  const encoding = BLOCK_ENCODINGS[type];
  const values = new Float32Array(Math.min(CHUNK_ELEMENTS, count));
  const bytes = new Uint8Array((values.length / Q8_0_BLOCK) * encoding.bytes);
  for (let start = 0; start < count; start += values.length) {
    const chunk = values.subarray(0, Math.min(values.length, count - start));
    fillSpecWeights(chunk, tensorIndex, start, weight);
    const out = bytes.subarray(0, (chunk.length / Q8_0_BLOCK) * encoding.bytes);
    encoding.quantize(chunk, out);
    yield out;
  }
}

/** Yields `count` elements of a tensor as Q8_0 blocks. */
export function specWeightsQ8_0(tensorIndex: number, count: number, weight: WeightKind): Generator<Uint8Array> {
  return specWeightsBlocks('Q8_0', tensorIndex, count, weight);
}
