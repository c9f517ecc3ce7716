/** Compare mode: two rankings of the same documents side by side, with each document's rank change from A to B. */
import { useState } from 'preact/hooks';
import type { Comparison, RankedDocument } from '../ranking.js';
import { DocumentText } from './document-text.js';
import { describeMove } from './ranked-cards.js';
import { Movement, ScoreBar, formatScore } from './score-parts.js';

export interface CompareViewProps {
  comparison: Comparison;
  labelA: string;
  labelB: string;
  termsA: readonly string[];
  termsB: readonly string[];
}

export function CompareView({ comparison, labelA, labelB, termsA, termsB }: CompareViewProps) {
  // Hovering a document in one column lights it up in the other.
  const [hovered, setHovered] = useState<number | null>(null);
  const biggest = [...comparison.b].sort((p, q) => Math.abs(q.rankChange) - Math.abs(p.rankChange))[0];

  return (
    <div class="compare-view">
      <div class="compare-summary">
        <span title="Kendall's tau between the two rankings: 1 = same order, 0 = unrelated, −1 = reversed">
          Rank agreement (Kendall τ) <strong data-testid="kendall-tau">{comparison.kendallTau.toFixed(2)}</strong>
        </span>
        <span>
          Top {comparison.topOverlap.k} shared <strong data-testid="top-overlap">{comparison.topOverlap.shared}/{comparison.topOverlap.k}</strong>
        </span>
        {biggest && biggest.rankChange !== 0 && (
          <span>
            Biggest move: input #{biggest.index + 1} {describeMove(biggest.rankChange)} (#{biggest.rankInA} → #{biggest.rank})
          </span>
        )}
      </div>
      <div class="compare-columns">
        <CompareColumn side="a" label={labelA} docs={comparison.a} terms={termsA} hovered={hovered} onHover={setHovered} />
        <CompareColumn side="b" label={labelB} docs={comparison.b} terms={termsB} hovered={hovered} onHover={setHovered} />
      </div>
    </div>
  );
}

interface CompareColumnProps {
  side: 'a' | 'b';
  label: string;
  docs: readonly (RankedDocument & { rankInA?: number; scoreInA?: number; rankChange?: number })[];
  terms: readonly string[];
  hovered: number | null;
  onHover: (index: number | null) => void;
}

function CompareColumn({ side, label, docs, terms, hovered, onHover }: CompareColumnProps) {
  return (
    <section class={`compare-column side-${side}`} data-side={side} aria-label={`Run ${side.toUpperCase()}`}>
      <h3><span class="side-tag">{side.toUpperCase()}</span> {label}</h3>
      <ol class="compare-list">
        {docs.map((doc) => (
          <li
            key={doc.index}
            class={`compare-row${hovered === doc.index ? ' hovered' : ''}${doc.belowMinScore ? ' below' : ''}`}
            data-index={doc.index}
            data-rank={doc.rank}
            onMouseEnter={() => onHover(doc.index)}
            onMouseLeave={() => onHover(null)}
          >
            <span class="rank-number">#{doc.rank}</span>
            <div class="compare-body">
              <div class="card-meta">
                <ScoreBar score={doc.score} dim={doc.belowMinScore} />
                {doc.rankChange !== undefined && doc.rankInA !== undefined && (
                  <>
                    <Movement places={doc.rankChange} title={`A: #${doc.rankInA}, ${describeMove(doc.rankChange)} in B`} />
                    <span class="detail">A #{doc.rankInA}, {formatDelta(doc.score - (doc.scoreInA ?? doc.score))}</span>
                  </>
                )}
                {doc.rankChange === undefined && <span class="origin">input #{doc.index + 1}</span>}
              </div>
              <DocumentText class="compare-text" text={doc.text} terms={terms} evidence={doc.evidence} idPrefix={`compare-${side}-${doc.index}`} />
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

function formatDelta(delta: number): string {
  return `${delta >= 0 ? '+' : '−'}${formatScore(Math.abs(delta))}`;
}
