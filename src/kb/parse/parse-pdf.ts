import type { ParsedDocument } from './parsed-document.js';
import { UnreadableFileError } from './parsed-document.js';

interface TextItem {
  str: string;
  hasEOL: boolean;
}

/**
 * Text of each page of a PDF with pdf.js (the legacy build is the one meant for Node,
 * https://github.com/mozilla/pdf.js/wiki/Frequently-Asked-Questions#faq-support). One section per page so that
 * chunks keep their page number. Scanned pages without a text layer yield no section.
 */
export async function parsePdf(bytes: Uint8Array, fileName: string): Promise<ParsedDocument> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdf.js transfers (detaches) the buffer it is given, so it gets a copy.
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, verbosity: 0 });
  let pdf;
  try {
    pdf = await task.promise;
  } catch (error) {
    await task.destroy();
    throw new UnreadableFileError(`not a readable PDF: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    const sections = [];
    for (let page = 1; page <= pdf.numPages; page++) {
      const content = await (await pdf.getPage(page)).getTextContent();
      const text = (content.items as Array<TextItem | { type: string }>)
        .filter((item): item is TextItem => 'str' in item)
        .map((item) => item.str + (item.hasEOL ? '\n' : ''))
        .join('')
        .normalize('NFC')
        .replace(/[ \t]+\n/g, '\n')
        .trim();
      if (text) sections.push({ text, page });
    }
    const info = (await pdf.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === 'string' && info.Title.trim() ? info.Title.trim() : fileName;
    return { title, sections };
  } finally {
    await pdf.destroy();
  }
}
