/**
 * Token counts without a tokenizer. A remote engine never loads the model, so it estimates prompt sizes to split
 * requests and to weigh outstanding work, and to give each document its share when a server reports only a total.
 */

/**
 * Qwen3 tokens of the prompt with an empty instruction, query and document
 * (`QWEN3_RERANKER_PREFIX + formatBody('', '', '') + QWEN3_RERANKER_SUFFIX`), counted with the Qwen3 tokenizer;
 * `test/unit/remote-token-estimate.test.ts` recounts it.
 */
export const TEMPLATE_TOKENS = 60;

/**
 * Characters per token of English text with a BPE vocabulary: "1 token ≈ 4 chars in English"
 * (https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them). Qwen3's 151k vocabulary
 * packs English more densely than that, so the estimate errs high, which is the safe side for request limits.
 */
const CHARACTERS_PER_TOKEN = 4;

/** Han, kana and hangul code points: Qwen3 spends about one token per character on them, not a quarter. */
const DENSE_SCRIPT = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/gu;

/** Estimated tokens of `text` under the Qwen3 tokenizer. */
export function estimateTextTokens(text: string): number {
  const dense = text.match(DENSE_SCRIPT)?.length ?? 0;
  return dense + Math.ceil((text.length - dense) / CHARACTERS_PER_TOKEN);
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
