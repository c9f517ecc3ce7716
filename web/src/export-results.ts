/** CSV and JSON export of the data table, and the browser download that saves them. */
import type { EvidenceSpan } from '../../src/spec/types.js';
import type { RankedDocument } from './ranking.js';

/** `index` is 0-based, as in the API; the page shows it 1-based ("input #1"). */
const COLUMNS = ['index', 'rank', 'rank_change', 'score', 'logit', 'input_tokens', 'cached', 'best_window', 'text'] as const;
/** Added by a run with evidence: the best span's text and score, and all spans (`{start,end,text,score,logit}`,
 * best first; in CSV as one JSON cell). */
const EVIDENCE_COLUMNS = ['best_evidence', 'best_evidence_score', 'evidence'] as const;

type ExportValue = string | number | boolean | EvidenceSpan[];
type ExportRow = Record<(typeof COLUMNS)[number], ExportValue> & Partial<Record<(typeof EVIDENCE_COLUMNS)[number], ExportValue>>;

function exportRow(doc: RankedDocument, withEvidence: boolean): ExportRow {
  const row = {
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
  if (!withEvidence) return row;
  const best = doc.evidence?.[0];
  return { ...row, best_evidence: best?.text ?? '', best_evidence_score: best?.score ?? '', evidence: doc.evidence ?? [] };
}

/** RFC 4180 CSV (https://www.rfc-editor.org/rfc/rfc4180): CRLF line ends, fields with `"`, `,` or line breaks quoted,
 * `"` doubled. */
export function toCsv(rows: readonly RankedDocument[], withEvidence: boolean): string {
  const columns = withEvidence ? [...COLUMNS, ...EVIDENCE_COLUMNS] : COLUMNS;
  const quote = (value: ExportValue | undefined): string => {
    const text = Array.isArray(value) ? JSON.stringify(value) : String(value ?? '');
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [columns.join(','), ...rows.map((doc) => {
    const row = exportRow(doc, withEvidence);
    return columns.map((column) => quote(row[column])).join(',');
  })];
  return `${lines.join('\r\n')}\r\n`;
}

export function toJson(rows: readonly RankedDocument[], withEvidence: boolean): string {
  return `${JSON.stringify(rows.map((doc) => exportRow(doc, withEvidence)), null, 2)}\n`;
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
