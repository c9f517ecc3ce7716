import { splitEvidenceSpans } from '../../index.js';
import type { NewChunk } from '../store/kb-store.js';

/**
 * The text a model reads for a chunk (reranker document, embedding input): its heading path, then its text. The
 * heading carries context that the chunk's own words often lack ("Install > Linux" above "run the script").
 */
export function chunkDocumentText(chunk: Pick<NewChunk, 'heading' | 'text'>): string {
  return chunk.heading ? `${chunk.heading}\n\n${chunk.text}` : chunk.text;
}

/**
 * The `evidence` to ask the reranker for so that each document keeps `n` spans once the spans that lie wholly in
 * its prefix are dropped (`spansAfterPrefix`): the reranker reads the prefix and may well rank a heading first.
 */
export function evidenceBeyondPrefixes(n: number, documents: ReadonlyArray<{ documentText: string; prefixLength: number }>): number {
  const inPrefix = documents.map(({ documentText, prefixLength }) =>
    prefixLength === 0 ? 0 : splitEvidenceSpans(documentText).filter((span) => span.end <= prefixLength).length,
  );
  return n + Math.max(0, ...inPrefix);
}

/**
 * Spans of a model's document text (`prefix + text`: a chunk's heading, a corpus title line) as spans of `text`:
 * shifted by the prefix's length, those inside the prefix dropped, one straddling it cut at its start.
 */
export function spansAfterPrefix<S extends { start: number; end: number; text: string }>(spans: readonly S[], prefixLength: number, text: string): S[] {
  return spans
    .filter((span) => span.end > prefixLength)
    .map((span) => {
      const start = Math.max(span.start, prefixLength) - prefixLength;
      const end = span.end - prefixLength;
      return { ...span, start, end, text: text.slice(start, end) };
    });
}
