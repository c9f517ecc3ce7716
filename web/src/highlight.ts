/** Query-term highlighting for the cards: which words of the query occur in a document. */

/** Function words that would light up every document (a short English list; the judge does not need them). */
const STOPWORDS = new Set(
  ('a an and are as at be by can do does for from how i in is it its me my of on or that the this to was what when ' +
    'where which who why will with you your').split(' '),
);

/** Distinct query words worth highlighting: letters/digits runs, lower-cased, without stopwords, longest first. */
export function queryTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}_.+#-]*[\p{L}\p{N}+#]|[\p{L}\p{N}]/gu) ?? [];
  const terms = new Set(words.filter((word) => !STOPWORDS.has(word) && (word.length > 1 || /\p{N}/u.test(word))));
  return [...terms].sort((a, b) => b.length - a.length);
}

export interface TextSegment {
  text: string;
  match: boolean;
}

/** Splits `text` into plain and matching segments. Matches are case-insensitive and whole-word at both ends
 * (so "torch" does not light up inside "pytorch"), except for scripts without spaces, where any occurrence counts. */
export function highlightSegments(text: string, terms: readonly string[]): TextSegment[] {
  if (terms.length === 0 || text === '') return [{ text, match: false }];
  const alternatives = terms.map((term) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])|(?:${alternatives})(?=[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}])`, 'giu');
  const segments: TextSegment[] = [];
  let last = 0;
  for (const found of text.matchAll(pattern)) {
    const start = found.index;
    if (start > last) segments.push({ text: text.slice(last, start), match: false });
    segments.push({ text: found[0], match: true });
    last = start + found[0].length;
  }
  if (last < text.length) segments.push({ text: text.slice(last), match: false });
  return segments;
}
