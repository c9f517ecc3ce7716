/** A `[start, end)` piece of a text (a sentence, an evidence span). */
interface Span {
  start: number;
  end: number;
}

/** Between two non-adjacent excerpts of one source: the LLM sees that text was left out. */
export const EXCERPT_SEPARATOR = ' … ';

/**
 * The part of a source the LLM reads in `--context evidence`: each evidence span widened by one neighbouring
 * sentence on each side (the claim often needs the sentence that names its subject), excerpts merged when they
 * touch or overlap, in document order, joined with `EXCERPT_SEPARATOR`. `sentences` are the text's sentences in
 * order (`splitEvidenceSpans(text)`); without evidence the whole text is kept.
 */
export function evidenceContextText(text: string, evidence: readonly Span[], sentences: readonly Span[]): string {
  if (evidence.length === 0 || sentences.length === 0) return text;
  const ranges = evidence
    .map((span) => {
      const first = sentences.findIndex((sentence) => sentence.end > span.start);
      const last = sentences.findLastIndex((sentence) => sentence.start < span.end);
      // A span between sentences (whitespace only) keeps the sentences around it.
      const [from, to] = first === -1 ? [sentences.length - 1, sentences.length - 1] : [first, Math.max(first, last)];
      return { from: Math.max(0, from - 1), to: Math.min(sentences.length - 1, to + 1) };
    })
    .sort((a, b) => a.from - b.from);
  const merged: Array<{ from: number; to: number }> = [];
  for (const range of ranges) {
    const previous = merged.at(-1);
    if (previous && range.from <= previous.to + 1) previous.to = Math.max(previous.to, range.to);
    else merged.push({ ...range });
  }
  return merged.map(({ from, to }) => text.slice(sentences[from]!.start, sentences[to]!.end)).join(EXCERPT_SEPARATOR);
}
