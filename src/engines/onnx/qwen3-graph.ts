import { DataType, GraphBuilder, type EncodedModel, type ValueSpec } from './graph-builder.js';
import { dequantize, isBlockQuantized, nbitsOf, QUANT_BLOCK, writeNBits, type GgufTensor, type Qwen3Weights, type TensorDescription } from './gguf-tensors.js';
import type { Qwen3Config } from './qwen3-config.js';

/** Names of the graph's inputs and outputs, shared with the session that feeds it. */
export const GRAPH_IO = {
  embeddings: 'inputs_embeds',
  /** `[rows]` int64: for each attention row, the token it holds (see `attentionRows`). */
  attentionRows: 'attention_rows',
  /** `[sequence]` int64: for each token, its attention row. */
  tokenRows: 'token_rows',
  /** `[1, rows]` int64: each attention row's position in its own prompt (documents restart after the prefix). */
  positions: 'position_ids',
  /** `[rows]` int32: which packed document each attention row belongs to; a row attends only to its own. */
  documents: 'document_ids',
  /** `[documents]` int64: the index in the sequence of each document's last token. */
  lastTokens: 'last_token_indices',
  /** `[documents]` int64: the attention row of each document's last token. */
  lastRows: 'last_rows',
  /**
   * `[]` bool: whether the run returns the key/value cache (`present_*`: true for `extend`). A scoring run does not,
   * so each layer's keys and values are freed once its attention is done (224 KiB per token on the 0.6B shape).
   */
  keepKeyValues: 'keep_key_values',
  pastKey: (layer: number) => `past_key.${layer}`,
  pastValue: (layer: number) => `past_value.${layer}`,
  presentKey: (layer: number) => `present_key.${layer}`,
  presentValue: (layer: number) => `present_value.${layer}`,
  /** `[1, documents, 2]`: logit(yes), logit(no) at each document's last token. */
  answerLogits: 'answer_logits',
} as const;

/**
 * Attention rows per GroupQueryAttention call. Its CPU kernel holds float weights for every head, row and key of a
 * call (`attention_probs` in onnxruntime's contrib_ops/cpu/bert/gqa_attention_base.h): 4.3 GB per layer for one
 * 8,192-token document on the 0.6B shape. So the rows of a run go through attention in blocks of this many, each
 * after the keys and values of the blocks before it (as `past`): at most 16 heads × 512 rows × 8,250 keys × 4 bytes
 * = 270 MB. A multiple of `ATTENTION_ALIGNMENT`, so that no block changes a rounding (each row sums over the same
 * keys at the same offsets as in one call: scores are the same to the bit).
 */
export const ATTENTION_BLOCK_ROWS = 512;

export interface Qwen3GraphOptions {
  /** Rows per attention call (default `ATTENTION_BLOCK_ROWS`); at least 2: see `attentionBlocks`. */
  attentionBlockRows?: number;
}

/**
 * The Qwen3 decoder as an ONNX graph (transformers `modeling_qwen3.py`; llama.cpp `src/models/qwen3.cpp`), with
 * every weight taken from the GGUF as stored:
 *
 *   x = embeddings (looked up outside the graph, one row per token)
 *   per layer: h = x + o_proj(GQA(q_norm(q_proj(n)), k_norm(k_proj(n)), v_proj(n), past)), n = rms_norm(x)
 *              x = h + down(silu(gate(m)) · up(m)),                                     m = rms_norm(h)
 *   logits = [yes; no] · rms_norm(x[last])
 *
 * RMSNorm is `SimplifiedLayerNormalization`; attention is `com.microsoft` GroupQueryAttention with its built-in
 * rotary embedding (NeoX halves, `rotary_interleaved = 0`, cos/sin tables from the file's base frequency) and
 * past/present key-value tensors, so a query's shared prefix is evaluated once and passed as `past` to each
 * document. Several documents of one query can share a run, packed one after another in the sequence; every other
 * operator works row by row, and attention sees them laid out as `attention_rows` says: each document starting at
 * a multiple of `ATTENTION_ALIGNMENT` rows, its rotary positions restarting after the prefix (`position_ids`), and
 * an attention bias made from `document_ids` hiding the other documents (GroupQueryAttention's causal mask does the
 * rest), so a document's score is the same, to the bit, alone or packed. Attention runs in blocks of rows
 * (`ATTENTION_BLOCK_ROWS`), so that its memory does not grow with rows × keys. Q8_0/Q4_0 matrices run on MatMulNBits (8/4 bits, blocks of 32, activations quantized per block:
 * `accuracy_level = 4`, like llama.cpp's q8_0 dot products); F32/F16/BF16 on float MatMul.
 */
export function buildQwen3Graph(file: Qwen3Weights, config: Qwen3Config, options: Qwen3GraphOptions = {}): EncodedModel {
  const g = new GraphBuilder();
  const { hidden, heads, kvHeads, headDim, rmsEpsilon } = config;
  const epsilon = { float: rmsEpsilon };
  let x = g.input(GRAPH_IO.embeddings, DataType.FLOAT, [1, 'sequence', hidden]);
  const keepKeyValues = g.input(GRAPH_IO.keepKeyValues, DataType.BOOL, []);
  const positions = g.input(GRAPH_IO.positions, DataType.INT64, [1, 'rows']);
  const attentionRows = g.input(GRAPH_IO.attentionRows, DataType.INT64, ['rows']);
  const tokenRows = g.input(GRAPH_IO.tokenRows, DataType.INT64, ['sequence']);
  const toRows = (input: string) => g.op('Gather', [input, attentionRows], { axis: 1 });
  const lastTokens = g.input(GRAPH_IO.lastTokens, DataType.INT64, ['documents']);
  const lastRows = g.input(GRAPH_IO.lastRows, DataType.INT64, ['documents']);
  const [cos, sin] = rotaryTables(g, config);
  const headShape = g.int64s('shape_heads', [0, 0, heads, headDim]);
  const kvHeadShape = g.int64s('shape_kv_heads', [0, 0, kvHeads, headDim]);
  const flatShape = g.int64s('shape_flat', [0, 0, -1]);
  const blockScaled = llamaActivationScales(g);

  const norm = (input: string, weight: string) =>
    g.op('SimplifiedLayerNormalization', [input, floatInitializer(g, file.read(weight))], { axis: -1, epsilon, stash_type: 1 });
  const source = (name: string): WeightSource => ({ ...file.describe(name), read: () => file.read(name) });
  const linear = (input: string, weight: string) => matMul(g, input, [source(weight)], blockScaled);
  const linears = (input: string, weights: readonly string[], arrange?: (output: string) => string) =>
    fusedMatMul(g, input, weights.map(source), blockScaled, arrange);
  const headNorm = (input: string, shape: string, weight: string) =>
    g.op('Reshape', [norm(g.op('Reshape', [input, shape]), weight), flatShape]);

  const pastKeys = Array.from({ length: config.layers }, (_, layer) => g.input(GRAPH_IO.pastKey(layer), DataType.FLOAT, [1, kvHeads, 'past', headDim]));
  const blocks = g.scope('model/attn_blocks', () =>
    attentionBlocks(g, {
      rows: options.attentionBlockRows ?? ATTENTION_BLOCK_ROWS,
      attentionRows,
      pastKey: pastKeys[0]!,
      documents: g.input(GRAPH_IO.documents, DataType.INT32, ['rows']),
      positions,
      cos,
      sin,
    }),
  );
  const emptyKeyValues = g.initializer('empty_key_values', DataType.FLOAT, [1, kvHeads, 0, headDim], new Float32Array(0));

  // Node scopes name layer and role as onnxruntime-genai's builder does (src/python/py/models/builder.py), so that a
  // profile reads by layer: input_layernorm, attn/{qkv_proj,q_norm,k_norm,o_proj}, post_attention_layernorm,
  // mlp/{gate_up_proj,act,down_proj}, residual; then model/norm and lm_head.
  for (let layer = 0; layer < config.layers; layer++) {
    const blk = `blk.${layer}`;
    const at = `model/layers.${layer}`;
    const n = g.scope(`${at}/input_layernorm`, () => norm(x, `${blk}.attn_norm.weight`));
    const [qProjected, kProjected, v] = g.scope(`${at}/attn/qkv_proj`, () =>
      linears(n, [`${blk}.attn_q.weight`, `${blk}.attn_k.weight`, `${blk}.attn_v.weight`], toRows),
    );
    const q = g.scope(`${at}/attn/q_norm`, () => headNorm(qProjected!, headShape, `${blk}.attn_q_norm.weight`));
    const k = g.scope(`${at}/attn/k_norm`, () => headNorm(kProjected!, kvHeadShape, `${blk}.attn_k_norm.weight`));
    const pastValue = g.input(GRAPH_IO.pastValue(layer), DataType.FLOAT, [1, kvHeads, 'past', headDim]);
    const [blockedAttention, presentKey, presentValue] = g.scope(`${at}/attn`, () =>
      blocks.attend(`layer${layer}`, [q, k, v!, pastKeys[layer]!, pastValue], { num_heads: heads, kv_num_heads: kvHeads, do_rotary: 1, rotary_interleaved: 0 }),
    );
    // Holds the prefix and every attention row; read only after a single document (`extend`), whose rows are its
    // tokens. A scoring run gets empty tensors instead, so the layer's keys and values are freed here. The attention
    // goes through the same If, which makes the rest of the layer wait for it: onnxruntime otherwise ran every If
    // after the last layer (measured in its profile), holding all 28 layers' keys and values until then (1.9 GB for
    // an 8,192-token document).
    const [attention] = g.scope(`${at}/attn/present`, () => {
      const branch = (name: string, key: string, value: string) =>
        g.subgraph(`${name}_${layer}`, [], presentSpecs(layer, name, kvHeads, headDim), () => [blockedAttention!, key, value].map((kept) => g.op('Identity', [kept])));
      return g.node(
        'If',
        [keepKeyValues],
        { then_branch: branch('keep', presentKey!, presentValue!), else_branch: branch('drop', emptyKeyValues, emptyKeyValues) },
        { outputs: [`attention_${layer}`, GRAPH_IO.presentKey(layer), GRAPH_IO.presentValue(layer)] },
      );
    });
    g.output(GRAPH_IO.presentKey(layer), DataType.FLOAT, [1, kvHeads, 'total', headDim]);
    g.output(GRAPH_IO.presentValue(layer), DataType.FLOAT, [1, kvHeads, 'total', headDim]);
    // After the last attention only each document's last token matters (the answer is read there), so the rest of
    // the last layer runs on those rows alone, as llama.cpp does (`inp_out_ids` in src/models/qwen3.cpp).
    const lastLayer = layer === config.layers - 1;
    const residual = lastLayer ? g.scope(`${at}/residual`, () => g.op('Gather', [x, lastTokens], { axis: 1 })) : x;
    const projected = g.scope(`${at}/attn/o_proj`, () =>
      linear(g.op('Gather', [attention!, lastLayer ? lastRows : tokenRows], { axis: 1 }), `${blk}.attn_output.weight`),
    );
    const h = g.scope(`${at}/residual`, () => g.op('Add', [residual, projected]));
    const m = g.scope(`${at}/post_attention_layernorm`, () => norm(h, `${blk}.ffn_norm.weight`));
    const [gateProjected, up] = g.scope(`${at}/mlp/gate_up_proj`, () => linears(m, [`${blk}.ffn_gate.weight`, `${blk}.ffn_up.weight`]));
    // SiLU(z) = z·sigmoid(z) = QuickGelu with alpha 1 (ContribOperators.md: QuickGelu(x) = x·Sigmoid(alpha·x)).
    const activated = g.scope(`${at}/mlp/act`, () => g.op('Mul', [g.op('QuickGelu', [gateProjected!], { alpha: { float: 1 } }, 'com.microsoft'), up!]));
    const down = g.scope(`${at}/mlp/down_proj`, () => linear(activated, `${blk}.ffn_down.weight`));
    x = g.scope(`${at}/residual`, () => g.op('Add', [h, down]));
  }

  // x holds each document's last token: only those go through the final norm and the two-row answer head.
  const answer = file.readRows(config.head.tensor, config.head.rows);
  const normed = g.scope('model/norm', () => norm(x, 'output_norm.weight'));
  g.scope('lm_head', () => g.node('Identity', [matMul(g, normed, [{ ...answer, read: () => answer }], blockScaled)], {}, { outputs: [GRAPH_IO.answerLogits] }));
  g.output(GRAPH_IO.answerLogits, DataType.FLOAT, [1, 'documents', 2]);
  return g.encode();
}

/**
 * Where each packed document starts among the attention rows. GroupQueryAttention's CPU kernel sums over keys in
 * vector lanes, so a document whose keys sit at another offset modulo the lane width gets other roundings
 * (measured here, head size 128: 4.8e-7 apart at offsets 1–5 after the prefix, equal at 8, 16, 24, 32 and 64; the
 * 28-layer random-weight model turns such roundings into score changes of up to 1.0, where llama.cpp's batches
 * change nothing). 16 also covers 16-float lanes. The rows in between copy a token into no document: no document's
 * row attends to them, and they are dropped.
 */
export const ATTENTION_ALIGNMENT = 16;

/** The If's outputs in each branch: the attention, then the present key and value. */
function presentSpecs(layer: number, branch: string, kvHeads: number, headDim: number): ValueSpec[] {
  return [
    { name: `${branch}_attention_${layer}`, elemType: DataType.FLOAT },
    ...['key', 'value'].map((kind) => ({ name: `${branch}_${kind}_${layer}`, elemType: DataType.FLOAT, dims: [1, kvHeads, 'total', headDim] })),
  ];
}

interface AttentionBlocksInputs {
  /** Rows per block (≥ 2). */
  rows: number;
  attentionRows: string;
  /** Any layer's past keys: their length is the prefix's. */
  pastKey: string;
  documents: string;
  positions: string;
  cos: string;
  sin: string;
}

/**
 * GroupQueryAttention over a run's rows in blocks of `rows` (see `ATTENTION_BLOCK_ROWS`), as an ONNX Loop per layer:
 * block i runs rows [i·rows, end) after the keys and values of the prefix and of the blocks before it (the loop
 * carries the present tensors, which GroupQueryAttention returns as past + block), with its slice of the document
 * mask (`blockMasks`), positions and sequence lengths. The attention outputs are concatenated in row order. The last
 * block takes what remains, and is never a single row when there are more (a one-row call takes GroupQueryAttention's
 * one-token path, whose sums round differently): blocks = max(1, ⌈(rows − 1)/block⌉).
 */
function attentionBlocks(g: GraphBuilder, inputs: AttentionBlocksInputs) {
  const { attentionRows, pastKey, documents, positions, cos, sin } = inputs;
  if (!Number.isInteger(inputs.rows) || inputs.rows < 2) throw new RangeError(`attention blocks need at least 2 rows, not ${inputs.rows}`);
  const blockRows = g.int64s('block_rows', [inputs.rows]);
  const one = g.int64s('block_one', [1]);
  const zero = g.int64s('block_zero', [0]);
  const axis0 = g.int64s('block_axis_0', [0]);
  const axis1 = g.int64s('block_axis_1', [1]);
  const rowCount = g.op('Shape', [attentionRows]);
  const pastLength = g.op('Shape', [pastKey], { start: 2, end: 3 });
  const trips = g.op('Max', [g.op('Div', [g.op('Add', [rowCount, g.int64s('block_rows_minus_2', [inputs.rows - 2])]), blockRows]), one]);
  const tripCount = g.op('Squeeze', [trips, axis0]);
  const lastTrip = g.op('Sub', [trips, one]);
  const always = g.initializer('loop_always', DataType.BOOL, [], Uint8Array.of(1));
  const one32 = g.initializer('one_int32', DataType.INT32, [1], Int32Array.of(1));
  const mask = blockMasks(g);

  return {
    /**
     * GroupQueryAttention of `[q, k, v, pastKey, pastValue]` (each `[1, rows, …]` and `[1, kvHeads, past, headDim]`)
     * with `attributes`; returns the attention `[1, rows, heads·headDim]` and the present key and value.
     */
    attend(name: string, [q, k, v, pastKeyIn, pastValueIn]: readonly string[], attributes: Record<string, number>): string[] {
      const specs = (kinds: readonly string[]): ValueSpec[] => kinds.map((kind) => ({ name: `${name}_${kind}`, elemType: DataType.FLOAT }));
      const carried = specs(['key_in', 'value_in', 'attention_in']);
      const body = g.subgraph(
        `${name}_block`,
        [
          { name: `${name}_iteration`, elemType: DataType.INT64, dims: [] },
          { name: `${name}_go_in`, elemType: DataType.BOOL, dims: [] },
          ...carried,
        ],
        [{ name: `${name}_go`, elemType: DataType.BOOL, dims: [] }, ...specs(['key', 'value', 'attention'])],
        () => {
          const block = g.op('Unsqueeze', [`${name}_iteration`, axis0]);
          const start = g.op('Mul', [block, blockRows]);
          const end = g.op('Where', [g.op('Equal', [block, lastTrip]), rowCount, g.op('Add', [start, blockRows])]);
          const rows = (input: string, axis: string) => g.op('Slice', [input, start, end, axis]);
          const total = g.op('Cast', [g.op('Add', [pastLength, end])], { to: DataType.INT32 });
          const bias = mask(rows(documents, axis0), g.op('Slice', [documents, zero, end, axis0]), pastLength);
          const [attention, key, value] = g.node(
            'GroupQueryAttention',
            // seqlens_k = total length − 1 per batch entry; total_sequence_length is a scalar (ContribOperators.md).
            [rows(q!, axis1), rows(k!, axis1), rows(v!, axis1), carried[0]!.name, carried[1]!.name, g.op('Sub', [total, one32]), g.op('Squeeze', [total, axis0]), cos, sin, rows(positions, axis1), bias],
            attributes,
            { domain: 'com.microsoft', outputs: 3 },
          );
          return [g.op('Identity', [`${name}_go_in`]), key!, value!, g.op('Concat', [carried[2]!.name, attention!], { axis: 1 })];
        },
      );
      // The attention so far starts as q's first 0 rows: `[1, 0, heads·headDim]`.
      const [key, value, attention] = g.node('Loop', [tripCount, always, pastKeyIn!, pastValueIn!, g.op('Slice', [q!, zero, zero, axis1])], { body }, { outputs: 3 });
      return [attention!, key!, value!];
    },
  };
}

/**
 * Makes GroupQueryAttention's `attention_bias` `[1, 1, rows, past + keys]` for the attention rows owned by
 * `documents` (`[rows]`) against the keys of the prefix (`pastLength`, `[1]` int64) and of the rows owned by
 * `keyDocuments` (`[keys]`): 0 where a row may look (the whole prefix; rows of its own document) and −∞ elsewhere
 * (the other packed documents and the gap rows). Softmax gives those keys a weight of exactly 0, and adding 0
 * changes nothing. The returned function adds the nodes; the constants are made once per graph.
 */
export function blockMasks(g: GraphBuilder): (documents: string, keyDocuments: string, pastLength: string) => string {
  const zero = g.initializer('mask_open', DataType.FLOAT, [], Float32Array.of(0));
  const closed = g.initializer('mask_closed', DataType.FLOAT, [], Float32Array.of(-Infinity));
  const axis0 = g.int64s('mask_axis_0', [0]);
  const axis1 = g.int64s('mask_axis_1', [1]);
  const batchHeads = g.int64s('mask_axes_batch_heads', [0, 1]);
  return (documents, keyDocuments, pastLength) => {
    const same = g.op('Equal', [g.op('Unsqueeze', [documents, axis1]), g.op('Unsqueeze', [keyDocuments, axis0])]);
    const prefix = g.op('Expand', [zero, g.op('Concat', [g.op('Shape', [documents]), pastLength], { axis: 0 })]);
    const mask = g.op('Concat', [prefix, g.op('Where', [same, zero, closed])], { axis: 1 });
    return g.op('Unsqueeze', [mask, batchHeads]);
  };
}

/** A weight as the graph sees it: its type and shape now, its bytes when the graph is encoded. */
type WeightSource = TensorDescription & { read(): GgufTensor };

/**
 * `x · Wᵀ` for PyTorch-shaped `[out, in]` weights of one type and width stacked by rows: MatMulNBits for
 * Q8_0/Q4_0, MatMul for float types. The weights are read from the file and converted only when the graph is
 * encoded, straight into the weights buffer.
 */
function matMul(g: GraphBuilder, input: string, weights: readonly WeightSource[], blockScaled: (input: string) => string): string {
  const cols = weights[0]!.shape[1]!;
  const rows = weights.reduce((sum, w) => sum + w.shape[0]!, 0);
  const name = weights.map((w) => w.name).join('+');
  if (isBlockQuantized(weights[0]!.type)) {
    const bits = nbitsOf(weights[0]!.type);
    const rowBytes = (cols * bits) / 8;
    const rowBlocks = cols / QUANT_BLOCK;
    const [b, scales] = g.weights(
      [
        { name: `${name}.nbits`, dataType: DataType.UINT8, dims: [rows, rowBlocks, (QUANT_BLOCK * bits) / 8], byteLength: rows * rowBytes },
        { name: `${name}.scales`, dataType: DataType.FLOAT, dims: [rows, rowBlocks], byteLength: rows * rowBlocks * 4 },
      ],
      ([packed, scaleBytes]) => {
        let row = 0;
        for (const weight of weights) {
          const count = weight.shape[0]!;
          const scaleView = new Float32Array(scaleBytes!.buffer, scaleBytes!.byteOffset + row * rowBlocks * 4, count * rowBlocks);
          writeNBits(weight.read(), packed!.subarray(row * rowBytes, (row + count) * rowBytes), scaleView);
          row += count;
        }
      },
    );
    const attributes = { K: cols, N: rows, bits, block_size: QUANT_BLOCK, accuracy_level: 4 };
    return g.op('MatMulNBits', [blockScaled(input), b!, scales!], attributes, 'com.microsoft');
  }
  const [transposed] = g.weights([{ name: `${name}.t`, dataType: DataType.FLOAT, dims: [cols, rows], byteLength: rows * cols * 4 }], ([target]) => {
    const out = new Float32Array(target!.buffer, target!.byteOffset, rows * cols);
    let row = 0;
    for (const weight of weights) {
      const count = weight.shape[0]!;
      const values = new Float32Array(count * cols);
      dequantize(weight.read(), values);
      for (let r = 0; r < count; r++) for (let c = 0; c < cols; c++) out[c * rows + row + r] = values[r * cols + c]!;
      row += count;
    }
  });
  return g.op('MatMul', [input, transposed!]);
}

/**
 * Several projections of one input as one matrix product (q/k/v; gate/up) when their weights share a type: the
 * stored rows are stacked (each output row keeps its own blocks, so no value changes), and the input is quantized
 * once by one larger MatMulNBits instead of once per projection. The result is split back per projection, after
 * `arrange` (given: applied to each projection's output).
 */
function fusedMatMul(
  g: GraphBuilder,
  input: string,
  weights: readonly WeightSource[],
  blockScaled: (input: string) => string,
  arrange: (output: string) => string = (output) => output,
): string[] {
  const [first] = weights;
  if (!first || weights.some((w) => w.type !== first.type || w.shape[1] !== first.shape[1])) {
    return weights.map((w) => arrange(matMul(g, input, [w], blockScaled)));
  }
  const rows = weights.map((w) => w.shape[0]!);
  const split = g.int64s(`${weights.map((w) => w.name).join('+')}.split`, rows);
  return g.node('Split', [arrange(matMul(g, input, weights, blockScaled)), split], { axis: -1 }, { outputs: rows.length });
}

/**
 * llama.cpp quantizes activations for Q8_0/Q4_0 weights to q8_0 blocks whose scale d = max|x|/127 is stored as
 * fp16 (ggml-quants.c `quantize_row_q8_0`; the dot product multiplies by that rounded d); MatMulNBits with
 * accuracy_level 4 computes the same q = round(x/d) but keeps d in fp32 (measured here: its output matches the fp32
 * scale to 4e-6 and differs from the fp16 one by 1e-3 relative — enough to move tiny-model scores by 1e-2).
 * Multiplying each block of 32 by fp16(d)/d first makes MatMulNBits' own d equal fp16(d) with the same q, so the
 * result is llama.cpp's. Returns, per input, the rescaled tensor (made once and shared by q/k/v and gate/up).
 */
function llamaActivationScales(g: GraphBuilder): (input: string) => string {
  const blocks = g.int64s('shape_blocks', [0, 0, -1, QUANT_BLOCK]);
  const flat = g.int64s('shape_unblocks', [0, 0, -1]);
  // Rank 4, not a scalar: onnxruntime's Div took 90–120 µs on a [270, 32, 1] block tensor with a rank-0 divisor and
  // 8 µs with this one (the same division).
  const by127 = g.initializer('q8_max', DataType.FLOAT, [1, 1, 1, 1], Float32Array.of(127));
  // An all-zero block would give 0/0: its max is raised to 127e-30, so d = 1e-30, fp16(d) = 0, ratio 0, and the block
  // stays zero. Any block whose fp16(d) is not 0 has a max far above this, which the clip leaves alone.
  const tinyMax = g.initializer('q8_tiny_max', DataType.FLOAT, [], Float32Array.of(127e-30));
  const made = new Map<string, string>();
  return (input) => {
    let scaled = made.get(input);
    if (scaled) return scaled;
    const x = g.op('Reshape', [input, blocks]);
    const max = g.op('Clip', [g.op('ReduceMax', [g.op('Abs', [x])], { axes: [-1], keepdims: 1 }), tinyMax]);
    const scale = g.op('Div', [max, by127]);
    const half = g.op('Cast', [g.op('Cast', [scale], { to: DataType.FLOAT16 })], { to: DataType.FLOAT });
    const ratio = g.op('Div', [half, scale]);
    scaled = g.op('Reshape', [g.op('Mul', [x, ratio]), flat]);
    made.set(input, scaled);
    return scaled;
  };
}

function floatInitializer(g: GraphBuilder, tensor: GgufTensor): string {
  const values = new Float32Array(tensor.shape.reduce((a, b) => a * b, 1));
  dequantize(tensor, values);
  return g.initializer(tensor.name, DataType.FLOAT, tensor.shape, values);
}

/** cos/sin tables `[positions, headDim/2]` for GroupQueryAttention, as graph weights (see `fillRotaryTables`). */
function rotaryTables(g: GraphBuilder, config: Qwen3Config): [string, string] {
  const dims = [config.contextLength, config.headDim / 2];
  const byteLength = config.contextLength * (config.headDim / 2) * 4;
  const [cos, sin] = g.weights(
    [
      { name: 'rotary_cos', dataType: DataType.FLOAT, dims, byteLength },
      { name: 'rotary_sin', dataType: DataType.FLOAT, dims, byteLength },
    ],
    ([cosBytes, sinBytes]) =>
      fillRotaryTables(
        config,
        new Float32Array(cosBytes!.buffer, cosBytes!.byteOffset, byteLength / 4),
        new Float32Array(sinBytes!.buffer, sinBytes!.byteOffset, byteLength / 4),
      ),
  );
  return [cos!, sin!];
}

/**
 * Writes cos and sin of every position's angles, row-major `[contextLength, headDim/2]`, as transformers' default
 * RoPE computes them (`_compute_default_rope_parameters`: inv_freq = 1 / base^(2i/d) in float32, angle = position ·
 * inv_freq in float32).
 */
export function fillRotaryTables(config: Pick<Qwen3Config, 'contextLength' | 'headDim' | 'ropeFreqBase'>, cos: Float32Array, sin: Float32Array): void {
  const half = config.headDim / 2;
  const inverse = Float32Array.from({ length: half }, (_, i) => 1 / config.ropeFreqBase ** ((2 * i) / config.headDim));
  for (let p = 0; p < config.contextLength; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * inverse[i]!);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
}
