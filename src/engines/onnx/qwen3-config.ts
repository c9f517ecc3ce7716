import { ModelLoadError } from '../../spec/errors.js';
import { resolveAnswerHead, type AnswerHead } from '../local/answer-head.js';
import type { GgufTensorFile } from './gguf-tensors.js';

/** What the graph needs from a Qwen3 GGUF, all read from its metadata (llama.cpp gguf-py `Keys.LLM`/`Keys.Attention`). */
export interface Qwen3Config {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  feedForward: number;
  rmsEpsilon: number;
  ropeFreqBase: number;
  contextLength: number;
  /** Tensor whose rows give logit(yes) and logit(no), and the two row indices. */
  head: AnswerHead;
}

/** llama.cpp's defaults when a key is absent (src/llama-model.cpp `load_hparams`): RoPE base 10,000. */
const DEFAULT_ROPE_FREQ_BASE = 10_000;

export function readQwen3Config(file: GgufTensorFile): Qwen3Config {
  const arch = (file.metadata.qwen3 ?? {}) as Record<string, unknown>;
  const attention = (arch.attention ?? {}) as Record<string, unknown>;
  const rope = (arch.rope ?? {}) as Record<string, unknown>;
  const required = (value: unknown, key: string): number => {
    if (typeof value !== 'number') throw new ModelLoadError('not_a_reranker', `${file.path} lacks qwen3.${key}`);
    return value;
  };
  const hidden = required(arch.embedding_length, 'embedding_length');
  const heads = required(attention.head_count, 'attention.head_count');
  return {
    layers: required(arch.block_count, 'block_count'),
    hidden,
    heads,
    kvHeads: typeof attention.head_count_kv === 'number' ? attention.head_count_kv : heads,
    headDim: typeof attention.key_length === 'number' ? attention.key_length : hidden / heads,
    feedForward: required(arch.feed_forward_length, 'feed_forward_length'),
    rmsEpsilon: required(attention.layer_norm_rms_epsilon, 'attention.layer_norm_rms_epsilon'),
    ropeFreqBase: typeof rope.freq_base === 'number' ? rope.freq_base : DEFAULT_ROPE_FREQ_BASE,
    contextLength: required(arch.context_length, 'context_length'),
    head: resolveAnswerHead(file.path, (name) => file.has(name), arch),
  };
}
