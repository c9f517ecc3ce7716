/** The ranked cards view: rank, score bar, movement from the input position, highlighted text and evidence. */
import type { RankedDocument } from '../ranking.js';
import { DocumentText } from './document-text.js';
import { HighlightedText, Movement, ScoreBar } from './score-parts.js';

export interface RankedCardsProps {
  ranked: readonly RankedDocument[];
  terms: readonly string[];
}

export function RankedCards({ ranked, terms }: RankedCardsProps) {
  return (
    <ol class="cards" aria-label="Ranked documents">
      {ranked.map((doc) => (
        <li
          key={doc.index}
          class={`card${doc.rank === 1 ? ' top' : ''}${doc.belowMinScore ? ' below' : ''}`}
          data-index={doc.index}
          data-rank={doc.rank}
        >
          <div class="card-rank">
            <span class="rank-number">#{doc.rank}</span>
            {doc.rank === 1 && <span class="top-label">best match</span>}
          </div>
          <div class="card-body">
            <div class="card-meta">
              <ScoreBar score={doc.score} dim={doc.belowMinScore} />
              <span class="origin">input #{doc.index + 1}</span>
              <Movement places={doc.movement} title={`moved ${describeMove(doc.movement)} from input position ${doc.index + 1}`} />
              <span class="detail">logit {doc.logit.toFixed(2)}</span>
              <span class="detail">{doc.inputTokens} tokens{doc.cached ? ' · cached' : ''}</span>
              {doc.belowMinScore && <span class="below-label">below min score</span>}
            </div>
            <DocumentText class="card-text" text={doc.text} terms={terms} evidence={doc.evidence} idPrefix={`card-${doc.index}`} />
            {doc.window && (
              <p class="card-window">
                Best window {doc.window.index + 1} of {doc.window.count}
                {` (tokens ${doc.window.start_token}–${doc.window.end_token})`}
                {doc.window.text && <>: <q><HighlightedText text={doc.window.text} terms={terms} /></q></>}
              </p>
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}

export function describeMove(places: number): string {
  if (places === 0) return 'nowhere';
  return `${places > 0 ? 'up' : 'down'} ${Math.abs(places)} place${Math.abs(places) === 1 ? '' : 's'}`;
}
