// A tiny Qwen3 reranker's weights held in memory (seeded random values in the GGUF encodings as stored), offered
// twice: as the ONNX engine's `Qwen3Weights` (to build its graph and run a session with no model file) and as the
// reference's `GgufFile` (test/helpers/reference, which shares no code with the engine), so that a unit test can
// check the graph against the reference forward in well under a second.
import type { GgufTensor, Qwen3Weights, TensorDescription } from '../../src/engines/onnx/gguf-tensors.js';
import { dequantize } from '../../src/engines/onnx/gguf-tensors.js';
import type { Qwen3Config } from '../../src/engines/onnx/qwen3-config.js';
import type { GgufFile, GgufTensorInfo, GgufValue } from './reference/gguf-file-reader.js';
import { byteLength, GGML_TYPE } from './reference/tensor-decoders.js';

/** The element types the matrices may have (norms are F32, as in every GGUF). */
export type InMemoryMatrixType = 'f32' | 'f16' | 'q8_0' | 'q4_0';

export interface InMemoryModel {
  weights: Qwen3Weights;
  /** The graph's configuration (what `readQwen3Config` would read from a file with this metadata). */
  config: Qwen3Config;
  /** The same tensors and metadata for the reference forward (`createQwen3Forward`). */
  gguf: GgufFile;
  vocabulary: number;
}

const SHAPE = { layers: 2, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, feedForward: 96, vocabulary: 48, contextLength: 256 } as const;
const ROPE_FREQ_BASE = 1_000_000;
const RMS_EPSILON = 1e-6;
/** GGUF's default tensor data alignment (ggml docs/gguf.md `general.alignment`). */
const ALIGNMENT = 32;

/** mulberry32: a small seeded generator (uniform in [0, 1)), so every run builds the same weights. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Bytes of `count` values of `type`, random in roughly ±`amplitude`. Quantized blocks get a random fp16 scale near
 * amplitude/127 (Q8_0) or amplitude/8 (Q4_0) and random quants, so they hold every code, not rounded floats.
 */
function randomBytes(type: number, count: number, amplitude: number, next: () => number, center = 0): Uint8Array {
  const bytes = new Uint8Array(byteLength(type, count));
  const view = new DataView(bytes.buffer);
  const fp16Near = (value: number) => {
    // fp16 bits of 2^e · (1 + m/1024) with e = floor(log2(value)): exponent field e + 15, random mantissa.
    const exponent = Math.floor(Math.log2(value));
    return ((exponent + 15) << 10) | Math.floor(next() * 1024);
  };
  switch (type) {
    case GGML_TYPE.F32:
      for (let i = 0; i < count; i++) view.setFloat32(4 * i, center + (2 * next() - 1) * amplitude, true);
      break;
    case GGML_TYPE.F16:
      for (let i = 0; i < count; i++) view.setUint16(2 * i, fp16Near(amplitude) | (next() < 0.5 ? 0x8000 : 0), true);
      break;
    case GGML_TYPE.Q8_0:
      for (let b = 0; b < count / 32; b++) {
        view.setUint16(34 * b, fp16Near(amplitude / 127), true);
        for (let j = 0; j < 32; j++) view.setInt8(34 * b + 2 + j, Math.floor(next() * 255) - 127);
      }
      break;
    case GGML_TYPE.Q4_0:
      for (let b = 0; b < count / 32; b++) {
        view.setUint16(18 * b, fp16Near(amplitude / 8), true);
        for (let j = 0; j < 16; j++) bytes[18 * b + 2 + j] = Math.floor(next() * 256);
      }
      break;
    default:
      throw new Error(`no random values for GGML type ${type}`);
  }
  return bytes;
}

interface StoredTensor extends TensorDescription {
  bytes: Uint8Array;
  offset: number;
}

/** A tiny Qwen3 reranker (2 layers, hidden 64, GQA 4/2, head 16, FFN 96, 48 tokens, llama.cpp's ranking-head
 * layout `cls.output.weight` with labels yes/no) whose matrices are `matrixType`. */
export function createInMemoryModel(matrixType: InMemoryMatrixType, seed = 1): InMemoryModel {
  const { layers, hidden, heads, kvHeads, headDim, feedForward, vocabulary, contextLength } = SHAPE;
  const next = random(seed);
  const matrix = GGML_TYPE[matrixType.toUpperCase() as Uppercase<InMemoryMatrixType>];
  const tensors = new Map<string, StoredTensor>();
  let offset = 0;
  const add = (name: string, type: number, shape: number[], amplitude: number, center = 0) => {
    const bytes = randomBytes(type, shape.reduce((a, b) => a * b, 1), amplitude, next, center);
    tensors.set(name, { name, type, shape, bytes, offset });
    offset += Math.ceil(bytes.byteLength / ALIGNMENT) * ALIGNMENT;
  };
  add('token_embd.weight', GGML_TYPE.F32, [vocabulary, hidden], 1);
  for (let layer = 0; layer < layers; layer++) {
    const blk = `blk.${layer}`;
    add(`${blk}.attn_norm.weight`, GGML_TYPE.F32, [hidden], 0.1, 1);
    add(`${blk}.attn_q.weight`, matrix, [heads * headDim, hidden], 0.25);
    add(`${blk}.attn_k.weight`, matrix, [kvHeads * headDim, hidden], 0.25);
    add(`${blk}.attn_v.weight`, matrix, [kvHeads * headDim, hidden], 0.25);
    add(`${blk}.attn_q_norm.weight`, GGML_TYPE.F32, [headDim], 0.1, 1);
    add(`${blk}.attn_k_norm.weight`, GGML_TYPE.F32, [headDim], 0.1, 1);
    add(`${blk}.attn_output.weight`, matrix, [hidden, heads * headDim], 0.25);
    add(`${blk}.ffn_norm.weight`, GGML_TYPE.F32, [hidden], 0.1, 1);
    add(`${blk}.ffn_gate.weight`, matrix, [feedForward, hidden], 0.25);
    add(`${blk}.ffn_up.weight`, matrix, [feedForward, hidden], 0.25);
    add(`${blk}.ffn_down.weight`, matrix, [hidden, feedForward], 0.25);
  }
  add('output_norm.weight', GGML_TYPE.F32, [hidden], 0.1, 1);
  add('cls.output.weight', matrix, [2, hidden], 0.5);

  const tensor = (name: string): StoredTensor => {
    const found = tensors.get(name);
    if (!found) throw new Error(`no tensor ${name}`);
    return found;
  };
  const weights: Qwen3Weights = {
    describe: (name) => {
      const { type, shape } = tensor(name);
      return { name, type, shape: [...shape] };
    },
    read: (name) => ({ ...weights.describe(name), bytes: tensor(name).bytes }),
    readRows: (name, indices): GgufTensor => {
      const { type, shape, bytes } = tensor(name);
      const rowBytes = bytes.byteLength / shape[0]!;
      const rows = new Uint8Array(indices.length * rowBytes);
      indices.forEach((row, i) => rows.set(bytes.subarray(row * rowBytes, (row + 1) * rowBytes), i * rowBytes));
      return { name, type, shape: [indices.length, shape[1]!], bytes: rows };
    },
    readRow: (name, row, out) => dequantize(weights.readRows(name, [row]), out),
    close: () => {},
  };

  const data = Buffer.alloc(offset);
  for (const t of tensors.values()) data.set(t.bytes, t.offset);
  const metadata = new Map<string, GgufValue>([
    ['general.architecture', 'qwen3'],
    ['qwen3.block_count', layers],
    ['qwen3.embedding_length', hidden],
    ['qwen3.feed_forward_length', feedForward],
    ['qwen3.attention.head_count', heads],
    ['qwen3.attention.head_count_kv', kvHeads],
    ['qwen3.attention.key_length', headDim],
    ['qwen3.rope.freq_base', ROPE_FREQ_BASE],
    ['qwen3.attention.layer_norm_rms_epsilon', RMS_EPSILON],
    ['qwen3.context_length', contextLength],
    ['qwen3.classifier.output_labels', ['yes', 'no']],
  ]);
  const infos = new Map<string, GgufTensorInfo>(
    [...tensors.values()].map((t) => [t.name, { name: t.name, dims: [...t.shape].reverse(), type: t.type, offset: t.offset }]),
  );
  const gguf: GgufFile = { version: 3, metadata, tensors: infos, read: (position, length) => data.subarray(position, position + length), close: () => {} };

  const config: Qwen3Config = {
    layers,
    hidden,
    heads,
    kvHeads,
    headDim,
    feedForward,
    rmsEpsilon: RMS_EPSILON,
    ropeFreqBase: ROPE_FREQ_BASE,
    contextLength,
    head: { tensor: 'cls.output.weight', rows: [0, 1] },
  };
  return { weights, config, gguf, vocabulary };
}
