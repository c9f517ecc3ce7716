// The ONNX engine's graph without a model file: the rotary tables, the document mask (run alone in onnxruntime),
// where `GraphBuilder.encode` puts each weight and how it names nodes, and a 2-layer graph built from in-memory
// weights (test/helpers/in-memory-weights.ts), run in one onnxruntime session and checked against the float64
// reference forward (test/helpers/reference), alone, after a cached prefix and packed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { DataType, GraphBuilder, WEIGHTS_FILE } from '../../src/engines/onnx/graph-builder.js';
import { buildQwen3Graph, documentMask, fillRotaryTables } from '../../src/engines/onnx/qwen3-graph.js';
import { Qwen3Session } from '../../src/engines/onnx/qwen3-session.js';
import { createInMemoryModel, type InMemoryMatrixType } from '../helpers/in-memory-weights.js';
import { createQwen3Forward } from '../helpers/reference/qwen3-forward.js';

describe('fillRotaryTables', () => {
  const config = { contextLength: 300, headDim: 16, ropeFreqBase: 1_000_000 };
  const half = config.headDim / 2;
  const cos = new Float32Array(config.contextLength * half);
  const sin = new Float32Array(config.contextLength * half);
  fillRotaryTables(config, cos, sin);

  it('starts at angle 0 and turns the first pair by one radian per position', () => {
    for (let i = 0; i < half; i++) assert.deepEqual([cos[i], sin[i]], [1, 0]);
    for (const p of [1, 2, 17, 299]) assert.deepEqual([cos[p * half], sin[p * half]], [Math.fround(Math.cos(p)), Math.fround(Math.sin(p))]);
  });

  it("matches transformers' angles position · base^(−2i/d) to float32 rounding of the angle", () => {
    for (let p = 0; p < config.contextLength; p++) {
      for (let i = 0; i < half; i++) {
        const angle = p / config.ropeFreqBase ** ((2 * i) / config.headDim);
        // The angle is rounded to float32 as in transformers: up to half an ulp of a 300-radian angle (1.5e-5).
        const bound = 2e-5 * Math.max(1, angle / 128);
        assert.ok(Math.abs(cos[p * half + i]! - Math.cos(angle)) <= bound, `cos p=${p} i=${i}`);
        assert.ok(Math.abs(sin[p * half + i]! - Math.sin(angle)) <= bound, `sin p=${p} i=${i}`);
      }
    }
  });
});

describe('documentMask', () => {
  it('opens the whole prefix and the rows of the same document, and closes every other key with −∞', async () => {
    const g = new GraphBuilder();
    const documents = g.input('documents', DataType.INT32, ['rows']);
    const pastKey = g.input('past', DataType.FLOAT, [1, 1, 'past', 2]);
    g.node('Identity', [documentMask(g, documents, pastKey)], {}, { outputs: ['mask'] });
    g.output('mask', DataType.FLOAT, [1, 1, 'rows', 'keys']);
    const session = await ort.InferenceSession.create(g.encode().graph, { intraOpNumThreads: 1, logSeverityLevel: 3 });
    try {
      // Two documents with a gap row (−1) between them, after a 3-token prefix.
      const owners = [0, 0, -1, 1, 1];
      const { mask } = await session.run({
        documents: new ort.Tensor('int32', Int32Array.from(owners), [owners.length]),
        past: new ort.Tensor('float32', new Float32Array(3 * 2), [1, 1, 3, 2]),
      });
      assert.deepEqual(mask!.dims, [1, 1, 5, 8]);
      const expected = owners.flatMap((row) => [0, 0, 0, ...owners.map((key) => (key === row ? 0 : -Infinity))]);
      assert.deepEqual([...(mask!.data as Float32Array)], expected);
    } finally {
      await session.release();
    }
  });
});

describe('GraphBuilder.encode', () => {
  it('places each deferred weight at a 64-byte-aligned offset of one buffer, as external data naming it', () => {
    const g = new GraphBuilder();
    const sizes = [10, 100, 64, 3];
    const names = g.weights(
      sizes.slice(0, 2).map((byteLength, i) => ({ name: `w${i}`, dataType: DataType.UINT8, dims: [byteLength], byteLength })),
      (targets) => targets.forEach((target, i) => target.fill(i + 1)),
    );
    names.push(...g.weights(sizes.slice(2).map((byteLength, i) => ({ name: `w${i + 2}`, dataType: DataType.UINT8, dims: [byteLength], byteLength })), (targets) => targets.forEach((target, i) => target.fill(i + 3))));
    g.node('Identity', [names[0]!], {}, { outputs: ['out'] });
    const { graph, weights } = g.encode();
    const model = onnxProto.onnx.ModelProto.decode(graph);
    const placed = model.graph!.initializer!.map((tensor) => Object.fromEntries(tensor.externalData!.map(({ key, value }) => [key, value])));
    assert.deepEqual(placed, [
      { location: WEIGHTS_FILE, offset: '0', length: '10' },
      { location: WEIGHTS_FILE, offset: '64', length: '100' },
      { location: WEIGHTS_FILE, offset: '192', length: '64' },
      { location: WEIGHTS_FILE, offset: '256', length: '3' },
    ]);
    assert.equal(weights.byteLength, 320);
    placed.forEach(({ offset, length }, i) => {
      const bytes = weights.subarray(Number(offset), Number(offset) + Number(length));
      assert.ok(bytes.every((byte) => byte === i + 1), `w${i} holds its own bytes`);
    });
  });

  it('names nodes by scope and operator, numbering repeats', () => {
    const g = new GraphBuilder();
    const x = g.input('x', DataType.FLOAT, [1]);
    g.scope('model/layers.0/attn', () => g.scope('q_proj', () => g.op('Neg', [g.op('Neg', [x])])));
    g.op('Neg', [x]);
    const model = onnxProto.onnx.ModelProto.decode(g.encode().graph);
    assert.deepEqual(model.graph!.node!.map((node) => node.name), ['/model/layers.0/attn/q_proj/Neg', '/model/layers.0/attn/q_proj/Neg_1', '/Neg']);
  });
});

describe('buildQwen3Graph on in-memory weights', () => {
  // Token ids below the in-memory vocabulary (48).
  const tokens = (length: number, seed: number) => Array.from({ length }, (_, i) => (i * 7 + seed * 13 + 1) % 48);
  const prefix = tokens(11, 0);
  // At least 2 tokens each: a one-row run takes GroupQueryAttention's one-token path, whose sums round differently
  // (measured: a 1-token document 1e-6 apart alone and packed). No document is one token: each ends with the
  // template's suffix.
  const documents = [tokens(5, 1), tokens(9, 2), tokens(2, 3)];
  // F32: onnxruntime's float32 against float64. Q8_0: both quantize activations to q8_0 blocks with fp16 scales, as
  // llama.cpp does; the reference's products are then exact integer sums, onnxruntime's float32 ones.
  const cases: Array<{ type: InMemoryMatrixType; tolerance: number }> = [
    { type: 'f32', tolerance: 1e-4 },
    { type: 'q8_0', tolerance: 2e-3 },
  ];

  for (const { type, tolerance } of cases) {
    describe(`${type} matrices`, () => {
      const model = createInMemoryModel(type);
      const reference = createQwen3Forward(model.gguf);
      const expected = documents.map((document) => reference.answerLogit([...prefix, ...document], type === 'f32' ? 'exact' : 'q8_0-blocks'));
      let session: Qwen3Session;
      before(async () => {
        session = await Qwen3Session.create(ort, model.weights, model.config, { threads: 1 });
      });
      after(() => session.close());

      it(`scores each document after the prefix as the reference forward does (within ${tolerance})`, async () => {
        for (const [i, document] of documents.entries()) {
          const [logit] = await session.score([[...prefix, ...document]]);
          assert.ok(Math.abs(logit! - expected[i]!) <= tolerance, `document ${i}: ${logit} vs ${expected[i]}`);
        }
      });

      it('gives the same scores after a cached prefix, and packed, to the bit', async () => {
        const past = await session.extend(prefix);
        assert.equal(past.length, prefix.length);
        const alone = await Promise.all(documents.map(async (document) => (await session.score([document], past))[0]!));
        alone.forEach((logit, i) => assert.ok(Math.abs(logit - expected[i]!) <= tolerance, `document ${i}: ${logit} vs ${expected[i]}`));
        assert.deepEqual(await session.score(documents, past), alone);
      });
    });
  }

  it('names its nodes by layer and role', () => {
    const { weights, config } = createInMemoryModel('q8_0');
    const names = onnxProto.onnx.ModelProto.decode(buildQwen3Graph(weights, config).graph).graph!.node!.map((node) => node.name!);
    for (const name of [
      '/model/attn_mask/Equal',
      '/model/layers.0/input_layernorm/SimplifiedLayerNormalization',
      '/model/layers.0/attn/qkv_proj/MatMulNBits',
      '/model/layers.0/attn/q_norm/SimplifiedLayerNormalization',
      '/model/layers.1/attn/GroupQueryAttention',
      '/model/layers.1/attn/o_proj/MatMulNBits',
      '/model/layers.1/post_attention_layernorm/SimplifiedLayerNormalization',
      '/model/layers.1/mlp/gate_up_proj/MatMulNBits',
      '/model/layers.1/mlp/act/QuickGelu',
      '/model/layers.1/mlp/down_proj/MatMulNBits',
      '/model/layers.1/residual/Add',
      '/model/norm/SimplifiedLayerNormalization',
      '/lm_head/MatMulNBits',
    ]) {
      assert.ok(names.includes(name), name);
    }
    assert.equal(new Set(names).size, names.length, 'node names are unique');
  });
});
