/**
 * The documents box: one document per line. Pasted spreadsheet cells or CSV/TSV text and dropped .csv/.tsv files go
 * through a column picker; dropped .txt/.jsonl/.json files load directly.
 */
import { useRef, useState } from 'preact/hooks';
import {
  columnDocuments,
  columnLabels,
  documentsFromText,
  importFile,
  tableFromPaste,
  type TableImport,
} from '../parse-documents.js';

export interface DocumentsFieldProps {
  value: string;
  onChange: (value: string) => void;
  /** A problem reading a dropped file. */
  onImportError: (message: string) => void;
}

interface PendingTable {
  table: TableImport;
  column: number;
  hasHeader: boolean;
  /** Where the cells go: the text box selection at paste time, or the whole box for a dropped file. */
  replaceFrom: number;
  replaceTo: number;
}

export function DocumentsField({ value, onChange, onImportError }: DocumentsFieldProps) {
  const [pending, setPending] = useState<PendingTable | null>(null);
  const [dragging, setDragging] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const count = documentsFromText(value).length;

  function insert(lines: readonly string[], from: number, to: number): void {
    const before = value.slice(0, from);
    const after = value.slice(to);
    const joined = lines.join('\n');
    const separatorBefore = before !== '' && !before.endsWith('\n') ? '\n' : '';
    const separatorAfter = after !== '' && !after.startsWith('\n') ? '\n' : '';
    onChange(`${before}${separatorBefore}${joined}${separatorAfter}${after}`);
  }

  function onPaste(event: ClipboardEvent): void {
    const text = event.clipboardData?.getData('text/plain') ?? '';
    const table = tableFromPaste(text);
    if (!table) return;
    event.preventDefault();
    const target = event.currentTarget as HTMLTextAreaElement;
    if (table.columnCount === 1) {
      // One column with multi-line cells: nothing to pick, just keep each cell on its own line.
      insert(columnDocuments(table, 0, false), target.selectionStart, target.selectionEnd);
      return;
    }
    setPending({ table, column: table.suggestedColumn, hasHeader: table.hasHeader, replaceFrom: target.selectionStart, replaceTo: target.selectionEnd });
  }

  async function onDrop(event: DragEvent): Promise<void> {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer?.files[0];
    if (!file) return;
    try {
      const imported = importFile(file.name, await file.text());
      if (imported.kind === 'documents') {
        onChange(imported.documents.join('\n'));
        setPending(null);
      } else {
        setPending({ table: imported.table, column: imported.table.suggestedColumn, hasHeader: imported.table.hasHeader, replaceFrom: 0, replaceTo: value.length });
      }
    } catch (error) {
      onImportError(error instanceof Error ? error.message : String(error));
    }
  }

  function applyPending(): void {
    if (!pending) return;
    insert(columnDocuments(pending.table, pending.column, pending.hasHeader), pending.replaceFrom, pending.replaceTo);
    setPending(null);
    textarea.current?.focus();
  }

  return (
    <div class="field">
      <label for="documents" class="field-label">
        Documents <span class="muted" data-testid="document-count">{count} document{count === 1 ? '' : 's'}</span>
      </label>
      <div
        class={`drop-zone${dragging ? ' dragging' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => void onDrop(event)}
      >
        <textarea
          id="documents"
          ref={textarea}
          rows={9}
          spellcheck={false}
          placeholder={'One document per line.\nPaste spreadsheet cells or a CSV/TSV column,\nor drop a .txt, .jsonl, .json, .csv or .tsv file.'}
          value={value}
          onInput={(event) => onChange(event.currentTarget.value)}
          onPaste={onPaste}
        />
      </div>
      {pending && (
        <div class="import-bar" role="group" aria-label="Choose the column to import">
          <span>
            {pending.table.source}: {pending.table.rows.length - (pending.hasHeader ? 1 : 0)} rows × {pending.table.columnCount} columns
          </span>
          <label class="inline-field">
            Column
            <select
              aria-label="Column to import"
              value={pending.column}
              onChange={(event) => setPending({ ...pending, column: Number(event.currentTarget.value) })}
            >
              {columnLabels({ ...pending.table, hasHeader: pending.hasHeader }).map((label, column) => (
                <option key={column} value={column}>{label}</option>
              ))}
            </select>
          </label>
          <label class="inline-field">
            <input
              type="checkbox"
              checked={pending.hasHeader}
              onChange={(event) => setPending({ ...pending, hasHeader: event.currentTarget.checked })}
            />
            first row is a header
          </label>
          <span class="import-actions">
            <button type="button" class="primary small" onClick={applyPending}>Import column</button>
            <button type="button" class="small" onClick={() => setPending(null)}>Cancel</button>
          </span>
        </div>
      )}
    </div>
  );
}
