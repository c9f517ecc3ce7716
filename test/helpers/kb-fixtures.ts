// Documents for knowledge base tests, generated on the fly (PDFs with pdf-lib) so no binary fixture is checked in.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A PDF with one page per entry, each page's lines drawn as text. */
export async function makePdf(pages: string[][], title?: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  if (title) pdf.setTitle(title);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([500, 400]);
    lines.forEach((line, i) => page.drawText(line, { x: 30, y: 360 - i * 18, size: 12, font }));
  }
  return pdf.save();
}

const ARTICLE_PROSE = 'Readability needs a few sentences of prose before it accepts a page as an article. '.repeat(3);

/**
 * A folder with one file of every supported type, a Chinese and a Japanese note, a corrupt PDF and a file of an
 * unsupported type. Each file holds a distinctive word so a test can tell which file a hit came from.
 */
export async function writeKbFixtureFolder(dir: string): Promise<void> {
  mkdirSync(join(dir, 'sub'), { recursive: true });
  mkdirSync(join(dir, '.hidden'), { recursive: true });
  writeFileSync(join(dir, 'guide.md'), '# Guide\n\nWelcome.\n\n## Install\n\nRun the installer to set up the zephyrine package.\n\n## Usage\n\nCall rerank with a query.\n');
  writeFileSync(
    join(dir, 'page.html'),
    `<html><head><title>Tides</title></head><body><article><h1>Tides</h1><p>The moon pulls the oceans and makes the marmalune tides. ${ARTICLE_PROSE}</p></article></body></html>`,
  );
  writeFileSync(join(dir, 'manual.pdf'), await makePdf([['Front matter of the manual.'], ['The quorbital valve must be closed before startup.']], 'Valve manual'));
  writeFileSync(join(dir, 'records.csv'), 'title,text\nFruit,The pomelonia is a citrus fruit.\nCars,Engines burn fuel.\n');
  writeFileSync(join(dir, 'sub', 'notes.jsonl'), '{"text":"Glaciers carve fjords over millennia."}\n');
  writeFileSync(join(dir, 'sub', 'plain.txt'), 'A plain text note about the vexillology club.\n');
  writeFileSync(join(dir, 'sub', 'chinese.txt'), '黑豹队的防守只丢了308分，在联赛中排名第六。\n');
  writeFileSync(join(dir, 'sub', 'japanese.md'), '# 東京\n\n東京タワーは一九五八年に完成した電波塔です。\n');
  writeFileSync(join(dir, 'broken.pdf'), '%PDF-1.7 this is not really a pdf');
  writeFileSync(join(dir, 'image.png'), 'not ingested');
  writeFileSync(join(dir, '.hidden', 'secret.txt'), 'hidden files are skipped');
}
