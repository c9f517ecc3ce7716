/** The data table view: every column sortable, a text filter, CSV and JSON export of what is shown. */
import { useMemo, useState } from 'preact/hooks';
import { describeEvidence } from '../evidence.js';
import { downloadText, toCsv, toJson } from '../export-results.js';
import type { RankedDocument } from '../ranking.js';
import { formatScore, Movement } from './score-parts.js';

type ColumnKey = 'index' | 'rank' | 'movement' | 'score' | 'logit' | 'inputTokens' | 'bestEvidence' | 'text';

interface Column {
  key: ColumnKey;
  label: string;
  numeric: boolean;
}

const COLUMNS: readonly Column[] = [
  { key: 'index', label: 'Input #', numeric: true },
  { key: 'rank', label: 'Rank', numeric: true },
  { key: 'movement', label: 'Change', numeric: true },
  { key: 'score', label: 'Score', numeric: true },
  { key: 'logit', label: 'Logit', numeric: true },
  { key: 'inputTokens', label: 'Tokens', numeric: true },
  { key: 'text', label: 'Text', numeric: false },
];
/** With evidence: the best span of each document, before its text; it sorts by the span's score. */
const EVIDENCE_COLUMN: Column = { key: 'bestEvidence', label: 'Best evidence', numeric: false };
const COLUMNS_WITH_EVIDENCE: readonly Column[] = [...COLUMNS.slice(0, -1), EVIDENCE_COLUMN, ...COLUMNS.slice(-1)];

interface SortState {
  key: ColumnKey;
  descending: boolean;
}

export function DataTable({ ranked }: { ranked: readonly RankedDocument[] }) {
  const [sort, setSort] = useState<SortState>({ key: 'rank', descending: false });
  const [filter, setFilter] = useState('');
  const withEvidence = ranked.some((doc) => doc.evidence !== null);
  const columns = withEvidence ? COLUMNS_WITH_EVIDENCE : COLUMNS;

  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const kept = needle ? ranked.filter((doc) => doc.text.toLowerCase().includes(needle)) : [...ranked];
    const direction = sort.descending ? -1 : 1;
    return kept.sort((a, b) => direction * compareValues(sortValue(a, sort.key), sortValue(b, sort.key)) || a.rank - b.rank);
  }, [ranked, sort, filter]);

  function toggleSort(key: ColumnKey): void {
    // A new numeric column starts with its most interesting end: high scores, big moves; positions start at 1.
    const startsDescending = key === 'score' || key === 'logit' || key === 'movement' || key === 'inputTokens' || key === 'bestEvidence';
    setSort((current) => (current.key === key ? { key, descending: !current.descending } : { key, descending: startsDescending }));
  }

  return (
    <div class="table-view">
      <div class="table-tools">
        <input
          type="search"
          class="table-filter"
          placeholder="Filter by text…"
          aria-label="Filter rows by text"
          value={filter}
          onInput={(event) => setFilter(event.currentTarget.value)}
        />
        <span class="muted" data-testid="row-count">{rows.length} of {ranked.length} rows</span>
        <span class="spacer" />
        <button type="button" onClick={() => downloadText('rerank-results.csv', toCsv(rows, withEvidence), 'text/csv')}>Export CSV</button>
        <button type="button" onClick={() => downloadText('rerank-results.json', toJson(rows, withEvidence), 'application/json')}>Export JSON</button>
      </div>
      <div class="table-scroll">
        <table class="data-table">
          <thead>
            <tr>
              {columns.map((column) => {
                const active = sort.key === column.key;
                return (
                  <th
                    key={column.key}
                    class={column.numeric ? 'numeric' : 'text-column'}
                    data-column={column.key}
                    aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}
                  >
                    <button type="button" class="sort-button" data-column={column.key} onClick={() => toggleSort(column.key)}>
                      {column.label}
                      <span class="sort-mark">{active ? (sort.descending ? '▼' : '▲') : ''}</span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((doc) => (
              <tr key={doc.index} class={doc.belowMinScore ? 'below' : ''} data-index={doc.index}>
                <td class="numeric">{doc.index + 1}</td>
                <td class="numeric">{doc.rank}</td>
                <td class="numeric"><Movement places={doc.movement} title={`${doc.movement} places`} /></td>
                <td class="numeric">{formatScore(doc.score)}</td>
                <td class="numeric">{doc.logit.toFixed(3)}</td>
                <td class="numeric">{doc.inputTokens}</td>
                {withEvidence && <BestEvidenceCell doc={doc} />}
                <td class="text-cell" title={doc.text}>{doc.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function BestEvidenceCell({ doc }: { doc: RankedDocument }) {
  const best = doc.evidence?.[0];
  if (!best) return <td class="evidence-cell" />;
  return (
    <td class="evidence-cell" title={`${best.text}\n${describeEvidence(1, doc.evidence?.length ?? 1, best)}`}>
      <span class="evidence-score" data-score={best.score}>{formatScore(best.score)}</span> {best.text}
    </td>
  );
}

/** The value a column sorts by: the best span's score for the evidence column (−1 without a span, so last). */
function sortValue(doc: RankedDocument, key: ColumnKey): number | string {
  if (key === 'bestEvidence') return doc.evidence?.[0]?.score ?? -1;
  return doc[key];
}

/** Numbers numerically, text by locale. */
function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
