// Parsers of every supported file type, on fixtures generated here (pdf-lib for PDFs).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFile } from '../../src/kb/parse/parse-file.js';
import { UnreadableFileError } from '../../src/kb/parse/parsed-document.js';
import { makePdf } from '../helpers/kb-fixtures.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('kb parsers', () => {
  it('Markdown is split along headings with the heading path, ignoring headings in code fences', async () => {
    const md = ['---', 'title: front matter', '---', '# Guide', 'Intro.', '', '## Install', 'Run it.', '```', '# not a heading', '```', '### Linux', 'apt.', '', 'Usage', '-----', 'Call it.'].join('\n');
    const doc = await parseFile('guide.md', utf8(md), 'markdown');
    assert.equal(doc.title, 'Guide');
    assert.deepEqual(doc.sections, [
      { text: 'Intro.', heading: 'Guide' },
      { text: 'Run it.\n```\n# not a heading\n```', heading: 'Guide > Install' },
      { text: 'apt.', heading: 'Guide > Install > Linux' },
      { text: 'Call it.', heading: 'Guide > Usage' },
    ]);
  });

  it('HTML keeps the readable text in sections by heading and drops scripts and navigation', async () => {
    const prose = 'This paragraph is long enough for Readability to treat the page as an article with real content. '.repeat(3);
    const html = `<html><head><title>Page title</title><script>var secret = 1;</script></head><body><nav>Home | About</nav>
      <article><h1>Main</h1><p>${prose}</p><h2>Details</h2><p>Second part. ${prose}</p><ul><li>one</li><li>two</li></ul></article></body></html>`;
    const doc = await parseFile('page.html', utf8(html), 'html');
    assert.equal(doc.title, 'Page title');
    const all = doc.sections.map((s) => s.text).join('\n');
    assert.doesNotMatch(all, /secret|Home \| About/);
    const details = doc.sections.find((s) => s.heading?.endsWith('Details'));
    assert.ok(details, JSON.stringify(doc.sections));
    assert.match(details.text, /^Second part\./);
    assert.match(details.text, /\none\ntwo$/, 'list items on their own lines');
  });

  it('PDF text comes per page with 1-based page numbers and the metadata title', async () => {
    const bytes = await makePdf([['Apples grow on trees.', 'Second line.'], [], ['Bananas are yellow.']], 'Fruit book');
    const doc = await parseFile('fruit.pdf', bytes, 'pdf');
    assert.equal(doc.title, 'Fruit book');
    assert.deepEqual(doc.sections, [
      { text: 'Apples grow on trees.\nSecond line.', page: 1 },
      { text: 'Bananas are yellow.', page: 3 },
    ]);
  });

  it('a corrupt PDF is an UnreadableFileError', async () => {
    await assert.rejects(parseFile('bad.pdf', utf8('%PDF-1.7 garbage'), 'pdf'), UnreadableFileError);
  });

  it('JSONL and CSV records become sections from the text field, titled by the title field', async () => {
    const jsonl = await parseFile('r.jsonl', utf8('{"title":"A","content":"alpha text"}\n\n{"content":"beta text","n":2}\n'), 'jsonl');
    assert.deepEqual(jsonl.sections, [{ text: 'alpha text', heading: 'A' }, { text: 'beta text' }]);
    const csv = await parseFile('r.csv', utf8('\ufeffid,body,name\n1,"first, quoted",x\n2,second,y\n'), 'csv', { titleField: 'name' });
    assert.deepEqual(csv.sections, [{ text: 'first, quoted', heading: 'x' }, { text: 'second', heading: 'y' }]);
    await assert.rejects(parseFile('r.jsonl', utf8('{"text":"ok"}\nnot json\n'), 'jsonl'), /line 2/);
    await assert.rejects(parseFile('r.csv', utf8('a,b\n1,2\n'), 'csv'), /no text field/);
  });

  it('text files: UTF-8 or Windows-1252, CRLF normalized; NUL bytes mean binary', async () => {
    assert.deepEqual((await parseFile('a.txt', utf8('line 1\r\nline 2\r\n'), 'text')).sections, [{ text: 'line 1\nline 2' }]);
    assert.equal((await parseFile('b.txt', Uint8Array.from([0x63, 0x61, 0x66, 0xe9]), 'text')).sections[0]!.text, 'café');
    await assert.rejects(parseFile('c.txt', Uint8Array.from([0x41, 0x00, 0x42]), 'text'), UnreadableFileError);
  });
});
