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

/** Han, kana and hangul letters: Qwen3 spends about two tokens on three of them, not one on four. All lie in the
 * Basic Multilingual Plane, so one UTF-16 code unit each. */
function isDenseScript(code: number): boolean {
  return (
    (code >= 0x3040 && code <= 0x30ff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xac00 && code <= 0xd7af) ||
    (code >= 0xf900 && code <= 0xfaff)
  );
}
const DENSE_TOKENS_PER_CHARACTER = 2 / 3;

/** Punctuation and symbols mostly stay tokens of their own in Qwen3's BPE (code, JSON, URLs). Sticky, tested at
 * one position at a time: `u` makes it read a surrogate pair as the one code point it is. */
const SYMBOL_AT = /[^\p{L}\p{N}\s]/uy;

/**
 * Estimated tokens of `text` under the Qwen3 tokenizer. It errs high for English prose (about 1.4× on the samples
 * of `test/unit/remote-token-estimate.test.ts`, which keeps every sample within 0.8×–2× of the real count), the
 * safe side for request limits.
 *
 * One pass that allocates nothing: the server runs it on the event loop for every document of a request, and
 * `text.match(/…/g)` built an array of one string per character (a 1.8 MB Chinese document took 200 ms plus as
 * much garbage collection, during which the server's /health could not answer; bench/health-under-load.ts).
 */
export function estimateTextTokens(text: string): number {
  let dense = 0;
  let symbols = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      // ASCII: symbols are what is neither a letter, a digit nor whitespace (\s: tab to CR, space).
      const word = (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
      if (!word && code !== 0x20 && !(code >= 0x09 && code <= 0x0d)) symbols++;
    } else if (isDenseScript(code)) {
      dense++;
    } else {
      SYMBOL_AT.lastIndex = i;
      if (SYMBOL_AT.test(text)) symbols++;
      // A surrogate pair is one code point, matched or not; its second unit is not looked at again.
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
    }
  }
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
