/** CSV and JSON export of the data table, and the browser download that saves them. */
import type { RankedDocument } from './ranking.js';

/** `index` is 0-based, as in the API; the page shows it 1-based ("input #1"). */
const COLUMNS = ['index', 'rank', 'rank_change', 'score', 'logit', 'input_tokens', 'cached', 'best_window', 'text'] as const;

function exportRow(doc: RankedDocument): Record<(typeof COLUMNS)[number], string | number | boolean> {
  return {
    index: doc.index,
    rank: doc.rank,
    rank_change: doc.movement,
    score: doc.score,
    logit: doc.logit,
    input_tokens: doc.inputTokens,
    cached: doc.cached,
    // "2/7": the second of seven windows scored best (windows mode only).
    best_window: doc.window ? `${doc.window.index + 1}/${doc.window.count}` : '',
    text: doc.text,
  };
}

/** RFC 4180 CSV (https://www.rfc-editor.org/rfc/rfc4180): CRLF line ends, fields with `"`, `,` or line breaks quoted,
 * `"` doubled. */
export function toCsv(rows: readonly RankedDocument[]): string {
  const quote = (value: string | number | boolean): string => {
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [COLUMNS.join(','), ...rows.map((doc) => {
    const row = exportRow(doc);
    return COLUMNS.map((column) => quote(row[column])).join(',');
  })];
  return `${lines.join('\r\n')}\r\n`;
}

export function toJson(rows: readonly RankedDocument[]): string {
  return `${JSON.stringify(rows.map(exportRow), null, 2)}\n`;
}

/** Saves `text` as a file through a temporary object URL. */
export function downloadText(filename: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  // Revoke after the click has been handled; revoking synchronously can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
