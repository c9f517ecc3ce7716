import { parse as parseCsv } from 'csv-parse/sync';
import type { DocumentSection, ParsedDocument, ParseOptions } from './parsed-document.js';
import { UnreadableFileError } from './parsed-document.js';

/** Text fields tried in order when `textField` is not given. */
const TEXT_FIELDS = ['text', 'content', 'body', 'passage'];

/** JSON Lines (https://jsonlines.org/): one object per line; each record becomes a section. */
export function parseJsonl(text: string, fileName: string, options: ParseOptions = {}): ParsedDocument {
  const records: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new UnreadableFileError(`line ${index + 1}: invalid JSON`, { cause: error });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UnreadableFileError(`line ${index + 1}: expected a JSON object`);
    }
    records.push(value as Record<string, unknown>);
  });
  return recordsToDocument(records, fileName, options);
}

/** CSV with a header row (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180); each row becomes a section. */
export function parseCsvRecords(text: string, fileName: string, options: ParseOptions = {}): ParsedDocument {
  let records: Record<string, unknown>[];
  try {
    records = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<string, unknown>[];
  } catch (error) {
    throw new UnreadableFileError(`invalid CSV: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return recordsToDocument(records, fileName, options);
}

function recordsToDocument(records: Record<string, unknown>[], fileName: string, options: ParseOptions): ParsedDocument {
  if (records.length === 0) return { title: fileName, sections: [] };
  const textField = options.textField ?? TEXT_FIELDS.find((field) => records.some((record) => typeof record[field] === 'string'));
  if (textField === undefined) {
    throw new UnreadableFileError(`no text field: none of ${TEXT_FIELDS.join(', ')} found (set the text field)`);
  }
  const titleField = options.titleField ?? 'title';
  const sections: DocumentSection[] = [];
  for (const record of records) {
    const text = asText(record[textField]).normalize('NFC').trim();
    if (!text) continue;
    const title = asText(record[titleField]).trim();
    sections.push(title ? { text, heading: title } : { text });
  }
  if (sections.length === 0) throw new UnreadableFileError(`field "${textField}" is empty or missing in every record`);
  return { title: fileName, sections };
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
