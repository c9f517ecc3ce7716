import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import type { DocumentSection, ParsedDocument } from './parsed-document.js';

/** Elements whose text starts on a new line (HTML's block-level content, https://html.spec.whatwg.org/#flow-content). */
const BLOCK = new Set(
  'address article aside blockquote dd details dialog div dl dt fieldset figcaption figure footer form header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul br'.split(' '),
);
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head']);
const HEADING = /^h([1-6])$/;

/** Minimal DOM node shape used by the walker (linkedom implements the standard DOM). */
interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

/**
 * Extracts the readable text of an HTML page with Mozilla Readability (the Firefox Reader View algorithm) on a
 * linkedom DOM, then splits it into sections at `<h1>`–`<h6>`. Pages Readability rejects (too little prose)
 * fall back to the whole `<body>`.
 */
export function parseHtml(html: string, fileName: string): ParsedDocument {
  const { document } = parseHTML(html);
  const pageTitle = document.title?.trim();
  // Readability mutates the document it reads, so it gets its own copy.
  const article = new Readability(parseHTML(html).document as unknown as Document).parse();
  const root: DomNode = article?.content ? (parseHTML(`<!doctype html><html><body>${article.content}</body></html>`).document.body as unknown as DomNode) : (document.body as unknown as DomNode);
  const sections = sectionsOf(root);
  return { title: pageTitle || article?.title?.trim() || sections.find((s) => s.heading)?.heading || fileName, sections };
}

function sectionsOf(root: DomNode): DocumentSection[] {
  const sections: DocumentSection[] = [];
  const path: string[] = [];
  let buffer = '';
  const flush = (): void => {
    const text = buffer
      .split('\n')
      .map((line) => line.replace(/[ \t\f\v\u00a0]+/g, ' ').trim())
      .filter(Boolean)
      .join('\n');
    if (text) sections.push(path.length > 0 ? { text, heading: path.filter(Boolean).join(' > ') } : { text });
    buffer = '';
  };
  const walk = (node: DomNode): void => {
    if (node.nodeType === 3) {
      buffer += node.textContent ?? '';
      return;
    }
    if (node.nodeType !== 1) return;
    const name = node.nodeName.toLowerCase();
    if (SKIP.has(name)) return;
    const heading = HEADING.exec(name);
    if (heading) {
      flush();
      const level = Number(heading[1]);
      path.length = level - 1;
      path[level - 1] = (node.textContent ?? '').replace(/\s+/g, ' ').trim();
      return;
    }
    const block = BLOCK.has(name);
    if (block) buffer += '\n';
    for (const child of Array.from(node.childNodes)) walk(child);
    if (block) buffer += '\n';
  };
  walk(root);
  flush();
  return sections;
}
