// The Qwen3 forward pass in float64, with Hugging Face transformers' `Qwen3ForCausalLM` semantics
// (src/transformers/models/qwen3/modeling_qwen3.py): RMSNorm → q/k/v, per-head q_norm/k_norm, RoPE (rotate_half),
// GQA causal attention scaled by 1/sqrt(head_dim), o_proj, residual; RMSNorm → down(silu(gate)·up), residual; final
// norm; then only the two answer-head rows "yes" and "no". The last layer computes q, attention and the FFN for the
// last position only: nothing else reaches the answer.
import type { GgufFile, GgufValue } from './gguf-file-reader.js';
import { createWeightMatrix, type MatrixInputs, type WeightMatrix } from './weight-matrix.js';

/** Qwen3-Reranker's answer tokens (https://huggingface.co/Qwen/Qwen3-Reranker-0.6B: "yes" 9693, "no" 2152). */
export const YES_TOKEN_ID = 9693;
export const NO_TOKEN_ID = 2152;

export interface Qwen3Config {
  architecture: string;
  layers: number;
  hidden: number;
  feedForward: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ropeBase: number;
  epsilon: number;
  /** Which head the logits come from: `cls.output.weight`, `output.weight` or the tied `token_embd.weight`. */
  head: string;
  /** The head's rows for "yes" and "no". */
  headRows: [number, number];
}

interface Layer {
  attnNorm: Float64Array;
  ffnNorm: Float64Array;
  qNorm: Float64Array;
  kNorm: Float64Array;
  q: WeightMatrix;
  k: WeightMatrix;
  v: WeightMatrix;
  o: WeightMatrix;
  gate: WeightMatrix;
  up: WeightMatrix;
  down: WeightMatrix;
}

export type AnswerHeadChoice = 'file' | 'embedding';

export interface Qwen3Forward {
  config: Qwen3Config;
  /**
   * logit("yes") − logit("no") at the last position of `tokens`, from the file's answer head, or (`'embedding'`)
   * from the embedding's rows of the two tokens, which is what a scorer that ignores the file's head computes.
   */
  answerLogit(tokens: readonly number[], matrixInputs: MatrixInputs, head?: AnswerHeadChoice): number;
}

function metadataNumber(file: GgufFile, key: string, fallback?: number): number {
  const value = file.metadata.get(key);
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw new Error(`GGUF metadata ${key} is ${value === undefined ? 'missing' : 'not a number'}`);
  return value;
}

/** The answer head and its yes/no rows (llama.cpp ranking layout, or the causal LM head, tied or not). */
function answerHead(file: GgufFile, architecture: string): { head: string; headRows: [number, number] } {
  if (file.tensors.has('cls.output.weight')) {
    // llama.cpp's convert_hf_to_gguf.py (Qwen3Model) stores the labels of cls.output.weight's rows.
    const labels: GgufValue | undefined = file.metadata.get(`${architecture}.classifier.output_labels`);
    if (!Array.isArray(labels)) throw new Error(`cls.output.weight without ${architecture}.classifier.output_labels`);
    const yes = labels.indexOf('yes');
    const no = labels.indexOf('no');
    if (yes < 0 || no < 0) throw new Error(`${architecture}.classifier.output_labels ${JSON.stringify(labels)} lacks "yes" or "no"`);
    return { head: 'cls.output.weight', headRows: [yes, no] };
  }
  const head = file.tensors.has('output.weight') ? 'output.weight' : 'token_embd.weight';
  return { head, headRows: [YES_TOKEN_ID, NO_TOKEN_ID] };
}

function readConfig(file: GgufFile): Qwen3Config {
  const architecture = file.metadata.get('general.architecture');
  if (typeof architecture !== 'string') throw new Error('GGUF metadata general.architecture is missing');
  const key = (name: string, fallback?: number) => metadataNumber(file, `${architecture}.${name}`, fallback);
  const hidden = key('embedding_length');
  const heads = key('attention.head_count');
  return {
    architecture,
    layers: key('block_count'),
    hidden,
    feedForward: key('feed_forward_length'),
    heads,
    kvHeads: key('attention.head_count_kv', heads),
    headDim: key('attention.key_length', hidden / heads),
    ropeBase: key('rope.freq_base'),
    epsilon: key('attention.layer_norm_rms_epsilon'),
    ...answerHead(file, architecture),
  };
}

export function createQwen3Forward(file: GgufFile): Qwen3Forward {
  const config = readConfig(file);
  const { hidden, heads, kvHeads, headDim, feedForward, epsilon } = config;
  const matrix = (name: string, rows: number, columns: number): WeightMatrix => {
    const info = file.tensors.get(name);
    if (!info) throw new Error(`GGUF tensor ${name} is missing`);
    const weights = createWeightMatrix(file, info);
    if (weights.columns !== columns || (rows > 0 && weights.rows !== rows)) {
      throw new Error(`${name} is ${weights.rows}×${weights.columns}, expected ${rows}×${columns}`);
    }
    return weights;
  };
  const vector = (name: string, length: number): Float64Array => matrix(name, 1, length).readRows(0, 1);
  const layers: Layer[] = [];
  for (let i = 0; i < config.layers; i++) {
    const blk = `blk.${i}`;
    layers.push({
      attnNorm: vector(`${blk}.attn_norm.weight`, hidden),
      ffnNorm: vector(`${blk}.ffn_norm.weight`, hidden),
      qNorm: vector(`${blk}.attn_q_norm.weight`, headDim),
      kNorm: vector(`${blk}.attn_k_norm.weight`, headDim),
      q: matrix(`${blk}.attn_q.weight`, heads * headDim, hidden),
      k: matrix(`${blk}.attn_k.weight`, kvHeads * headDim, hidden),
      v: matrix(`${blk}.attn_v.weight`, kvHeads * headDim, hidden),
      o: matrix(`${blk}.attn_output.weight`, hidden, heads * headDim),
      gate: matrix(`${blk}.ffn_gate.weight`, feedForward, hidden),
      up: matrix(`${blk}.ffn_up.weight`, feedForward, hidden),
      down: matrix(`${blk}.ffn_down.weight`, hidden, feedForward),
    });
  }
  const embedding = matrix('token_embd.weight', 0, hidden);
  const outputNorm = vector('output_norm.weight', hidden);
  const head = matrix(config.head, 0, hidden);
  if (heads % kvHeads !== 0) throw new Error(`head_count ${heads} is not a multiple of head_count_kv ${kvHeads}`);
  if (headDim % 2 !== 0) throw new Error(`head_dim ${headDim} is odd: RoPE needs pairs`);

  // HF `_compute_default_rope_parameters`: inv_freq[i] = 1 / base^(2i / head_dim).
  const half = headDim / 2;
  const inverseFrequency = Float64Array.from({ length: half }, (_, i) => 1 / config.ropeBase ** ((2 * i) / headDim));

  /** In place: per-head RMSNorm (q_norm/k_norm over head_dim), then RoPE at `position` in rotate_half form. */
  function normAndRotate(vectorOfHeads: Float64Array, headCount: number, weight: Float64Array, position: number): void {
    for (let h = 0; h < headCount; h++) {
      const at = h * headDim;
      rmsNormInPlace(vectorOfHeads, at, headDim, weight, epsilon);
      for (let i = 0; i < half; i++) {
        const angle = position * inverseFrequency[i]!;
        const cos = Math.cos(angle);
        const sin = Math.sin(angle);
        const x1 = vectorOfHeads[at + i]!;
        const x2 = vectorOfHeads[at + half + i]!;
        vectorOfHeads[at + i] = x1 * cos - x2 * sin;
        vectorOfHeads[at + half + i] = x2 * cos + x1 * sin;
      }
    }
  }

  function answerLogit(tokens: readonly number[], matrixInputs: MatrixInputs, headChoice: AnswerHeadChoice = 'file'): number {
    const n = tokens.length;
    if (n === 0) throw new Error('no tokens to score');
    const rowsByToken = new Map<number, Float64Array>();
    let states: Float64Array[] = tokens.map((token) => {
      let row = rowsByToken.get(token);
      if (!row) rowsByToken.set(token, (row = embedding.readRows(token, 1)));
      return Float64Array.from(row) as Float64Array;
    });
    const group = heads / kvHeads;
    const scale = 1 / Math.sqrt(headDim);
    layers.forEach((layer, index) => {
      const last = index === layers.length - 1;
      const normed = states.map((state) => rmsNorm(state, layer.attnNorm, epsilon));
      const keys = layer.k.multiply(normed, matrixInputs);
      const values = layer.v.multiply(normed, matrixInputs);
      keys.forEach((key, position) => normAndRotate(key, kvHeads, layer.kNorm, position));
      // Per KV head, all positions contiguous: the attention loops below then walk memory in order.
      const keyRows = byHead(keys, kvHeads, headDim);
      const valueRows = byHead(values, kvHeads, headDim);
      // Query positions: all of them, or in the last layer only the last one.
      const first = last ? n - 1 : 0;
      const queries = layer.q.multiply(last ? [normed[n - 1]!] : normed, matrixInputs);
      const mixed = queries.map((query, offset) => {
        const position = first + offset;
        normAndRotate(query, heads, layer.qNorm, position);
        const out = new Float64Array(heads * headDim);
        const scores = new Float64Array(position + 1);
        for (let h = 0; h < heads; h++) {
          const headKeys = keyRows[Math.floor(h / group)]!;
          const headValues = valueRows[Math.floor(h / group)]!;
          const qAt = h * headDim;
          let max = -Infinity;
          for (let t = 0; t <= position; t++) {
            let s = 0;
            for (let d = 0, k = t * headDim; d < headDim; d++, k++) s += query[qAt + d]! * headKeys[k]!;
            scores[t] = s * scale;
            if (scores[t]! > max) max = scores[t]!;
          }
          let total = 0;
          for (let t = 0; t <= position; t++) total += scores[t] = Math.exp(scores[t]! - max);
          const mix = new Float64Array(headDim);
          for (let t = 0; t <= position; t++) {
            const weight = scores[t]! / total;
            for (let d = 0, v = t * headDim; d < headDim; d++, v++) mix[d] = mix[d]! + weight * headValues[v]!;
          }
          out.set(mix, qAt);
        }
        return out;
      });
      const attended = layer.o.multiply(mixed, matrixInputs);
      const residual = (last ? [states[n - 1]!] : states).map((state, i) => add(state, attended[i]!));
      const ffnInputs = residual.map((state) => rmsNorm(state, layer.ffnNorm, epsilon));
      const gates = layer.gate.multiply(ffnInputs, matrixInputs);
      const ups = layer.up.multiply(ffnInputs, matrixInputs);
      const activations = gates.map((gate, i) => gate.map((g, j) => (g / (1 + Math.exp(-g))) * ups[i]![j]!));
      const downs = layer.down.multiply(activations, matrixInputs);
      states = residual.map((state, i) => add(state, downs[i]!));
    });
    const final = rmsNorm(states[states.length - 1]!, outputNorm, epsilon);
    const [logits] = headChoice === 'file' ? head.multiply([final], matrixInputs, config.headRows) : embedding.multiply([final], matrixInputs, [YES_TOKEN_ID, NO_TOKEN_ID]);
    return logits![0]! - logits![1]!;
  }

  return { config, answerLogit };
}

/** Rows of `headCount` heads each → per head, one array of all rows' slices of that head. */
function byHead(rows: readonly Float64Array[], headCount: number, headDim: number): Float64Array[] {
  return Array.from({ length: headCount }, (_, h) => {
    const out = new Float64Array(rows.length * headDim);
    rows.forEach((row, t) => out.set(row.subarray(h * headDim, (h + 1) * headDim), t * headDim));
    return out;
  });
}

/** HF Qwen3RMSNorm: weight · x / sqrt(mean(x²) + eps). */
function rmsNorm(x: Float64Array, weight: Float64Array, epsilon: number): Float64Array {
  const out = Float64Array.from(x);
  rmsNormInPlace(out, 0, x.length, weight, epsilon);
  return out;
}

function rmsNormInPlace(x: Float64Array, at: number, length: number, weight: Float64Array, epsilon: number): void {
  let squares = 0;
  for (let i = at; i < at + length; i++) squares += x[i]! * x[i]!;
  const inverse = 1 / Math.sqrt(squares / length + epsilon);
  for (let i = 0; i < length; i++) x[at + i] = x[at + i]! * inverse * weight[i]!;
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((value, i) => value + b[i]!);
}
