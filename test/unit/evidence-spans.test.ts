// splitEvidenceSpans (src/core/evidence-spans.ts): the spans evidence is scored on, in several scripts and
// shapes of text, and the offsets invariant (`text === source.slice(start, end)`) on every span of every case.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVIDENCE_SPAN_MAX_TOKENS, estimateTextTokens, splitEvidenceSpans, type TextSpan } from '../../src/index.js';

/** The spans' texts, after checking every span's offsets against the source. */
function texts(source: string, spans: TextSpan[]): string[] {
  for (const span of spans) {
    assert.equal(source.slice(span.start, span.end), span.text, `offsets of ${JSON.stringify(span.text)}`);
    assert.equal(span.text, span.text.trim(), 'spans are trimmed');
  }
  return spans.map((s) => s.text);
}

const split = (source: string, options?: Parameters<typeof splitEvidenceSpans>[1]) => texts(source, splitEvidenceSpans(source, options));

describe('splitEvidenceSpans', () => {
  it('splits English prose into trimmed sentences', () => {
    assert.deepEqual(split('  The cat sat on the mat. Was it happy?  Yes, very!\n'), ['The cat sat on the mat.', 'Was it happy?', 'Yes, very!']);
  });

  it('does not end a sentence at an abbreviation or a decimal point', () => {
    assert.deepEqual(split('Mr. Smith paid 3.50 dollars. He left.', { language: 'en' }), ['Mr. Smith paid 3.50 dollars.', 'He left.']);
  });

  it('splits Chinese at its full stops, merging a too-short sentence into the previous one at the end', () => {
    assert.deepEqual(split('机器学习是人工智能的一个分支。它使用数据训练模型！好。', { language: 'zh' }), ['机器学习是人工智能的一个分支。', '它使用数据训练模型！好。']);
  });

  it('splits Japanese sentences', () => {
    assert.deepEqual(split('東京は日本の首都です。人口は約1400万人です。', { language: 'ja' }), ['東京は日本の首都です。', '人口は約1400万人です。']);
  });

  it('ends a span at each line of code and merges a lone brace into the next line', () => {
    assert.deepEqual(split('function add(a, b) {\n  return a + b;\n}\nconst x = add(1, 2);'), [
      'function add(a, b) {',
      'return a + b;',
      '}\nconst x = add(1, 2);',
    ]);
  });

  it('makes each Markdown list item a span, merging a marker-only item into the next', () => {
    assert.deepEqual(split('- a\n- second item\n- third item\n1. ok'), ['- a\n- second item', '- third item', '1. ok']);
  });

  it('reads a Markdown heading with the sentence that follows it', () => {
    assert.deepEqual(split('# Installation guide\n\nRun the installer. Then restart.\n## Notes\nNothing else.'), [
      '# Installation guide\n\nRun the installer.',
      'Then restart.',
      '## Notes\nNothing else.',
    ]);
  });

  it('keeps a text that is all fragments as one span, and gives no span for blank text', () => {
    assert.deepEqual(split('OK'), ['OK']);
    assert.deepEqual(split(' \n\t '), []);
    assert.deepEqual(split(''), []);
  });

  it('cuts text without punctuation into windows at whitespace, each within the token limit', () => {
    const source = 'words flowing on and on without any stop '.repeat(30).trim();
    const spans = split(source);
    assert.ok(spans.length > 1);
    assert.equal(spans.join(' '), source);
    for (const span of spans) assert.ok(estimateTextTokens(span) <= EVIDENCE_SPAN_MAX_TOKENS, span);
  });

  it('cuts a long Chinese sentence between characters, and never inside a surrogate pair', () => {
    const chinese = '中文'.repeat(200);
    const spans = split(chinese, { maxTokens: 20 });
    assert.equal(spans.join(''), chinese);
    for (const span of spans) assert.ok(estimateTextTokens(span) <= 20);
    const emoji = '😀'.repeat(50);
    const emojiSpans = split(emoji, { maxTokens: 7 });
    assert.equal(emojiSpans.join(''), emoji);
    assert.ok(emojiSpans.length > 1 && emojiSpans.every((s) => /^(?:😀)+$/u.test(s)));
  });

  it('falls back to the default rules for a malformed language tag', () => {
    assert.deepEqual(split('One sentence. Two sentences.', { language: 'not a tag!' }), ['One sentence.', 'Two sentences.']);
  });
});
