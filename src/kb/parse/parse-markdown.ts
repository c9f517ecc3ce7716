import type { DocumentSection, ParsedDocument } from './parsed-document.js';

/** ATX heading (`## Title ##`), CommonMark §4.2 (https://spec.commonmark.org/0.31.2/#atx-headings). */
const ATX_HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$|^ {0,3}(#{1,6})[ \t]*$/;
/** Setext underline (`===` level 1, `---` level 2), CommonMark §4.3. */
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
/** Code fence opener/closer, CommonMark §4.5. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Splits Markdown along its headings: each section keeps the path of headings above it (`Guide > Install`).
 * Headings inside fenced code blocks are code, not structure. YAML front matter is dropped.
 */
export function parseMarkdown(text: string, fileName: string): ParsedDocument {
  const lines = stripFrontMatter(text).split('\n');
  const sections: DocumentSection[] = [];
  const path: string[] = [];
  let body: string[] = [];
  let title: string | undefined;
  let fence: string | undefined;

  const flush = (): void => {
    const content = body.join('\n').trim();
    if (content) sections.push(path.length > 0 ? { text: content, heading: path.filter(Boolean).join(' > ') } : { text: content });
    body = [];
  };
  const open = (level: number, heading: string): void => {
    flush();
    path.length = level - 1;
    path[level - 1] = heading;
    if (level === 1 && title === undefined && heading) title = heading;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      body.push(line);
      continue;
    }
    if (fence !== undefined) {
      body.push(line);
      continue;
    }
    const atx = ATX_HEADING.exec(line);
    if (atx) {
      open((atx[1] ?? atx[3]!).length, (atx[2] ?? '').trim());
      continue;
    }
    const next = lines[i + 1];
    const previousBlank = body.length === 0 || body[body.length - 1]!.trim() === '';
    if (next !== undefined && line.trim() !== '' && previousBlank && SETEXT_UNDERLINE.test(next)) {
      open(next.trim().startsWith('=') ? 1 : 2, line.trim());
      i++;
      continue;
    }
    body.push(line);
  }
  flush();
  return { title: title ?? fileName, sections };
}

/** Front matter: a `---` line first, up to the next `---`/`...` line (the Jekyll/Hugo convention). */
function stripFrontMatter(text: string): string {
  const match = /^---\n[\s\S]*?\n(?:---|\.\.\.)\n/.exec(text);
  return match ? text.slice(match[0].length) : text;
}
