/**
 * Token counts without a tokenizer, for work that must be sized before (or without) tokenizing: the server's
 * per-request token limit (src/server/server-limits.ts), and the remote engines, which never load the model, to
 * split requests, weigh outstanding work and give each document its share when a server reports only a total.
 */

/**
 * Qwen3 tokens of the prompt with an empty instruction, query and document
 * (`QWEN3_RERANKER_PREFIX + formatBody('', '', '') + QWEN3_RERANKER_SUFFIX`), counted with the Qwen3 tokenizer;
 * `test/unit/remote-token-estimate.test.ts` recounts it.
 */
export const TEMPLATE_TOKENS = 60;

/**
 * Characters per token of letters, digits and spaces: "1 token ≈ 4 chars in English"
 * (https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them).
 */
const CHARACTERS_PER_TOKEN = 4;

/** Han, kana and hangul letters: Qwen3 spends about two tokens on three of them, not one on four. */
const DENSE_SCRIPT = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/gu;
const DENSE_TOKENS_PER_CHARACTER = 2 / 3;

/** Punctuation and symbols mostly stay tokens of their own in Qwen3's BPE (code, JSON, URLs). */
const SYMBOL = /[^\p{L}\p{N}\s]/gu;

/**
 * Estimated tokens of `text` under the Qwen3 tokenizer. It errs high for English prose (about 1.4× on the samples
 * of `test/unit/remote-token-estimate.test.ts`, which keeps every sample within 0.8×–2× of the real count), the
 * safe side for request limits.
 */
export function estimateTextTokens(text: string): number {
  const dense = text.match(DENSE_SCRIPT)?.length ?? 0;
  const symbols = text.match(SYMBOL)?.length ?? 0;
  return Math.ceil(dense * DENSE_TOKENS_PER_CHARACTER + symbols + (text.length - dense - symbols) / CHARACTERS_PER_TOKEN);
}

/** Estimated tokens of the whole Qwen3-Reranker prompt for one document. */
export function estimatePromptTokens(instruction: string, query: string, document: string): number {
  return TEMPLATE_TOKENS + estimateTextTokens(instruction) + estimateTextTokens(query) + estimateTextTokens(document);
}

/**
 * Splits a server-reported `total` over documents in proportion to their estimates (largest-remainder rounding,
 * so the parts are integers that add up to `total`). Without a total, each document keeps its estimate.
 */
export function apportionTokens(total: number | undefined, estimates: readonly number[]): number[] {
  if (total === undefined) return [...estimates];
  const sum = estimates.reduce((a, b) => a + b, 0);
  if (sum === 0) return estimates.map(() => 0);
  const exact = estimates.map((e) => (e * total) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left <= 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}
