// The ONNX engine's tensor decoding without a model file: halfToFloat against the reference's own fp16 decoder on
// all 65,536 patterns, and the Q8_0/Q4_0 repacking for MatMulNBits, whose values (q − zero point) · scale must be
// exactly the dequantized block values, on random blocks that use every quant code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dequantize, halfToFloat, QUANT_BLOCK, writeNBits, type GgufTensor } from '../../src/engines/onnx/gguf-tensors.js';
import { fp16ToNumber } from '../helpers/reference/half-float.js';
import { GGML_TYPE } from '../helpers/reference/tensor-decoders.js';
import { createInMemoryModel } from '../helpers/in-memory-weights.js';

describe('halfToFloat', () => {
  it('decodes zeros, normals, the largest finite value, subnormals, infinities and NaN', () => {
    assert.ok(Object.is(halfToFloat(0x0000), 0));
    assert.ok(Object.is(halfToFloat(0x8000), -0));
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
    assert.equal(halfToFloat(0x3555), 0.333251953125);
    assert.equal(halfToFloat(0x7bff), 65504);
    assert.equal(halfToFloat(0x0400), 2 ** -14, 'smallest normal');
    assert.equal(halfToFloat(0x0001), 2 ** -24, 'smallest subnormal');
    assert.equal(halfToFloat(0x03ff), 1023 * 2 ** -24, 'largest subnormal');
    assert.equal(halfToFloat(0x8001), -(2 ** -24));
    assert.equal(halfToFloat(0x7c00), Infinity);
    assert.equal(halfToFloat(0xfc00), -Infinity);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
    assert.ok(Number.isNaN(halfToFloat(0x7c01)));
    assert.ok(Number.isNaN(halfToFloat(0xffff)));
  });

  it("agrees with the reference's fp16 decoder on every bit pattern", () => {
    for (let bits = 0; bits < 65536; bits++) {
      const [got, want] = [halfToFloat(bits), fp16ToNumber(bits)];
      if (!Object.is(got, want)) assert.fail(`0x${bits.toString(16)}: ${got} vs ${want}`);
    }
  });
});

/** MatMulNBits' weights from its packed form (onnxruntime docs/ContribOperators.md: w = (q − 2^(bits−1)) · scale;
 * 4-bit: element 2i in the low nibble of byte i, 2i + 1 in the high one). */
function unpack(packed: Uint8Array, scales: Float32Array, bits: 4 | 8, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const q = bits === 8 ? packed[i]! : i % 2 === 0 ? packed[i >> 1]! & 0x0f : packed[i >> 1]! >> 4;
    out[i] = (q - 2 ** (bits - 1)) * scales[Math.floor(i / QUANT_BLOCK)]!;
  }
  return out;
}

describe('writeNBits (Q8_0/Q4_0 → MatMulNBits)', () => {
  for (const [type, bits] of [['q8_0', 8], ['q4_0', 4]] as const) {
    it(`${type}: the repacked weights are the dequantized values, bit for bit`, () => {
      const { weights } = createInMemoryModel(type, 7);
      const tensor: GgufTensor = weights.read('blk.0.ffn_down.weight');
      assert.equal(tensor.type, GGML_TYPE[type === 'q8_0' ? 'Q8_0' : 'Q4_0']);
      const count = tensor.shape[0]! * tensor.shape[1]!;
      const packed = new Uint8Array((count * bits) / 8);
      const scales = new Float32Array(count / QUANT_BLOCK);
      writeNBits(tensor, packed, scales);
      const expected = new Float32Array(count);
      dequantize(tensor, expected);
      assert.deepEqual(unpack(packed, scales, bits, count), expected);
      // Every quant code occurs, so the round trip covers the zero point and both ends.
      const codes = new Set(bits === 8 ? packed : [...packed].flatMap((byte) => [byte & 0x0f, byte >> 4]));
      assert.equal(codes.size, bits === 8 ? 255 : 16);
    });
  }

  it('writes into views of a larger buffer without touching the bytes around them', () => {
    const { weights } = createInMemoryModel('q8_0', 3);
    const tensor = weights.read('blk.1.attn_k.weight');
    const count = tensor.shape[0]! * tensor.shape[1]!;
    const buffer = new Uint8Array(count + 64).fill(0xee);
    const scaleBuffer = new Float32Array(count / QUANT_BLOCK + 4).fill(-1);
    writeNBits(tensor, buffer.subarray(32, 32 + count), scaleBuffer.subarray(2, 2 + count / QUANT_BLOCK));
    assert.ok(buffer.subarray(0, 32).every((byte) => byte === 0xee) && buffer.subarray(32 + count).every((byte) => byte === 0xee));
    assert.deepEqual([...scaleBuffer.subarray(0, 2), ...scaleBuffer.subarray(2 + count / QUANT_BLOCK)], [-1, -1, -1, -1]);
  });
});
