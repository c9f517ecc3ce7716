/**
 * The score chart: score by rank as points and a line, the minimum-score threshold, and the largest drop between
 * neighbours marked, so a gap between the top few and the rest shows at a glance. Hand-drawn SVG.
 */
import { useState } from 'preact/hooks';
import type { RankedDocument } from '../ranking.js';
import { formatScore } from './score-parts.js';

export interface ChartSeries {
  label: string;
  ranked: readonly RankedDocument[];
}

export interface ScoreChartProps {
  series: readonly ChartSeries[];
  minScore: number;
}

type Scale = 'score' | 'logit';

const WIDTH = 760;
const HEIGHT = 340;
const MARGIN = { top: 20, right: 24, bottom: 44, left: 56 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

interface Hover {
  seriesIndex: number;
  doc: RankedDocument;
  x: number;
  y: number;
}

export function ScoreChart({ series, minScore }: ScoreChartProps) {
  const [hover, setHover] = useState<Hover | null>(null);
  const [scale, setScale] = useState<Scale>('score');
  const all = series.flatMap((s) => s.ranked);
  const useLogit = scale === 'logit';
  const value = (doc: RankedDocument): number => (useLogit ? doc.logit : doc.score);

  const count = Math.max(1, ...series.map((s) => s.ranked.length));
  const [low, high] = useLogit ? paddedRange(all.map(value)) : [0, 1];
  const x = (rank: number): number => MARGIN.left + (count === 1 ? PLOT_W / 2 : ((rank - 1) / (count - 1)) * PLOT_W);
  const y = (v: number): number => MARGIN.top + (1 - (v - low) / (high - low || 1)) * PLOT_H;
  // The threshold is a probability; on the logit scale it sits at its logit (score = sigmoid(logit)).
  const thresholdValue = useLogit ? Math.log(minScore / (1 - minScore)) : minScore;
  const showThreshold = minScore > 0 && minScore < 1 && thresholdValue >= low && thresholdValue <= high;
  const yTicks = ticks(low, high);
  const xTicks = rankTicks(count);
  const gap = series.length === 1 ? largestGap(series[0]?.ranked ?? [], value) : null;
  // The drop is marked halfway between the two ranks; its label goes on whichever side has room.
  const gapX = gap ? (x(gap.rank) + x(gap.rank + 1)) / 2 : 0;
  const gapLabelLeft = gapX > MARGIN.left + PLOT_W / 2;

  return (
    <div class="chart-view">
      <div class="chart-tools">
        <div class="legend">
          {series.map((s, i) => (
            <span key={s.label} class={`legend-item series-${i}`}><span class="legend-swatch" />{s.label}</span>
          ))}
        </div>
        <span class="spacer" />
        <label class="inline-field">
          Y axis
          <select value={useLogit ? 'logit' : 'score'} onChange={(event) => setScale(event.currentTarget.value as Scale)}>
            <option value="score">score (probability)</option>
            <option value="logit">logit</option>
          </select>
        </label>
      </div>
      <div class="chart-frame">
        <svg class="score-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Scores by rank" onMouseLeave={() => setHover(null)}>
          {yTicks.map((tick) => (
            <g key={`y${tick}`} class="grid">
              <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} />
              <text x={MARGIN.left - 8} y={y(tick)} dy="0.32em" text-anchor="end">{formatTick(tick)}</text>
            </g>
          ))}
          {xTicks.map((rank) => (
            <text key={`x${rank}`} class="axis-label" x={x(rank)} y={HEIGHT - MARGIN.bottom + 18} text-anchor="middle">{rank}</text>
          ))}
          <text class="axis-title" x={MARGIN.left + PLOT_W / 2} y={HEIGHT - 6} text-anchor="middle">rank</text>
          <text class="axis-title" transform={`translate(14 ${MARGIN.top + PLOT_H / 2}) rotate(-90)`} text-anchor="middle">
            {useLogit ? 'logit' : 'score'}
          </text>
          {showThreshold && (
            <g class="threshold" data-testid="threshold">
              <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(thresholdValue)} y2={y(thresholdValue)} />
              <text x={MARGIN.left + 6} y={y(thresholdValue) - 6}>min score {minScore}</text>
            </g>
          )}
          {gap && (
            <g class="gap-mark" data-testid="largest-gap">
              <line x1={gapX} x2={gapX} y1={y(gap.upper)} y2={y(gap.lower)} />
              <text
                x={gapLabelLeft ? gapX - 6 : gapX + 6}
                y={(y(gap.upper) + y(gap.lower)) / 2}
                dy="0.32em"
                text-anchor={gapLabelLeft ? 'end' : 'start'}
              >
                largest drop: {gap.size.toFixed(useLogit ? 2 : 3)} after #{gap.rank}
              </text>
            </g>
          )}
          {series.map((s, seriesIndex) => (
            <g key={s.label} class={`series series-${seriesIndex}`}>
              <polyline points={s.ranked.map((doc) => `${x(doc.rank)},${y(value(doc))}`).join(' ')} />
              {s.ranked.map((doc) => (
                <circle
                  key={doc.index}
                  class={`point${doc.belowMinScore ? ' below' : ''}`}
                  cx={x(doc.rank)}
                  cy={y(value(doc))}
                  r={hover?.doc === doc ? 7 : 5}
                  data-rank={doc.rank}
                  data-index={doc.index}
                  data-score={doc.score}
                  onMouseEnter={() => setHover({ seriesIndex, doc, x: x(doc.rank), y: y(value(doc)) })}
                />
              ))}
            </g>
          ))}
        </svg>
        {hover && (
          <div
            class="chart-tooltip"
            role="tooltip"
            style={{
              left: `${(hover.x / WIDTH) * 100}%`,
              top: `${(hover.y / HEIGHT) * 100}%`,
              transform: `translate(${hover.x > WIDTH * 0.6 ? 'calc(-100% - 12px)' : '12px'}, -50%)`,
            }}
          >
            <div class="tooltip-head">
              {series.length > 1 && <span class={`legend-item series-${hover.seriesIndex}`}><span class="legend-swatch" /></span>}
              #{hover.doc.rank} · score {formatScore(hover.doc.score)}
              {` · logit ${hover.doc.logit.toFixed(2)} · input #${hover.doc.index + 1}`}
            </div>
            <div class="tooltip-text">{hover.doc.text.length > 280 ? `${hover.doc.text.slice(0, 280)}…` : hover.doc.text}</div>
          </div>
        )}
      </div>
    </div>
  );
}

/** The biggest fall between neighbouring ranks, if it stands out (≥ 1.5× the mean fall); else null. */
function largestGap(ranked: readonly RankedDocument[], value: (doc: RankedDocument) => number) {
  if (ranked.length < 3) return null;
  let best = { rank: 0, size: -Infinity, upper: 0, lower: 0 };
  let sum = 0;
  for (let i = 0; i + 1 < ranked.length; i++) {
    const upper = value(ranked[i] as RankedDocument);
    const lower = value(ranked[i + 1] as RankedDocument);
    sum += upper - lower;
    if (upper - lower > best.size) best = { rank: i + 1, size: upper - lower, upper, lower };
  }
  const mean = sum / (ranked.length - 1);
  return best.size > 0 && best.size >= 1.5 * mean ? best : null;
}

function paddedRange(values: readonly number[]): [number, number] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = (max - min) * 0.08 || 1;
  return [min - pad, max + pad];
}

/** About five round ticks between `low` and `high` (1, 2 or 5 times a power of ten apart). */
function ticks(low: number, high: number): number[] {
  const rough = (high - low) / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? rough;
  const result: number[] = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) result.push(Number(t.toFixed(10)));
  return result;
}

function rankTicks(count: number): number[] {
  const step = Math.max(1, Math.ceil(count / 12));
  const result = [];
  for (let rank = 1; rank <= count; rank += step) result.push(rank);
  if (result[result.length - 1] !== count) result.push(count);
  return result;
}

function formatTick(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
}
