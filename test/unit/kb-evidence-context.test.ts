// `kb ask --context evidence`: which parts of a source the LLM reads, on hand-made texts (no model).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evidenceContextText, EXCERPT_SEPARATOR } from '../../src/kb/index.js';
import { splitEvidenceSpans } from '../../src/index.js';

const TEXT = 'S0 one here. S1 two here. S2 three here. S3 four here. S4 five here. S5 six here. S6 seven here.';
const sentences = splitEvidenceSpans(TEXT);
const sentence = (i: number) => sentences[i]!;

describe('evidence context', () => {
  it('widens each span by one sentence each side, in document order, and joins apart excerpts with an ellipsis', () => {
    assert.equal(sentences.length, 7);
    // Best first: S5 then S1. Document order puts S0–S2 before S4–S6.
    assert.equal(
      evidenceContextText(TEXT, [sentence(5), sentence(1)], sentences),
      ['S0 one here. S1 two here. S2 three here.', 'S4 five here. S5 six here. S6 seven here.'].join(EXCERPT_SEPARATOR),
    );
  });

  it('merges excerpts that touch or overlap into one', () => {
    // S0 → S0–S1, S3 → S2–S4: adjacent, one excerpt.
    assert.equal(evidenceContextText(TEXT, [sentence(0), sentence(3)], sentences), 'S0 one here. S1 two here. S2 three here. S3 four here. S4 five here.');
    // S2 → S1–S3, S3 → S2–S4: overlapping.
    assert.equal(evidenceContextText(TEXT, [sentence(3), sentence(2)], sentences), 'S1 two here. S2 three here. S3 four here. S4 five here.');
  });

  it('a span inside a sentence (a token window of a long one) keeps that sentence and its neighbours; no evidence keeps the whole text', () => {
    const window = { start: sentence(6).start + 3, end: sentence(6).start + 8 };
    assert.equal(evidenceContextText(TEXT, [window], sentences), 'S5 six here. S6 seven here.');
    assert.equal(evidenceContextText(TEXT, [], sentences), TEXT);
  });
});
