/**
 * Getting documents into the page: one per line in the text box, spreadsheet cells and CSV/TSV columns pasted or
 * dropped (the user picks the column), and dropped text or JSONL files.
 */
import { parse } from 'csv-parse/browser/esm/sync';

/** The text box holds one document per line; blank lines are not documents. */
export function documentsFromText(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
}

/** A document must stay on one line in the text box: inner line breaks and tabs become spaces. */
export function toSingleLine(text: string): string {
  return text.replace(/\s*[\r\n\t]+\s*/g, ' ').trim();
}

/** Rows of cells from pasted spreadsheet cells or a CSV/TSV file, waiting for the user to pick a column. */
export interface TableImport {
  source: string;
  rows: string[][];
  columnCount: number;
  /** The first row looks like column names. */
  hasHeader: boolean;
  /** The column with the longest text on average: most likely the documents. */
  suggestedColumn: number;
}

/** Column names that mark a first row as a header. */
const HEADER_NAMES = /^(id|doc_?id|_id|text|document|doc|passage|content|body|title|snippet|chunk|url|source|score|label|query)$/i;

/**
 * Parses delimited text. Spreadsheets put cells on the clipboard as TSV and quote cells containing tabs, quotes or
 * line breaks (the text/plain clipboard format of Google Sheets and Excel), which csv-parse reads with `delimiter: '\t'`.
 * Returns `null` for text that is not a table of more than one column, so plain line pastes stay plain.
 */
export function parseTable(text: string, source: string, delimiter: '\t' | ','): TableImport | null {
  let rows: string[][];
  try {
    rows = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: true,
    }) as string[][];
  } catch {
    return null;
  }
  const columnCount = Math.max(0, ...rows.map((row) => row.length));
  const quotedMultiline = /(^|\t|,)"[^"]*\n/.test(text);
  if (rows.length === 0 || (columnCount < 2 && !quotedMultiline)) return null;
  const hasHeader = rows.length > 1 && (rows[0] ?? []).some((cell) => HEADER_NAMES.test(cell.trim()));
  const body = hasHeader ? rows.slice(1) : rows;
  let suggestedColumn = 0;
  let longest = -1;
  for (let column = 0; column < columnCount; column++) {
    const length = body.reduce((sum, row) => sum + (row[column]?.length ?? 0), 0);
    if (length > longest) {
      longest = length;
      suggestedColumn = column;
    }
  }
  return { source, rows, columnCount, hasHeader, suggestedColumn };
}

/** A pasted clipboard text that should go through the column picker: it has tabs or quoted multi-line cells. */
export function tableFromPaste(text: string): TableImport | null {
  if (!text.includes('\t') && !/^"[^"]*\n/m.test(text)) return null;
  return parseTable(text, 'pasted cells', '\t');
}

/** Column labels for the picker: the header name, or the column number and its first value. */
export function columnLabels(table: TableImport): string[] {
  return Array.from({ length: table.columnCount }, (_, column) => {
    const first = table.rows[0]?.[column]?.trim() ?? '';
    if (table.hasHeader) return first || `Column ${column + 1}`;
    const preview = first.length > 40 ? `${first.slice(0, 40)}…` : first;
    return `Column ${column + 1}${preview ? ` (“${preview}”)` : ''}`;
  });
}

/** The chosen column's non-empty cells as one-line documents. */
export function columnDocuments(table: TableImport, column: number, hasHeader: boolean): string[] {
  const rows = hasHeader ? table.rows.slice(1) : table.rows;
  return rows.map((row) => toSingleLine(row[column] ?? '')).filter((cell) => cell !== '');
}

/** What a dropped file yields: documents right away, or a table for the column picker. */
export type FileImport = { kind: 'documents'; documents: string[] } | { kind: 'table'; table: TableImport };

/** Text fields tried, in order, for JSONL objects (common names in retrieval corpora such as BEIR's `text`). */
const JSON_TEXT_FIELDS = ['text', 'document', 'content', 'passage', 'body', 'contents'] as const;

/**
 * Reads a dropped file: `.jsonl`/`.ndjson` (one JSON string or object per line), `.json` (an array of those),
 * `.csv`/`.tsv` (column picker), anything else as text with one document per line.
 * Throws an `Error` naming the line for JSON that cannot be read.
 */
export function importFile(name: string, text: string): FileImport {
  const extension = name.toLowerCase().split('.').pop() ?? '';
  if (extension === 'jsonl' || extension === 'ndjson') {
    const documents = text.split(/\r?\n/).flatMap((line, lineIndex) => {
      if (line.trim() === '') return [];
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`${name}, line ${lineIndex + 1}: not valid JSON.`);
      }
      return [jsonDocument(value, `${name}, line ${lineIndex + 1}`)];
    });
    return { kind: 'documents', documents };
  }
  if (extension === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error(`${name}: not valid JSON.`);
    }
    if (!Array.isArray(value)) throw new Error(`${name}: expected a JSON array of documents.`);
    return { kind: 'documents', documents: value.map((item, i) => jsonDocument(item, `${name}, item ${i + 1}`)) };
  }
  if (extension === 'csv' || extension === 'tsv') {
    const table = parseTable(text, name, extension === 'tsv' ? '\t' : ',');
    if (table) return { kind: 'table', table };
  }
  return { kind: 'documents', documents: documentsFromText(text) };
}

function jsonDocument(value: unknown, where: string): string {
  if (typeof value === 'string') return toSingleLine(value);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const field of JSON_TEXT_FIELDS) {
      const text = record[field];
      if (typeof text === 'string') {
        const title = typeof record.title === 'string' && record.title.trim() !== '' ? `${record.title.trim()}: ` : '';
        return toSingleLine(title + text);
      }
    }
  }
  throw new Error(`${where}: expected a string or an object with a "${JSON_TEXT_FIELDS.join('"/"')}" field.`);
}
