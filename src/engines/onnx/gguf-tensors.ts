import { closeSync, openSync, readSync } from 'node:fs';
import type { GgmlType, GgufFileInfo } from '../local/gguf-checks.js';
import { ModelLoadError } from '../../spec/errors.js';
import { GGML_TYPE as GGML, ggmlByteLength } from '../local/ggml-types.js';

/** The GGML tensor types this engine maps exactly onto ONNX Runtime operators. */
const SUPPORTED_TYPES = new Set<number>([GGML.F32, GGML.F16, GGML.BF16, GGML.Q8_0, GGML.Q4_0]);

/** ggml-common.h: `block_q8_0` = fp16 scale + 32 int8; `block_q4_0` = fp16 scale + 16 bytes of 4-bit pairs. */
export const QUANT_BLOCK = 32;

/** A file whose tensors include a type the ONNX engine cannot run without re-quantizing. */
export class UnsupportedTensorTypeError extends ModelLoadError {
  constructor(
    readonly modelPath: string,
    /** Type names (e.g. `Q4_K`) with one tensor each as an example. */
    readonly tensorTypes: ReadonlyArray<{ type: string; example: string }>,
  ) {
    const list = tensorTypes.map((t) => `${t.type} (e.g. ${t.example})`).join(', ');
    super('model_load_failed', `the ONNX engine runs F32, F16, BF16, Q8_0 and Q4_0 weights; ${modelPath} has ${list}: use the llama.cpp engine`);
  }
}

/** A tensor of the file: its GGML type and its PyTorch shape `[rows, cols]`. */
export interface TensorDescription {
  name: string;
  type: GgmlType;
  /** Rows then columns (the reverse of GGUF's `ne`). A 1-D tensor has one entry. */
  shape: number[];
}

/** A tensor read from the file, with its bytes as stored. */
export interface GgufTensor extends TensorDescription {
  bytes: Uint8Array;
}

/**
 * Tensors by GGUF name, as stored: what the graph and the session read. The file-backed `GgufTensorFile` is one;
 * in-memory weights (test/helpers/in-memory-weights.ts) are another, so that a graph can be built without a file.
 */
export interface Qwen3Weights {
  describe(name: string): TensorDescription;
  /** A tensor's bytes; they may be overwritten by the next `read`, so callers convert them at once. */
  read(name: string): GgufTensor;
  /** Rows `indices` of a 2-D tensor, in its stored encoding. */
  readRows(name: string, indices: readonly number[]): GgufTensor;
  /** One row of a 2-D tensor, dequantized into `out` (the embedding lookup). */
  readRow(name: string, row: number, out: Float32Array): void;
  close(): void;
}

/** Where each tensor of a GGUF is and what it holds: plain data, so it can be sent to the session's worker. */
export interface GgufLayout {
  path: string;
  metadata: Record<string, unknown>;
  tensors: Array<{ name: string; type: number; shape: number[]; offset: number }>;
  /** Tensor types outside `SUPPORTED_TYPES`, by name, with one tensor each as an example. */
  unsupportedTypes: Array<{ type: string; example: string }>;
}

/** Reads a GGUF's metadata and tensor table, and tensors' bytes on demand. */
export class GgufTensorFile implements Qwen3Weights {
  private readonly tensors: Map<string, GgufLayout['tensors'][number]>;
  private readonly fd: number;
  private scratch = new Uint8Array(0);

  private constructor(readonly layout: GgufLayout) {
    this.tensors = new Map(layout.tensors.map((t) => [t.name, t]));
    this.fd = openSync(layout.path, 'r');
  }

  get path(): string {
    return this.layout.path;
  }

  get metadata(): Record<string, unknown> {
    return this.layout.metadata;
  }

  /** The file whose header node-llama-cpp parsed as `info` (engines/local/gguf-checks.ts `readRerankerGguf`). */
  static async fromFileInfo(path: string, info: GgufFileInfo): Promise<GgufTensorFile> {
    // Imported here, not above: gguf-checks.ts loads node-llama-cpp, which the session's worker thread never needs.
    const { ggmlTypeName } = await import('../local/gguf-checks.js');
    const tensors = (info.fullTensorInfo ?? info.tensorInfo ?? []).map((t) => ({
      name: t.name,
      type: t.ggmlType as number,
      shape: t.dimensions.map(Number).reverse(),
      offset: Number(t.fileOffset),
    }));
    const unsupported = new Map<string, string>();
    for (const t of tensors) {
      const type = ggmlTypeName(t.type);
      if (!SUPPORTED_TYPES.has(t.type) && !unsupported.has(type)) unsupported.set(type, t.name);
    }
    const unsupportedTypes = [...unsupported].map(([type, example]) => ({ type, example }));
    return new GgufTensorFile({ path, metadata: info.metadata as unknown as Record<string, unknown>, tensors, unsupportedTypes });
  }

  /** The same file, opened again from its layout (in the session's worker thread). */
  static fromLayout(layout: GgufLayout): GgufTensorFile {
    return new GgufTensorFile(layout);
  }

  /** Throws `UnsupportedTensorTypeError` when any tensor has a type outside `SUPPORTED_TYPES`. */
  checkTypes(): void {
    if (this.layout.unsupportedTypes.length > 0) throw new UnsupportedTensorTypeError(this.path, this.layout.unsupportedTypes);
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  describe(name: string): TensorDescription {
    const { type, shape } = this.location(name);
    return { name, type, shape: [...shape] };
  }

  /**
   * A tensor's bytes, in a buffer reused by the next `read`: callers convert them at once. (Fresh buffers for the
   * ~500 MB a 0.6B model reads cost a page fault per 4 KB page; touching 600 MB of new memory took 0.37 s here.)
   */
  read(name: string): GgufTensor {
    const description = this.describe(name);
    const length = byteLength(description.type, description.shape);
    if (this.scratch.byteLength < length) this.scratch = new Uint8Array(length);
    const bytes = this.scratch.subarray(0, length);
    readFully(this.fd, bytes, this.location(name).offset);
    return { ...description, bytes };
  }

  private location(name: string): GgufLayout['tensors'][number] {
    const tensor = this.tensors.get(name);
    if (!tensor) throw new ModelLoadError('not_a_reranker', `${this.path} has no tensor ${name}`);
    return tensor;
  }

  /** Rows `indices` of a 2-D tensor, still in the file's encoding (the two-row yes/no head). */
  readRows(name: string, indices: readonly number[]): GgufTensor {
    const { type, shape, offset } = this.location(name);
    const cols = shape[1]!;
    const rowBytes = byteLength(type, [1, cols]);
    const bytes = new Uint8Array(indices.length * rowBytes);
    indices.forEach((row, i) => readFully(this.fd, bytes.subarray(i * rowBytes, (i + 1) * rowBytes), offset + row * rowBytes));
    return { name, type, shape: [indices.length, cols], bytes };
  }

  /** One row of a 2-D tensor, dequantized (the embedding lookup). */
  readRow(name: string, row: number, out: Float32Array): void {
    dequantize(this.readRows(name, [row]), out);
  }

  close(): void {
    closeSync(this.fd);
  }
}

function byteLength(type: number, shape: readonly number[]): number {
  const bytes = SUPPORTED_TYPES.has(type) ? ggmlByteLength(type, shape.reduce((a, b) => a * b, 1)) : undefined;
  if (bytes === undefined) throw new ModelLoadError('model_load_failed', `unsupported GGML tensor type ${type}`);
  return bytes;
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  for (let done = 0; done < into.length; ) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new ModelLoadError('model_load_failed', 'unexpected end of the GGUF file');
    done += n;
  }
}

const halfView = new DataView(new ArrayBuffer(4));

/** IEEE 754 binary16 bits → number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let halfValues: Float32Array | undefined;

/** Every binary16 value as float32, indexed by its bits (computed once: 256 KB). */
function halfTable(): Float32Array {
  halfValues ??= Float32Array.from({ length: 65536 }, (_, bits) => halfToFloat(bits));
  return halfValues;
}

function bfloat16ToFloat(bits: number): number {
  halfView.setUint32(0, bits << 16);
  return halfView.getFloat32(0);
}

/** Every element of `tensor` as float32, row-major in its PyTorch shape. */
export function dequantize(tensor: GgufTensor, out: Float32Array): void {
  const { bytes, type } = tensor;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case GGML.F32:
      out.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
      return;
    case GGML.F16:
      for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return;
    case GGML.BF16:
      for (let i = 0; i < out.length; i++) out[i] = bfloat16ToFloat(view.getUint16(2 * i, true));
      return;
    case GGML.Q8_0:
      for (let b = 0; b < out.length / QUANT_BLOCK; b++) {
        const scale = halfToFloat(view.getUint16(b * 34, true));
        for (let j = 0; j < QUANT_BLOCK; j++) out[b * QUANT_BLOCK + j] = scale * view.getInt8(b * 34 + 2 + j);
      }
      return;
    case GGML.Q4_0:
      for (let b = 0; b < out.length / QUANT_BLOCK; b++) {
        const scale = halfToFloat(view.getUint16(b * 18, true));
        for (let j = 0; j < 16; j++) {
          const byte = bytes[b * 18 + 2 + j]!;
          out[b * QUANT_BLOCK + j] = scale * ((byte & 0x0f) - 8);
          out[b * QUANT_BLOCK + j + 16] = scale * ((byte >> 4) - 8);
        }
      }
      return;
    default:
      throw new ModelLoadError('model_load_failed', `unsupported GGML tensor type ${type} in ${tensor.name}`);
  }
}

/** Bits per value of a block-quantized type on MatMulNBits (`B` is uint8 `[N, K/32, 32·bits/8]`, scales `[N, K/32]`). */
export function nbitsOf(type: GgmlType): 4 | 8 {
  if (type === GGML.Q8_0) return 8;
  if (type === GGML.Q4_0) return 4;
  throw new ModelLoadError('model_load_failed', `GGML type ${type} is not a block-quantized type the ONNX engine runs`);
}

/**
 * Repacks Q8_0 / Q4_0 blocks for MatMulNBits without changing a single value, into `packed` (rows·cols·bits/8
 * bytes) and `scales` (one per block), which may be views into a larger buffer
 * (onnxruntime docs/ContribOperators.md, MatMulNBits: w = (q − zero_point)·scale, default zero point 2^(bits−1)):
 * Q8_0's int8 q becomes uint8 q + 128; Q4_0's nibbles (low nibbles = elements 0–15, high = 16–31, already offset
 * by 8) are re-paired so that byte i holds elements 2i (low) and 2i+1 (high). The fp16 scales become float32.
 */
export function writeNBits(tensor: GgufTensor, packed: Uint8Array, scales: Float32Array): void {
  const blocks = tensor.shape.reduce((a, b) => a * b, 1) / QUANT_BLOCK;
  const { bytes } = tensor;
  const table = halfTable();
  if (tensor.type === GGML.Q8_0) {
    // A block is 17 little-endian 16-bit words (scale, then 32 int8 values), so the copy runs on words; XOR with
    // 0x8080 turns two int8 values into uint8 with zero point 128 at once (a 0.6B model has 470 M of them).
    const source = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
    const target = new Uint16Array(packed.buffer, packed.byteOffset, packed.byteLength / 2);
    for (let b = 0, from = 0, to = 0; b < blocks; b++) {
      scales[b] = table[source[from++]!]!;
      for (let j = 0; j < QUANT_BLOCK / 2; j++) target[to++] = source[from++]! ^ 0x8080;
    }
    return;
  }
  if (tensor.type === GGML.Q4_0) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const nibbles = new Uint8Array(QUANT_BLOCK);
    for (let b = 0; b < blocks; b++) {
      scales[b] = table[view.getUint16(b * 18, true)]!;
      for (let j = 0; j < 16; j++) {
        const byte = bytes[b * 18 + 2 + j]!;
        nibbles[j] = byte & 0x0f;
        nibbles[j + 16] = byte >> 4;
      }
      for (let i = 0; i < 16; i++) packed[b * 16 + i] = nibbles[2 * i]! | (nibbles[2 * i + 1]! << 4);
    }
    return;
  }
  nbitsOf(tensor.type);
}

export function isBlockQuantized(type: GgmlType): boolean {
  return type === GGML.Q8_0 || type === GGML.Q4_0;
}
