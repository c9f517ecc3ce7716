// The ONNX engine's graph without a model file: the rotary tables, the document mask (run alone in onnxruntime),
// where `GraphBuilder.encode` puts each weight and how it names nodes, and a 2-layer graph built from in-memory
// weights (test/helpers/in-memory-weights.ts), run in one onnxruntime session and checked against the float64
// reference forward (test/helpers/reference), alone, after a cached prefix and packed.
import { describe, it, before, after } from 'node:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { DataType, GraphBuilder, WEIGHTS_FILE } from '../../src/engines/onnx/graph-builder.js';
import { blockMasks, buildQwen3Graph, fillRotaryTables } from '../../src/engines/onnx/qwen3-graph.js';
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

describe('blockMasks', () => {
  it('opens the whole prefix and the keys of the same document, and closes every other key with −∞', async () => {
    const g = new GraphBuilder();
    const documents = g.input('documents', DataType.INT32, ['rows']);
    const keyDocuments = g.input('key_documents', DataType.INT32, ['keys']);
    const pastLength = g.input('past_length', DataType.INT64, [1]);
    g.node('Identity', [blockMasks(g)(documents, keyDocuments, pastLength)], {}, { outputs: ['mask'] });
    g.output('mask', DataType.FLOAT, [1, 1, 'rows', 'keys']);
    const session = await ort.InferenceSession.create(g.encode().graph, { intraOpNumThreads: 1, logSeverityLevel: 3 });
    const run = async (rows: number[], keys: number[], past: number) => {
      const { mask } = await session.run({
        documents: new ort.Tensor('int32', Int32Array.from(rows), [rows.length]),
        key_documents: new ort.Tensor('int32', Int32Array.from(keys), [keys.length]),
        past_length: new ort.Tensor('int64', BigInt64Array.of(BigInt(past)), [1]),
      });
      assert.deepEqual(mask!.dims, [1, 1, rows.length, past + keys.length]);
      const expected = rows.flatMap((row) => [...Array<number>(past).fill(0), ...keys.map((key) => (key === row ? 0 : -Infinity))]);
      assert.deepEqual([...(mask!.data as Float32Array)], expected);
    };
    try {
      // Two documents with a gap row (−1) between them, after a 3-token prefix: all rows, then the block of rows 3–4
      // against the keys up to its end.
      const owners = [0, 0, -1, 1, 1];
      await run(owners, owners, 3);
      await run(owners.slice(3), owners, 3);
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

  describe('attention in blocks of rows', () => {
    // 16-row blocks against one block (the default 512 rows): a 70-token document is 5 blocks (the last 6 rows), a
    // 49-token one 3 (the last 17 rows: never a one-row block), a 40-token prefix 3.
    const model = createInMemoryModel('q8_0');
    const long = [tokens(70, 4), tokens(49, 5)];
    let blocked: Qwen3Session;
    let whole: Qwen3Session;
    before(async () => {
      blocked = await Qwen3Session.create(ort, model.weights, model.config, { threads: 1, attentionBlockRows: 16 });
      whole = await Qwen3Session.create(ort, model.weights, model.config, { threads: 1 });
    });
    after(async () => {
      await blocked.close();
      await whole.close();
    });

    it('gives the scores and the key/value cache of one block, to the bit, and the reference scores', async () => {
      const reference = createQwen3Forward(model.gguf);
      const longPrefix = tokens(40, 6);
      for (const session of [blocked, whole]) assert.equal((await session.extend(longPrefix)).length, 40);
      const [pastBlocked, pastWhole] = [await blocked.extend(longPrefix), await whole.extend(longPrefix)];
      for (let layer = 0; layer < model.config.layers; layer++) {
        assert.deepEqual(pastBlocked.keys[layer]!.dims, [1, model.config.kvHeads, 40, model.config.headDim]);
        assert.deepEqual(pastBlocked.keys[layer]!.data, pastWhole.keys[layer]!.data, `layer ${layer} keys`);
        assert.deepEqual(pastBlocked.values[layer]!.data, pastWhole.values[layer]!.data, `layer ${layer} values`);
      }
      for (const document of long) {
        const expected = reference.answerLogit([...longPrefix, ...document], 'q8_0-blocks');
        const [logit] = await blocked.score([document], pastBlocked);
        assert.equal(logit, (await whole.score([document], pastWhole))[0]);
        assert.ok(Math.abs(logit! - expected) <= 2e-3, `${logit} vs ${expected}`);
      }
      // Packed: 70 + 49 tokens and two short documents span 9 blocks, with documents across block boundaries.
      const packed = [...long, ...documents];
      assert.deepEqual(await blocked.score(packed, pastBlocked), await whole.score(packed, pastWhole));
      assert.deepEqual(await blocked.score(packed), await whole.score(packed));
    });
  });

  it("frees each layer's keys and values before the next layer runs (the If that drops them is not left to the end)", async () => {
    // onnxruntime schedules a node nothing waits for late: left alone, every layer's If ran after the answer head,
    // holding all layers' keys and values through the run (1.9 GB for one 8,192-token document on the 0.6B shape).
    const { weights, config } = createInMemoryModel('q8_0');
    const directory = mkdtempSync(join(tmpdir(), 'qwen3-graph-order-'));
    try {
      const session = await Qwen3Session.create(ort, weights, config, { threads: 1, profileFilePrefix: join(directory, 'profile') });
      await session.score([tokens(20, 7)]);
      await session.close();
      const events = JSON.parse(readFileSync(join(directory, readdirSync(directory)[0]!), 'utf8')) as Array<{ cat: string; name: string; ts: number }>;
      const started = (name: string) => {
        const event = events.find((e) => e.cat === 'Node' && e.name === `${name}_kernel_time`);
        assert.ok(event, `${name} ran`);
        return event.ts;
      };
      for (let layer = 0; layer < config.layers; layer++) {
        const next = layer + 1 < config.layers ? `/model/layers.${layer + 1}/attn/Loop` : '/lm_head/MatMulNBits';
        assert.ok(started(`/model/layers.${layer}/attn/present/If`) < started(next), `layer ${layer}'s If runs before ${next}`);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('names its nodes by layer and role', () => {
    const { weights, config } = createInMemoryModel('q8_0');
    // Nodes of the graph and of its subgraphs (Loop bodies, If branches).
    const nodes = (graph: onnxProto.onnx.IGraphProto): string[] =>
      graph.node!.flatMap((node) => [node.name!, ...(node.attribute ?? []).flatMap((attribute) => (attribute.g ? nodes(attribute.g) : []))]);
    const names = nodes(onnxProto.onnx.ModelProto.decode(buildQwen3Graph(weights, config).graph).graph!);
    for (const name of [
      '/model/layers.0/input_layernorm/SimplifiedLayerNormalization',
      '/model/layers.0/attn/qkv_proj/MatMulNBits',
      '/model/layers.0/attn/q_norm/SimplifiedLayerNormalization',
      '/model/layers.1/attn/Loop',
      '/model/layers.1/attn/GroupQueryAttention',
      '/model/layers.1/attn/Equal',
      '/model/layers.1/attn/present/If',
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
