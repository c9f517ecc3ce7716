// The independent float64 reference (test/helpers/reference/): its decoders on hand-made blocks, its 8-bit input
// quantization on known values, the 16 golden cases of ../shared/fixtures/qwen3-tiny-reference/reference.json
// (Hugging Face transformers, float32) on the generated tiny model in both head layouts, and the 'q8_0-blocks'
// option changing Q8_0 products only.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { openGgufFile } from '../helpers/reference/gguf-file-reader.js';
import { roundToFp16 } from '../helpers/reference/half-float.js';
import { quantizeInputQ8_0 } from '../helpers/reference/q8-input-quantizer.js';
import { openReferenceModel, type ReferenceModel } from '../helpers/reference/reference-model.js';
import { decodeValues, GGML_TYPE, typeLayout } from '../helpers/reference/tensor-decoders.js';
import { createWeightMatrix } from '../helpers/reference/weight-matrix.js';
import { ensureTestModel, type TestModelVariant } from '../helpers/test-models.js';

// CI checks the repository out with ../shared/ beside it (DEVELOPERS.md).
const referencePath = fileURLToPath(new URL('../../../shared/fixtures/qwen3-tiny-reference/reference.json', import.meta.url));

interface GoldenCase {
  instruction: string | null;
  query: string;
  document: string;
  max_length: number;
  expected: { score: number; logit: number; input_tokens: number };
}

/**
 * Measured max |Δlogit| against the golden float32 scores: 4.9e-6 up to 593 tokens, 1.8e-8 at 8192 (the golden
 * logits are printed to 6 decimals, so 5e-7 of it is rounding). The bound leaves 2× room.
 */
const GOLDEN_LOGIT_BOUND = 1e-5;

function decode(type: number, bytes: number[], count: number): number[] {
  const out = new Float64Array(count);
  decodeValues(type, Uint8Array.from(bytes), 0, count, out);
  return [...out];
}

describe('reference decoders', () => {
  test('decodes a Q8_0 block as fp16 d times each int8', () => {
    const quants = Array.from({ length: 32 }, (_, j) => j * 8 - 128);
    // d = 0.5 is fp16 0x3800 (little endian: 0x00, 0x38).
    const block = [0x00, 0x38, ...quants.map((q) => q & 0xff)];
    assert.deepEqual(decode(GGML_TYPE.Q8_0, block, 32), quants.map((q) => 0.5 * q));
  });

  test('decodes a Q4_0 block: low nibbles are elements 0..15, high nibbles 16..31, value d·(nibble − 8)', () => {
    // Byte j holds nibble j (low) and 15 − j (high); d = 2 is fp16 0x4000.
    const block = [0x00, 0x40, ...Array.from({ length: 16 }, (_, j) => j | ((15 - j) << 4))];
    const expected = [...Array.from({ length: 16 }, (_, j) => 2 * (j - 8)), ...Array.from({ length: 16 }, (_, j) => 2 * (7 - j))];
    assert.deepEqual(decode(GGML_TYPE.Q4_0, block, 32), expected);
  });

  test('decodes F16 normals, a subnormal, the largest finite value and infinity', () => {
    const bits = [0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0x3555];
    const bytes = bits.flatMap((b) => [b & 0xff, b >> 8]);
    assert.deepEqual(decode(GGML_TYPE.F16, bytes, bits.length), [1, -2, 2 ** -24, 65504, Infinity, 0.333251953125]);
  });

  test('decodes BF16 as the upper half of a float32', () => {
    const bits = [0x3f80, 0xc040, 0x4049, 0x0000];
    const bytes = bits.flatMap((b) => [b & 0xff, b >> 8]);
    assert.deepEqual(decode(GGML_TYPE.BF16, bytes, bits.length), [1, -3, 3.140625, 0]);
  });

  test('decodes F32 exactly', () => {
    const bytes = [...Buffer.from(new Float32Array([1.5, -0.1]).buffer)];
    assert.deepEqual(decode(GGML_TYPE.F32, bytes, 2), [1.5, Math.fround(-0.1)]);
  });

  test('refuses a type it does not decode, naming it', () => {
    assert.throws(() => typeLayout(3), /Q4_1/);
    assert.throws(() => decode(12, [0], 1), /Q4_K/);
  });

  test('rounds to fp16 to nearest, ties to even, overflowing to infinity', () => {
    assert.equal(roundToFp16(1 + 2 ** -11), 1);
    assert.equal(roundToFp16(1 + 3 * 2 ** -11), 1 + 2 ** -9);
    assert.equal(roundToFp16(2 ** -25 * 3), 2 ** -23);
    assert.equal(roundToFp16(65519), 65504);
    assert.equal(roundToFp16(65520), Infinity);
  });

  test('quantizes inputs like quantize_row_q8_0_ref: d = amax/127 as fp16, q = roundf(x/d), ties away from zero', () => {
    const input = new Float64Array(64);
    input.set([127, -63.5, 0.5, -0.5, 1.49]);
    input.set([0.1, -0.3], 32);
    const { scales, quants } = quantizeInputQ8_0(input);
    assert.deepEqual([scales[0], ...quants.slice(0, 5)], [1, 127, -64, 1, -1, 1]);
    const d = Math.fround(Math.fround(0.3) / 127);
    assert.equal(scales[1], roundToFp16(d));
    assert.deepEqual([...quants.slice(32, 34)], [Math.round(Math.fround(Math.fround(0.1) * Math.fround(1 / d))), -127]);
    assert.deepEqual(quantizeInputQ8_0(new Float64Array(32)).scales, new Float64Array(1));
  });
});

/** GGUF v3 bytes written by hand (docs/gguf.md of ggml), independent of the project's writer. */
function handMadeGguf(metadata: Array<[string, number, Buffer]>, tensors: Array<{ name: string; dims: number[]; type: number; data: Buffer }>, alignment: number): Buffer {
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
  const u64 = (v: number | bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
  const str = (text: string) => Buffer.concat([u64(Buffer.byteLength(text)), Buffer.from(text)]);
  const parts: Buffer[] = [Buffer.from('GGUF'), u32(3), u64(tensors.length), u64(metadata.length)];
  for (const [key, type, value] of metadata) parts.push(str(key), u32(type), value);
  let offset = 0;
  const offsets = tensors.map((tensor) => {
    const at = offset;
    offset = Math.ceil((offset + tensor.data.length) / alignment) * alignment;
    return at;
  });
  tensors.forEach((tensor, i) => parts.push(str(tensor.name), u32(tensor.dims.length), ...tensor.dims.map(u64), u32(tensor.type), u64(offsets[i]!)));
  const header = Buffer.concat(parts);
  const out = Buffer.alloc(Math.ceil(header.length / alignment) * alignment + offset);
  header.copy(out);
  const dataStart = Math.ceil(header.length / alignment) * alignment;
  tensors.forEach((tensor, i) => tensor.data.copy(out, dataStart + offsets[i]!));
  return out;
}

describe('reference GGUF reader', () => {
  const directory = mkdtempSync(join(tmpdir(), 'reference-gguf-'));
  after(() => rmSync(directory, { recursive: true, force: true }));
  const le = (write: (b: Buffer) => void, size: number) => { const b = Buffer.alloc(size); write(b); return b; };
  const string = (text: string) => Buffer.concat([le((b) => b.writeBigUInt64LE(BigInt(Buffer.byteLength(text))), 8), Buffer.from(text)]);
  const u32 = (v: number) => le((b) => b.writeUInt32LE(v), 4);
  const f32 = (v: number) => le((b) => b.writeFloatLE(v), 4);
  const stringArray = (items: string[]) => Buffer.concat([u32(8), le((b) => b.writeBigUInt64LE(BigInt(items.length)), 8), ...items.map(string)]);
  // A Q4_0 matrix of 2 rows × 32 columns: row 0 d = 0.5, nibbles j % 16; row 1 d = −0.25, nibbles 15 − j % 16.
  const q4Row = (scaleBits: number, nibble: (j: number) => number) =>
    Buffer.from([scaleBits & 0xff, scaleBits >> 8, ...Array.from({ length: 16 }, (_, j) => nibble(j) | (nibble(j + 16) << 4))]);
  const q4Matrix = Buffer.concat([q4Row(0x3800, (j) => j % 16), q4Row(0xb400, (j) => 15 - (j % 16))]);

  test('reads every metadata value type, the alignment and tensor offsets', () => {
    const path = join(directory, 'all-types.gguf');
    writeFileSync(path, handMadeGguf([
      ['general.alignment', 4, u32(64)],
      ['u8', 0, Buffer.from([200])], ['i8', 1, Buffer.from([0xfb])], ['u16', 2, le((b) => b.writeUInt16LE(60000), 2)],
      ['i16', 3, le((b) => b.writeInt16LE(-300), 2)], ['i32', 5, le((b) => b.writeInt32LE(-70000), 4)], ['f32', 6, f32(1.5)],
      ['bool', 7, Buffer.from([1])], ['string', 8, string('héllo')], ['labels', 9, stringArray(['yes', 'no'])],
      ['u64', 10, le((b) => b.writeBigUInt64LE(2n ** 60n), 8)], ['i64', 11, le((b) => b.writeBigInt64LE(-3n), 8)],
      ['f64', 12, le((b) => b.writeDoubleLE(0.1), 8)],
    ], [
      { name: 'norm', dims: [3], type: 0, data: Buffer.concat([f32(1), f32(2), f32(3)]) },
      { name: 'q4', dims: [32, 2], type: 2, data: q4Matrix },
    ], 64));
    const file = openGgufFile(path);
    try {
      assert.deepEqual(Object.fromEntries(file.metadata), {
        'general.alignment': 64, u8: 200, i8: -5, u16: 60000, i16: -300, i32: -70000, f32: 1.5, bool: true, string: 'héllo',
        labels: ['yes', 'no'], u64: 2n ** 60n, i64: -3, f64: 0.1,
      });
      const q4 = file.tensors.get('q4')!;
      assert.deepEqual({ dims: q4.dims, type: q4.type, aligned: q4.offset % 64 }, { dims: [32, 2], type: 2, aligned: 0 });
      assert.deepEqual([...createWeightMatrix(file, file.tensors.get('norm')!).readRows(0, 1)], [1, 2, 3]);
    } finally {
      file.close();
    }
  });

  test("multiplies a Q4_0 matrix exactly, or with the input quantized to Q8_0 blocks under 'q8_0-blocks'", () => {
    const path = join(directory, 'q4.gguf');
    writeFileSync(path, handMadeGguf([], [{ name: 'q4', dims: [32, 2], type: 2, data: q4Matrix }], 32));
    const file = openGgufFile(path);
    try {
      const matrix = createWeightMatrix(file, file.tensors.get('q4')!);
      const weights = matrix.readRows(0, 2);
      const input = Float64Array.from({ length: 32 }, (_, j) => Math.sin(j + 1) * 3);
      const expectedExact = [0, 1].map((r) => input.reduce((sum, x, j) => sum + weights[32 * r + j]! * x, 0));
      assert.deepEqual([...matrix.multiply([input], 'exact')[0]!], expectedExact);
      const { scales, quants } = quantizeInputQ8_0(input);
      const expectedBlocks = [0, 1].map((r) => {
        const d = r === 0 ? 0.5 : -0.25;
        const integer = quants.reduce((sum, q, j) => sum + Math.round(weights[32 * r + j]! / d) * q, 0);
        return d * scales[0]! * integer;
      });
      assert.deepEqual([...matrix.multiply([input], 'q8_0-blocks')[0]!], expectedBlocks);
      assert.notDeepEqual(expectedBlocks, expectedExact);
      assert.deepEqual([...matrix.multiply([input], 'q8_0-blocks', [1])[0]!], [expectedBlocks[1]]);
    } finally {
      file.close();
    }
  });

  test('refuses a ranking head whose labels lack "yes"', async () => {
    const path = join(directory, 'labels.gguf');
    const number = (value: number): [number, Buffer] => [4, u32(value)];
    writeFileSync(path, handMadeGguf([
      ['general.architecture', 8, string('qwen3')],
      ...(['block_count', 'embedding_length', 'feed_forward_length', 'attention.head_count'] as const).map((key): [string, number, Buffer] => [`qwen3.${key}`, ...number(32)]),
      ['qwen3.rope.freq_base', 6, f32(1e6)], ['qwen3.attention.layer_norm_rms_epsilon', 6, f32(1e-6)],
      ['qwen3.classifier.output_labels', 9, stringArray(['relevant', 'no'])],
    ], [{ name: 'cls.output.weight', dims: [32, 2], type: 2, data: q4Matrix }], 32));
    await assert.rejects(openReferenceModel(path), /lacks "yes"/);
  });
});

const golden = JSON.parse(readFileSync(referencePath, 'utf8')) as GoldenCase[];

for (const variant of ['tiny', 'tiny-rank'] as const satisfies readonly TestModelVariant[]) {
  describe(`reference forward on ${variant} against the golden scores`, () => {
    let model: ReferenceModel;
    let worst = 0;
    before(async () => {
      model = await openReferenceModel(await ensureTestModel(variant));
    });
    after(async () => {
      await model?.close();
      console.log(`${variant}: max |Δlogit| vs golden ${worst.toExponential(2)}`);
    });

    golden.forEach((golden, index) => {
      // The 8192-token case takes 12-20 s alone on one core (more under load); the head layout does not depend on
      // the prompt's length, so tiny-rank skips it.
      const skip = variant === 'tiny-rank' && golden.expected.input_tokens > 2048 && 'run on tiny only (slow, same path)';
      test(`case ${index} (${golden.expected.input_tokens} tokens): same token count, |Δlogit| ≤ ${GOLDEN_LOGIT_BOUND}`, { skip }, async () => {
        const { query, document, instruction, max_length: maxLength } = golden;
        const started = performance.now();
        const result = await model.score({ query, document, instruction, maxLength });
        const error = Math.abs(result.logit - golden.expected.logit);
        worst = Math.max(worst, error);
        console.log(`${variant} case ${index}: ${result.inputTokens} tokens, Δlogit ${error.toExponential(2)}, ${Math.round(performance.now() - started)} ms`);
        assert.equal(result.inputTokens, golden.expected.input_tokens);
        assert.ok(error <= GOLDEN_LOGIT_BOUND, `logit ${result.logit} vs golden ${golden.expected.logit}`);
        assert.ok(Math.abs(result.score - golden.expected.score) <= GOLDEN_LOGIT_BOUND);
      });
    });
  });
}

describe('matrix input rounding', () => {
  const tokens = Array.from({ length: 40 }, (_, i) => (i * 7919 + 13) % 151000);

  async function logits(variant: TestModelVariant): Promise<{ exact: number; blocks: number }> {
    const model = await openReferenceModel(await ensureTestModel(variant));
    try {
      return { exact: await model.logit(tokens), blocks: await model.logit(tokens, { matrixInputs: 'q8_0-blocks' }) };
    } finally {
      await model.close();
    }
  }

  test("'q8_0-blocks' changes the logit of a Q8_0 model", async () => {
    const { exact, blocks } = await logits('tiny-q8');
    console.log(`tiny-q8: exact ${exact}, q8_0-blocks ${blocks}, Δ ${Math.abs(exact - blocks).toExponential(2)}`);
    assert.notEqual(exact, blocks);
  });

  test("'q8_0-blocks' leaves an F32 model's logit unchanged", async () => {
    const { exact, blocks } = await logits('tiny');
    assert.equal(blocks, exact);
  });

  test('a Q8_0 model and the same values stored as F32 give the same exact logit', async () => {
    const [quantized, asFloat] = await Promise.all([logits('tiny-q8'), logits('tiny-q8-f32')]);
    assert.ok(Math.abs(quantized.exact - asFloat.exact) < 1e-12, `${quantized.exact} vs ${asFloat.exact}`);
  });

  test("a Q4_0 model scores in both modes, and 'q8_0-blocks' changes its logit", async () => {
    const { exact, blocks } = await logits('tiny-q4');
    assert.ok(Number.isFinite(exact) && Number.isFinite(blocks));
    assert.notEqual(exact, blocks);
  });

  test('a Q4_1 model is refused with the type named', async () => {
    await assert.rejects(openReferenceModel(await ensureTestModel('tiny-q4_1')), /Q4_1/);
  });
});
