/** Evidence spans in the views: where they fall in a document's text, how strongly to shade them, what to say. */
import type { EvidenceSpan } from '../../src/spec/types.js';

/** A piece of a document's text: plain, or one of its evidence spans. */
export interface EvidenceSegment {
  text: string;
  /** The span this piece is, with its 1-based place in the best-first list; null for plain text. */
  evidence: { rank: number; span: EvidenceSpan } | null;
}

/**
 * Cuts `text` at its evidence spans, in document order. The offsets index the JavaScript string (as the API
 * documents them); a span overlapping an earlier one keeps only its part after it, so no text shows twice.
 */
export function evidenceSegments(text: string, spans: readonly EvidenceSpan[]): EvidenceSegment[] {
  const ordered = spans.map((span, i) => ({ rank: i + 1, span })).sort((a, b) => a.span.start - b.span.start || a.rank - b.rank);
  const segments: EvidenceSegment[] = [];
  let last = 0;
  for (const item of ordered) {
    const start = Math.max(last, Math.min(item.span.start, text.length));
    const end = Math.min(item.span.end, text.length);
    if (end <= start) continue;
    if (start > last) segments.push({ text: text.slice(last, start), evidence: null });
    segments.push({ text: text.slice(start, end), evidence: item });
    last = end;
  }
  if (last < text.length || segments.length === 0) segments.push({ text: text.slice(last), evidence: null });
  return segments;
}

/** Opacity of a span's shading: 0.1 for a score of 0 up to 0.8 for 1, so a weak span is still visible as a span. */
export function evidenceAlpha(score: number): number {
  return 0.1 + 0.7 * Math.max(0, Math.min(1, score));
}

/** What hovering a span (its title) and a screen reader (its description) say: "Evidence 1 of 3: score 0.8123, logit 1.46". */
export function describeEvidence(rank: number, count: number, span: EvidenceSpan): string {
  return `Evidence ${rank} of ${count}: score ${span.score.toFixed(4)}, logit ${span.logit.toFixed(2)}`;
}
