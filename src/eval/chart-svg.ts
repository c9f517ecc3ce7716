import { METRIC_NAMES, type MetricValues } from './metrics.js';

export interface ChartSeries {
  label: string;
  values: MetricValues;
}

const WIDTH = 760;
const HEIGHT = 340;
const MARGIN = { top: 44, right: 16, bottom: 48, left: 44 };
const COLORS = ['#9aa5b1', '#2563eb'];

/**
 * A grouped bar chart (one group per metric, one bar per stage) as a standalone SVG, values on a fixed 0–1 axis
 * so charts of different runs compare at a glance. Hand-written SVG: no chart library, renders on GitHub.
 */
export function renderMetricsChart(title: string, series: readonly ChartSeries[]): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const groupWidth = plotWidth / METRIC_NAMES.length;
  const barWidth = Math.min(40, (groupWidth * 0.7) / Math.max(1, series.length));
  const y = (value: number): number => MARGIN.top + plotHeight * (1 - Math.max(0, Math.min(1, value)));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12">`);
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(`<text x="${MARGIN.left}" y="20" font-size="14" font-weight="600">${escapeXml(title)}</text>`);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(tick) + 4}" text-anchor="end" fill="#6b7280">${tick.toFixed(2)}</text>`);
  }
  METRIC_NAMES.forEach((metric, groupIndex) => {
    const groupLeft = MARGIN.left + groupIndex * groupWidth + (groupWidth - barWidth * series.length) / 2;
    series.forEach((entry, seriesIndex) => {
      const value = entry.values[metric];
      const x = groupLeft + seriesIndex * barWidth;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(MARGIN.top + plotHeight - y(value)).toFixed(1)}" fill="${COLORS[seriesIndex % COLORS.length]}"><title>${escapeXml(`${entry.label} ${metric}: ${value.toFixed(4)}`)}</title></rect>`,
      );
      parts.push(`<text x="${(x + (barWidth - 2) / 2).toFixed(1)}" y="${(y(value) - 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="#374151">${value.toFixed(3)}</text>`);
    });
    parts.push(`<text x="${(MARGIN.left + (groupIndex + 0.5) * groupWidth).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${metric}</text>`);
  });
  series.forEach((entry, index) => {
    const x = MARGIN.left + index * 170;
    parts.push(`<rect x="${x}" y="${HEIGHT - 18}" width="12" height="12" fill="${COLORS[index % COLORS.length]}"/>`);
    parts.push(`<text x="${x + 18}" y="${HEIGHT - 8}">${escapeXml(entry.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
