// The 8-bit input quantization llama.cpp's CPU backend applies before a product with a Q8_0/Q4_0 weight matrix
// (the matrix's `vec_dot_type` is Q8_0). Mirrors ggml/src/ggml-quants.c `quantize_row_q8_0_ref`, in float32 as the
// C code runs it: per block of 32, amax = max|x|, d = amax/127, id = d ? 1/d : 0, stored scale fp16(d), q =
// roundf(x·id). (The SIMD variants compute id as 127/amax and may round ties to even: the reference follows `_ref`.)
import { roundToFp16 } from './half-float.js';

export interface Q8InputBlocks {
  /** fp16-rounded block scales, one per 32 inputs. */
  scales: Float64Array;
  quants: Int8Array;
}

const fround = Math.fround;

/** C `roundf`: half away from zero. */
function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Quantizes an activation vector (taken as float32, as llama.cpp holds it) to Q8_0 blocks. */
export function quantizeInputQ8_0(input: Float64Array): Q8InputBlocks {
  if (input.length % 32 !== 0) throw new Error(`q8_0-blocks: input length ${input.length} is not whole blocks of 32`);
  const blocks = input.length / 32;
  const scales = new Float64Array(blocks);
  const quants = new Int8Array(input.length);
  for (let b = 0; b < blocks; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(fround(input[32 * b + j]!)));
    const d = fround(amax / 127);
    const id = d ? fround(1 / d) : 0;
    scales[b] = roundToFp16(d);
    for (let j = 0; j < 32; j++) quants[32 * b + j] = roundAway(fround(fround(input[32 * b + j]!) * id));
  }
  return { scales, quants };
}
