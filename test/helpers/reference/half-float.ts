// IEEE 754 half precision (fp16) and bfloat16 <-> number, for the reference decoders and for the 8-bit input
// quantization, which stores its block scale as fp16 the way ggml's GGML_FP32_TO_FP16 does (round to nearest,
// ties to even: F16C `_cvtss_sh(x, 0)` and the portable `ggml_compute_fp32_to_fp16` in ggml-impl.h agree).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The value of an fp16 bit pattern (sign, 5 exponent bits, 10 mantissa bits; subnormals, inf, NaN). */
function fp16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** All 65536 fp16 values: block scales are decoded millions of times per product. */
const FP16_VALUES = Float64Array.from({ length: 65536 }, (_, bits) => fp16Value(bits));

/** The value of an fp16 bit pattern. */
export function fp16ToNumber(bits: number): number {
  return FP16_VALUES[bits & 0xffff]!;
}

/** The value of a bfloat16 bit pattern: the upper half of a float32. */
export function bf16ToNumber(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/** Rounds to the nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * `value` (a float32) rounded to the nearest fp16 value, ties to even; overflow gives ±Infinity. Returns the
 * rounded value as a number (what a later fp16 → fp32 conversion gives back).
 */
export function roundToFp16(value: number): number {
  if (Number.isNaN(value) || value === 0 || !Number.isFinite(value)) return value;
  const sign = value < 0 ? -1 : 1;
  const magnitude = Math.abs(value);
  // Exponent of the float32 value from its bits (exact, unlike Math.log2).
  f32[0] = magnitude;
  const exponent = ((u32[0]! >>> 23) & 0xff) - 127;
  // fp16 has 10 fraction bits for normals (exponent >= -14); below that the step is fixed at 2^-24.
  const step = exponent < -14 ? 2 ** -24 : 2 ** (exponent - 10);
  const rounded = roundHalfEven(magnitude / step) * step;
  return rounded > 65504 ? sign * Infinity : sign * rounded;
}
