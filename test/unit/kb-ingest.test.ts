// The knowledge base on a real SQLite file without a model: ingest, metadata, re-ingest, search, ask.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeBase, type KnowledgeBase } from '../../src/kb/index.js';
import { writeKbFixtureFolder } from '../helpers/kb-fixtures.js';
import { startFakeChatServer, type FakeChatServer } from '../helpers/fake-chat-server.js';

describe('knowledge base ingest and search (BM25, no model)', () => {
  let dir: string;
  let docs: string;
  let kb: KnowledgeBase;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qr-kb-'));
    docs = join(dir, 'docs');
    await writeKbFixtureFolder(docs);
    kb = await createKnowledgeBase({ path: join(dir, 'kb.sqlite'), create: true, chunkTokens: 48, overlapTokens: 8 });
  });
  after(async () => kb.close());

  it('ingests every supported type, reports the corrupt file and the unsupported one, and goes on', async () => {
    const progress: number[] = [];
    const report = await kb.ingest([docs, join(docs, 'image.png'), join(dir, 'missing')], { onProgress: (p) => progress.push(p.done) });
    assert.deepEqual(report.added.map((f) => f.path.slice(docs.length + 1)), ['guide.md', 'manual.pdf', 'page.html', 'records.csv', 'sub/chinese.txt', 'sub/japanese.md', 'sub/notes.jsonl', 'sub/plain.txt']);
    assert.deepEqual(report.failed.map((f) => f.path.slice(docs.length + 1)), ['broken.pdf']);
    assert.match(report.failed[0]!.error, /PDF/);
    assert.deepEqual(report.skipped.map((s) => s.reason), ['unsupported file type', 'no such file or directory']);
    assert.deepEqual(progress, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(kb.info().files, 8);
    assert.equal(report.chunks, kb.info().chunks);
  });

  it('keeps source, page, heading and position on each chunk', async () => {
    const [valve] = (await kb.search('quorbital valve')).results;
    assert.equal(valve!.chunk.path, join(docs, 'manual.pdf'));
    assert.equal(valve!.chunk.page, 2);
    assert.equal(valve!.chunk.title, 'Valve manual');
    const [install] = (await kb.search('zephyrine installer')).results;
    assert.equal(install!.chunk.heading, 'Guide > Install');
    assert.equal(install!.chunk.position, 1, 'second section of guide.md');
    const [fruit] = (await kb.search('pomelonia')).results;
    assert.equal(fruit!.chunk.heading, 'Fruit');
    // Readability drops an <h1> that repeats the page title; the title stays the chunk's document title.
    assert.equal((await kb.search('marmalune tides')).results[0]!.chunk.title, 'Tides');
  });

  it('finds Chinese and Japanese text', async () => {
    assert.equal((await kb.search('防守丢了多少分？')).results[0]!.chunk.path, join(docs, 'sub', 'chinese.txt'));
    assert.equal((await kb.search('東京タワーはいつ完成した')).results[0]!.chunk.path, join(docs, 'sub', 'japanese.md'));
  });

  it('skips unchanged files and replaces the chunks of a changed one', async () => {
    const again = await kb.ingest([docs]);
    assert.equal(again.unchanged.length, 8);
    assert.equal(again.chunks, 0);
    writeFileSync(join(docs, 'sub', 'plain.txt'), 'The note now covers heraldry instead.\n');
    const changed = await kb.ingest([docs]);
    assert.deepEqual(changed.updated.map((f) => f.path), [join(docs, 'sub', 'plain.txt')]);
    assert.equal((await kb.search('vexillology')).results.length, 0, 'old chunks are gone from the index');
    assert.equal((await kb.search('heraldry')).results.length, 1);
    assert.equal(kb.info().files, 8);
  });

  it('splits long files into overlapping chunks in order', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} mentions the keyword lorem${i}.`).join('\n\n');
    writeFileSync(join(docs, 'long.txt'), long);
    await kb.ingest([join(docs, 'long.txt')]);
    const hits = (await kb.search('lorem0 lorem39', { k: 50, topN: 50 })).results;
    const positions = hits.map((h) => h.chunk.position).sort((a, b) => a - b);
    assert.ok(positions.length >= 2 && positions[0] === 0, JSON.stringify(positions));
    assert.ok(hits.every((h) => h.chunk.tokens <= 49));
  });

  it('removes files and refuses to open a missing knowledge base', async () => {
    assert.equal(kb.remove([join(docs, 'long.txt'), join(docs, 'never-there.txt')]), 1);
    assert.equal((await kb.search('lorem5')).results.length, 0);
    await assert.rejects(createKnowledgeBase({ path: join(dir, 'nope.sqlite') }), { code: 'not_found' });
  });

  it('a second, read-only handle sees what the writer ingested', async () => {
    const reader = await createKnowledgeBase({ path: join(dir, 'kb.sqlite'), readonly: true });
    try {
      assert.equal(reader.info().files, 8);
      assert.equal((await reader.search('glaciers fjords')).results.length, 1);
    } finally {
      await reader.close();
    }
  });
});

describe('kb ask with an OpenAI-compatible server (BM25, no reranker)', () => {
  let dir: string;
  let kb: KnowledgeBase;
  let llm: FakeChatServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qr-kb-ask-'));
    await writeKbFixtureFolder(join(dir, 'docs'));
    kb = await createKnowledgeBase({ path: join(dir, 'kb.sqlite'), create: true });
    await kb.ingest([join(dir, 'docs')]);
    llm = await startFakeChatServer((request) => (request.body.messages[0]!.content.startsWith('Rewrite') ? 'quorbital valve startup' : 'Close the valve first [1].'));
  });
  after(async () => {
    await kb.close();
    await llm.close();
  });

  it('builds a cited context and streams the answer', async () => {
    const pieces: string[] = [];
    const result = await kb.ask('What must be done with the quorbital valve?', { llm: { url: llm.url, apiKey: 'k-123' }, onText: (t) => pieces.push(t) });
    assert.equal(result.answer, 'Close the valve first [1].');
    assert.ok(pieces.length > 1, 'streamed in pieces');
    assert.equal(pieces.join(''), result.answer);
    assert.equal(result.sources[0]!.page, 2);
    const request = llm.requests.at(-1)!;
    assert.equal(request.body.model, 'fake-llm', 'the model comes from GET /v1/models');
    assert.equal(request.body.stream, true);
    assert.equal(request.authorization, 'Bearer k-123');
    assert.match(request.body.messages[1]!.content, /\[1\] manual\.pdf, page 2\nThe quorbital valve must be closed before startup\./);
    assert.match(request.body.messages[1]!.content, /Question: What must be done with the quorbital valve\?$/);
  });

  it('rewrites a colloquial question into the search query first with rewrite', async () => {
    const before = llm.requests.length;
    const result = await kb.ask('uh the valve thing??', { llm: { url: `${llm.url}/v1/chat/completions`, model: 'chosen' }, rewrite: true });
    assert.equal(result.query, 'quorbital valve startup');
    assert.equal(result.search.results[0]!.chunk.page, 2);
    assert.equal(llm.requests.length, before + 2);
    assert.equal(llm.requests.at(-1)!.body.model, 'chosen');
  });

  it('says nothing relevant was found, without calling the LLM, when no chunk matches', async () => {
    const before = llm.requests.length;
    const result = await kb.ask('xylophone quasar', { llm: { url: llm.url } });
    assert.equal(result.nothingRelevant, true);
    assert.equal(result.answer, undefined);
    assert.equal(llm.requests.length, before);
  });

  it('an unreachable LLM is engine_unavailable', async () => {
    await assert.rejects(kb.ask('quorbital valve', { llm: { url: 'http://127.0.0.1:9/v1', model: 'm' } }), { code: 'engine_unavailable' });
  });
});
