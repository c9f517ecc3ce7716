/**
 * Qwen3-Reranker GGUFs we know and recommend: giladgd's conversions (the author of node-llama-cpp), which name files
 * `<Model>.<QUANT>.gguf`, e.g. `Qwen3-Reranker-0.6B.Q8_0.gguf`. Each repo's file listing is the source to follow
 * for names, sizes and SHA-256 (the downloader checks the SHA-256 the Hub reports):
 * - https://huggingface.co/giladgd/Qwen3-Reranker-0.6B-GGUF/tree/main — Q8_0 is 639,153,376 bytes; Q4_K_M ≈ 396 MB.
 * - https://huggingface.co/giladgd/Qwen3-Reranker-4B-GGUF/tree/main
 * - https://huggingface.co/giladgd/Qwen3-Reranker-8B-GGUF/tree/main
 * The other sizes are estimates: parameters (0.6B: 596M, 4B: 4.02B, 8B: 8.19B, from the model cards at
 * https://huggingface.co/Qwen/Qwen3-Reranker-0.6B and its 4B/8B siblings) × bits per weight of the quantization
 * (Q4_K_M ≈ 4.9, Q5_K_M ≈ 5.7, Q6_K ≈ 6.6, Q8_0 ≈ 8.5, F16 = 16). An unavailable quantization fails with the list of
 * those the Hub has.
 */
export interface KnownModelQuantization {
  /** Quantization name as written in `hf:owner/repo:QUANT`. */
  name: string;
  /** Approximate file size in bytes. */
  approximateBytes: number;
}

export interface KnownModel {
  /** Model name, e.g. `Qwen3-Reranker-0.6B`. */
  name: string;
  /** Parameter count class. */
  sizeClass: '0.6B' | '4B' | '8B';
  /** Upstream (safetensors) model the GGUF was converted from. */
  upstream: string;
  /** Hugging Face repo holding the GGUFs, `owner/repo`. */
  repo: string;
  /** Quantization used when none is asked for. */
  defaultQuantization: string;
  quantizations: readonly KnownModelQuantization[];
}

const GB = 1e9;

export const KNOWN_MODELS: readonly KnownModel[] = [
  {
    name: 'Qwen3-Reranker-0.6B',
    sizeClass: '0.6B',
    upstream: 'Qwen/Qwen3-Reranker-0.6B',
    repo: 'giladgd/Qwen3-Reranker-0.6B-GGUF',
    defaultQuantization: 'Q8_0',
    quantizations: [
      { name: 'Q4_K_M', approximateBytes: 0.396 * GB },
      { name: 'Q5_K_M', approximateBytes: 0.444 * GB },
      { name: 'Q6_K', approximateBytes: 0.495 * GB },
      { name: 'Q8_0', approximateBytes: 639_153_376 },
      { name: 'F16', approximateBytes: 1.2 * GB },
    ],
  },
  {
    name: 'Qwen3-Reranker-4B',
    sizeClass: '4B',
    upstream: 'Qwen/Qwen3-Reranker-4B',
    repo: 'giladgd/Qwen3-Reranker-4B-GGUF',
    defaultQuantization: 'Q8_0',
    quantizations: [
      { name: 'Q4_K_M', approximateBytes: 2.5 * GB },
      { name: 'Q5_K_M', approximateBytes: 2.9 * GB },
      { name: 'Q6_K', approximateBytes: 3.3 * GB },
      { name: 'Q8_0', approximateBytes: 4.3 * GB },
      { name: 'F16', approximateBytes: 8.0 * GB },
    ],
  },
  {
    name: 'Qwen3-Reranker-8B',
    sizeClass: '8B',
    upstream: 'Qwen/Qwen3-Reranker-8B',
    repo: 'giladgd/Qwen3-Reranker-8B-GGUF',
    defaultQuantization: 'Q8_0',
    quantizations: [
      { name: 'Q4_K_M', approximateBytes: 5.0 * GB },
      { name: 'Q5_K_M', approximateBytes: 5.9 * GB },
      { name: 'Q6_K', approximateBytes: 6.7 * GB },
      { name: 'Q8_0', approximateBytes: 8.7 * GB },
      { name: 'F16', approximateBytes: 16.4 * GB },
    ],
  },
];

/** The `hf:` URI of a known model in one of its quantizations (its default when omitted). */
export function knownModelUri(model: KnownModel, quantization: string = model.defaultQuantization): string {
  return `hf:${model.repo}:${quantization}`;
}

/** The model used when none is given: Qwen3-Reranker-0.6B, Q8_0 (≈ 640 MB). */
export const DEFAULT_MODEL = 'hf:giladgd/Qwen3-Reranker-0.6B-GGUF:Q8_0';
