/**
 * The Qwen3-Reranker prompt, exactly as the model card builds it
 * (https://huggingface.co/Qwen/Qwen3-Reranker-0.6B, "Transformers usage"; the same strings are in
 * vllm `examples/offline_inference/qwen3_reranker.py`). The prefix and suffix carry special tokens and are never
 * truncated; the body holds user text and is tokenized as plain text.
 */
export const QWEN3_RERANKER_PREFIX =
  '<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the Instruct provided. ' +
  'Note that the answer can only be "yes" or "no".<|im_end|>\n<|im_start|>user\n';

export const QWEN3_RERANKER_SUFFIX = '<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n';

/** Model card `format_instruction(instruction, query, doc)`. */
export function formatBody(instruction: string, query: string, document: string): string {
  return `<Instruct>: ${instruction}\n<Query>: ${query}\n<Document>: ${document}`;
}

/** Answer tokens in the Qwen3 vocabulary: `tokenizer.convert_tokens_to_ids("yes")` / `("no")` (model card). */
export const YES_TOKEN_ID = 9693;
export const NO_TOKEN_ID = 2152;
