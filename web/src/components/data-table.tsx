/** The data table view: every column sortable, a text filter, CSV and JSON export of what is shown. */
import { useMemo, useState } from 'preact/hooks';
import { downloadText, toCsv, toJson } from '../export-results.js';
import type { RankedDocument } from '../ranking.js';
import { formatScore, Movement } from './score-parts.js';

type ColumnKey = 'index' | 'rank' | 'movement' | 'score' | 'logit' | 'inputTokens' | 'text';

const COLUMNS: ReadonlyArray<{ key: ColumnKey; label: string; numeric: boolean }> = [
  { key: 'index', label: 'Input #', numeric: true },
  { key: 'rank', label: 'Rank', numeric: true },
  { key: 'movement', label: 'Change', numeric: true },
  { key: 'score', label: 'Score', numeric: true },
  { key: 'logit', label: 'Logit', numeric: true },
  { key: 'inputTokens', label: 'Tokens', numeric: true },
  { key: 'text', label: 'Text', numeric: false },
];

interface SortState {
  key: ColumnKey;
  descending: boolean;
}

export function DataTable({ ranked }: { ranked: readonly RankedDocument[] }) {
  const [sort, setSort] = useState<SortState>({ key: 'rank', descending: false });
  const [filter, setFilter] = useState('');

  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const kept = needle ? ranked.filter((doc) => doc.text.toLowerCase().includes(needle)) : [...ranked];
    const direction = sort.descending ? -1 : 1;
    return kept.sort((a, b) => direction * compareValues(a[sort.key], b[sort.key]) || a.rank - b.rank);
  }, [ranked, sort, filter]);

  function toggleSort(key: ColumnKey): void {
    // A new numeric column starts with its most interesting end: high scores, big moves; positions start at 1.
    const startsDescending = key === 'score' || key === 'logit' || key === 'movement' || key === 'inputTokens';
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
        <button type="button" onClick={() => downloadText('rerank-results.csv', toCsv(rows), 'text/csv')}>Export CSV</button>
        <button type="button" onClick={() => downloadText('rerank-results.json', toJson(rows), 'application/json')}>Export JSON</button>
      </div>
      <div class="table-scroll">
        <table class="data-table">
          <thead>
            <tr>
              {COLUMNS.map((column) => {
                const active = sort.key === column.key;
                return (
                  <th
                    key={column.key}
                    class={column.numeric ? 'numeric' : 'text-column'}
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
                <td class="text-cell" title={doc.text}>{doc.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Numbers numerically, text by locale. */
function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
