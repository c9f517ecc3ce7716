/**
 * Makes Chinese and Japanese text searchable with FTS5. FTS5's `unicode61` tokenizer splits only on separators
 * (https://sqlite.org/fts5.html#unicode61_tokenizer), so an unspaced CJK sentence would become one huge token that
 * no query matches. Before indexing (and for every query) each CJK run is rewritten into space-separated units.
 */

/** How CJK runs are cut: overlapping character bigrams (language-independent, the classic CJK indexing of
 * Lucene's `CJKBigramFilter`), or dictionary words from ICU via `Intl.Segmenter`. */
export type CjkTokenization = 'bigram' | 'segmenter';

/** Han ideographs, kana and the marks that live inside Japanese words (ー, 々). Hangul is spaced and left alone. */
const CJK_RUN = /[\p{Script_Extensions=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}]+/gu;

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** Rewrites every CJK run of `text` into units separated by spaces; other text is returned unchanged. */
export function splitCjk(text: string, mode: CjkTokenization): string {
  return text.replace(CJK_RUN, (run) => ` ${(mode === 'bigram' ? bigrams(run) : words(run)).join(' ')} `);
}

function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length < 2) return chars;
  const units: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) units.push(chars[i]! + chars[i + 1]!);
  return units;
}

function words(run: string): string[] {
  const units: string[] = [];
  for (const segment of segmenter.segment(run)) if (segment.isWordLike) units.push(segment.segment);
  return units;
}
