import { basename, extname } from 'node:path';
import { decodeText } from './decode-text.js';
import { parseHtml } from './parse-html.js';
import { parseMarkdown } from './parse-markdown.js';
import { parsePdf } from './parse-pdf.js';
import { parseCsvRecords, parseJsonl } from './parse-records.js';
import type { ParsedDocument, ParseOptions } from './parsed-document.js';

export type FileFormat = 'text' | 'markdown' | 'html' | 'pdf' | 'jsonl' | 'csv';

const FORMATS: Record<string, FileFormat> = {
  '.txt': 'text',
  '.text': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
};

/** The format a file is parsed as, from its extension; undefined for files ingest does not read. */
export function formatOf(path: string): FileFormat | undefined {
  return FORMATS[extname(path).toLowerCase()];
}

export const SUPPORTED_EXTENSIONS = Object.keys(FORMATS);

/** Parses file bytes by format. Throws `UnreadableFileError` (or the parser's own error) for a bad file. */
export async function parseFile(path: string, bytes: Uint8Array, format: FileFormat, options: ParseOptions = {}): Promise<ParsedDocument> {
  const name = basename(path);
  switch (format) {
    case 'pdf':
      return parsePdf(bytes, name);
    case 'markdown':
      return parseMarkdown(decodeText(bytes), name);
    case 'html':
      return parseHtml(decodeText(bytes), name);
    case 'jsonl':
      return parseJsonl(decodeText(bytes), name, options);
    case 'csv':
      return parseCsvRecords(decodeText(bytes), name, options);
    case 'text': {
      const text = decodeText(bytes).trim();
      return { title: name, sections: text ? [{ text }] : [] };
    }
  }
}

