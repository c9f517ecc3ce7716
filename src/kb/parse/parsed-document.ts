/** A part of a source file that chunks never cross: a page of a PDF, a Markdown or HTML section, a record. */
export interface DocumentSection {
  text: string;
  /** 1-based page number (PDF). */
  page?: number;
  /** Heading path, e.g. `Install > Linux` (Markdown, HTML) or the record's title (JSONL/CSV). */
  heading?: string;
}

export interface ParsedDocument {
  /** Document title: first top-level heading, HTML `<title>`, PDF metadata title, else the file name. */
  title: string;
  sections: DocumentSection[];
}

export interface ParseOptions {
  /** Field (JSONL) or column (CSV) holding the text. Default: the first of `text`, `content`, `body`, `passage`. */
  textField?: string;
  /** Field or column holding a record title. Default: `title` when present. */
  titleField?: string;
}

/** Thrown by a parser for a file it cannot read (corrupt PDF, invalid JSONL line...); ingest reports and skips it. */
export class UnreadableFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreadableFileError';
  }
}
