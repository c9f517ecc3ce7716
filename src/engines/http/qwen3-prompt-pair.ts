import { QWEN3_RERANKER_PREFIX, QWEN3_RERANKER_SUFFIX, formatBody } from '../../core/template.js';

/**
 * The model-card prompt cut in two at the document, for servers that score a (text_1, text_2) pair of raw text:
 * `text_1 = prefix + "<Instruct>: {instruction}\n<Query>: {query}\n"`, `text_2 = "<Document>: {document}" + suffix`.
 * This is the split of vLLM's `examples/pooling/score/qwen3_reranker_offline.py` (`query_template`,
 * `document_template`).
 *
 * Why the halves concatenate to exactly the local engine's prompt and tokens:
 * - vLLM without `--chat-template` joins the halves itself: `prompt_1 + prompt_2` for LLM-as-reranker models, or a
 *   tokenizer text pair (`vllm/entrypoints/pooling/score/utils.py` `get_score_prompt`); TEI always encodes a text
 *   pair (`router/src/http/server.rs` `rerank`). Qwen3's `tokenizer.json` post-processor is plain `ByteLevel`, so a
 *   pair is the two token lists back to back, with no separator.
 * - Tokenizing the halves apart equals tokenizing the whole: the cut falls between a newline and `<`, which the
 *   Qwen2 pre-tokenizer regex always splits, so no BPE merge crosses it. `test/unit/remote-prompt-pair.test.ts`
 *   checks both facts with the real Qwen3 tokenizer.
 */
const DOCUMENT_LABEL = (() => {
  const empty = formatBody('', '', '');
  return empty.slice(empty.lastIndexOf('\n') + 1);
})();

/** `text_1`: everything before the document. Shared by every document of a query. */
export function qwen3QueryHalf(instruction: string, query: string): string {
  const head = formatBody(instruction, query, '');
  return QWEN3_RERANKER_PREFIX + head.slice(0, head.length - DOCUMENT_LABEL.length);
}

/** `text_2`: the document and everything after it. */
export function qwen3DocumentHalf(document: string): string {
  return DOCUMENT_LABEL + document + QWEN3_RERANKER_SUFFIX;
}
