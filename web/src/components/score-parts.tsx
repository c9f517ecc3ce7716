/** Small pieces shared by the cards and the compare view: the score bar and the rank-movement badge. */
import { highlightSegments } from '../highlight.js';

export function ScoreBar({ score, dim = false }: { score: number; dim?: boolean }) {
  const percent = Math.max(0, Math.min(1, score)) * 100;
  return (
    <span class={`score-bar${dim ? ' dim' : ''}`} title={`score ${score}`}>
      <span class="score-track"><span class="score-fill" style={{ width: `${percent}%` }} /></span>
      <span class="score-value" data-score={score}>{formatScore(score)}</span>
    </span>
  );
}

/** ▲n for a document that moved up n places, ▼n for down, = for unchanged. */
export function Movement({ places, title }: { places: number; title: string }) {
  if (places === 0) return <span class="movement same" title={title} data-movement={0}>=</span>;
  return (
    <span class={`movement ${places > 0 ? 'up' : 'down'}`} title={title} data-movement={places}>
      {places > 0 ? '▲' : '▼'}{Math.abs(places)}
    </span>
  );
}

export function HighlightedText({ text, terms }: { text: string; terms: readonly string[] }) {
  return (
    <>
      {highlightSegments(text, terms).map((segment, i) => (segment.match ? <mark key={i}>{segment.text}</mark> : segment.text))}
    </>
  );
}

/** Four decimals: enough to tell close scores apart, short enough for a card. */
export function formatScore(score: number): string {
  return score.toFixed(4);
}
