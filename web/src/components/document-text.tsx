/** A document's text as the cards and the compare view show it: evidence spans shaded by score, query terms marked. */
import type { EvidenceSpan } from '../../../src/spec/types.js';
import { describeEvidence, evidenceAlpha, evidenceSegments } from '../evidence.js';
import { HighlightedText } from './score-parts.js';

export interface DocumentTextProps {
  class: string;
  text: string;
  terms: readonly string[];
  /** Best first; null = the run asked for no evidence. */
  evidence: readonly EvidenceSpan[] | null;
  /** Unique on the page: the spans' description ids start with it. */
  idPrefix: string;
}

export function DocumentText({ class: className, text, terms, evidence, idPrefix }: DocumentTextProps) {
  if (!evidence || evidence.length === 0) return <p class={className}><HighlightedText text={text} terms={terms} /></p>;
  const descriptionId = (rank: number): string => `${idPrefix}-evidence-${rank}`;
  return (
    <>
      <p class={className}>
        {evidenceSegments(text, evidence).map((segment, i) => {
          if (!segment.evidence) return <HighlightedText key={i} text={segment.text} terms={terms} />;
          const { rank, span } = segment.evidence;
          return (
            <mark
              key={i}
              class="evidence"
              data-rank={rank}
              data-score={span.score}
              title={describeEvidence(rank, evidence.length, span)}
              aria-describedby={descriptionId(rank)}
              style={{ '--evidence-shade': `${(evidenceAlpha(span.score) * 100).toFixed(1)}%` }}
            >
              <HighlightedText text={segment.text} terms={terms} />
            </mark>
          );
        })}
      </p>
      {/* Hidden, yet still read as the marks' accessible descriptions (aria-describedby may point at hidden text). */}
      {evidence.map((span, i) => <span key={i} hidden id={descriptionId(i + 1)}>{describeEvidence(i + 1, evidence.length, span)}</span>)}
    </>
  );
}
