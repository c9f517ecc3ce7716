// A weight matrix of a GGUF file, read in chunks of rows and decoded once per product (never held whole, so a
// 661 MB embedding costs only the rows asked for), with the products the reference needs.
import type { GgufFile, GgufTensorInfo } from './gguf-file-reader.js';
import { quantizeInputQ8_0, type Q8InputBlocks } from './q8-input-quantizer.js';
import { byteLength, decodeBlocks, decodeValues, isBlockQuantized, typeLayout } from './tensor-decoders.js';

/**
 * How the inputs of products with weight matrices are taken. `exact`: as float64. `q8_0-blocks`: for Q8_0/Q4_0
 * matrices, quantized to Q8_0 blocks first as llama.cpp's CPU backend does (F32/F16/BF16 matrices unaffected).
 */
export type MatrixInputs = 'exact' | 'q8_0-blocks';

/** Rows decoded per file read. */
const CHUNK_BYTES = 4 << 20;

export interface WeightMatrix {
  name: string;
  type: number;
  rows: number;
  columns: number;
  /** Rows `first .. first + count − 1` as float64, row-major. */
  readRows(first: number, count: number): Float64Array;
  /** `W · input` for each input; only the rows in `rowIds` (in that order) when given. */
  multiply(inputs: readonly Float64Array[], matrixInputs: MatrixInputs, rowIds?: readonly number[]): Float64Array[];
}

export function createWeightMatrix(file: GgufFile, info: GgufTensorInfo): WeightMatrix {
  const columns = info.dims[0] ?? 0;
  const rows = info.dims[1] ?? 1;
  if (info.dims.length === 0 || info.dims.slice(2).some((dim) => dim !== 1)) throw new Error(`${info.name}: not a matrix (dims ${info.dims.join('×')})`);
  typeLayout(info.type);
  const rowBytes = byteLength(info.type, columns);

  const checkRow = (row: number): void => {
    if (!Number.isInteger(row) || row < 0 || row >= rows) throw new Error(`${info.name}: row ${row} is outside 0..${rows - 1}`);
  };

  function readRows(first: number, count: number): Float64Array {
    checkRow(first);
    checkRow(first + count - 1);
    const bytes = file.read(info.offset + first * rowBytes, count * rowBytes);
    const out = new Float64Array(count * columns);
    for (let r = 0; r < count; r++) decodeValues(info.type, bytes, r * rowBytes, columns, out, r * columns);
    return out;
  }

  function multiply(inputs: readonly Float64Array[], matrixInputs: MatrixInputs, rowIds?: readonly number[]): Float64Array[] {
    for (const input of inputs) {
      if (input.length !== columns) throw new Error(`${info.name}: input of ${input.length} values, the matrix has ${columns} columns`);
    }
    const outRows = rowIds?.length ?? rows;
    const outputs = inputs.map(() => new Float64Array(outRows));
    const blocks = matrixInputs === 'q8_0-blocks' && isBlockQuantized(info.type);
    const quantized: Q8InputBlocks[] = blocks ? inputs.map(quantizeInputQ8_0) : [];
    const values = new Float64Array(columns);
    const scales = new Float64Array(columns / 32);
    const quants = new Int8Array(columns);

    const productRow = (bytes: Uint8Array, byteOffset: number, outRow: number): void => {
      if (blocks) {
        decodeBlocks(info.type, bytes, byteOffset, columns, scales, quants);
        for (let i = 0; i < inputs.length; i++) outputs[i]![outRow] = blockDot(scales, quants, quantized[i]!);
      } else {
        decodeValues(info.type, bytes, byteOffset, columns, values);
        for (let i = 0; i < inputs.length; i++) outputs[i]![outRow] = dot(values, inputs[i]!);
      }
    };

    if (rowIds) {
      rowIds.forEach((row, outRow) => {
        checkRow(row);
        productRow(file.read(info.offset + row * rowBytes, rowBytes), 0, outRow);
      });
      return outputs;
    }
    const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
    for (let first = 0; first < rows; first += chunkRows) {
      const count = Math.min(chunkRows, rows - first);
      const bytes = file.read(info.offset + first * rowBytes, count * rowBytes);
      for (let r = 0; r < count; r++) productRow(bytes, r * rowBytes, first + r);
    }
    return outputs;
  }

  return { name: info.name, type: info.type, rows, columns, readRows, multiply };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Σ_blocks d_w · d_x · Σ q_w·q_x (ggml-quants.c / arch `ggml_vec_dot_q8_0_q8_0`, `ggml_vec_dot_q4_0_q8_0`). */
function blockDot(scales: Float64Array, quants: Int8Array, input: Q8InputBlocks): number {
  const inputQuants = input.quants;
  let sum = 0;
  for (let b = 0; b < scales.length; b++) {
    let integer = 0;
    const start = 32 * b;
    for (let j = start; j < start + 32; j++) integer += quants[j]! * inputQuants[j]!;
    sum += scales[b]! * input.scales[b]! * integer;
  }
  return sum;
}
