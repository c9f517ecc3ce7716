// The 16 golden cases of ../shared/fixtures/qwen3-tiny-reference (computed with the official transformers
// implementation) through the public API, on both GGUF layouts llama.cpp produces for Qwen3-Reranker: one suite
// per local engine, with the same tolerances.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createReranker, type LocalEngineKind, type Reranker } from '../../src/index.js';
import { ensureTestModel } from './test-models.js';

export interface GoldenCase {
  instruction: string | null;
  query: string;
  document: string;
  max_length: number;
  expected: { score: number; logit: number; input_tokens: number };
}

export const goldenCases = JSON.parse(
  readFileSync(new URL('../../../shared/fixtures/qwen3-tiny-reference/reference.json', import.meta.url), 'utf8'),
) as GoldenCase[];

/** SPEC.md: |score error| < 2e-3 for prompts up to 2048 tokens, < 2e-2 for the 8192-token case. */
export function goldenTolerance(inputTokens: number): number {
  return inputTokens <= 2048 ? 2e-3 : 2e-2;
}

export function describeGoldenCases(engine: LocalEngineKind): void {
  for (const variant of ['tiny', 'tiny-rank'] as const) {
    describe(`golden cases on the ${engine} engine, ${variant === 'tiny' ? 'causal' : 'ranking-head'} layout`, () => {
      let ranker: Reranker;
      before(async () => {
        ranker = await createReranker({ model: await ensureTestModel(variant), engine, cacheSize: 0 });
      });
      after(() => ranker.close());

      it('has all 16 cases and runs on the requested engine', () => {
        assert.equal(goldenCases.length, 16);
        assert.equal(ranker.info.engine, engine);
      });

      goldenCases.forEach((c, i) => {
        const label = `${c.query.slice(0, 30) || '(empty query)'} / ${c.document.slice(0, 30) || '(empty document)'}`;
        it(`case ${i}: ${label} (max_length ${c.max_length}) matches score and token count`, async () => {
          const [result] = await ranker.score([{ query: c.query, document: c.document, instruction: c.instruction }], { maxLength: c.max_length });
          assert.ok(result);
          assert.equal(result.inputTokens, c.expected.input_tokens, 'token count');
          const tol = goldenTolerance(c.expected.input_tokens);
          assert.ok(Math.abs(result.score - c.expected.score) < tol, `score ${result.score} vs ${c.expected.score} (tolerance ${tol})`);
          assert.ok(Math.abs(result.logit - c.expected.logit) < tol * 10, `logit ${result.logit} vs ${c.expected.logit}`);
        });
      });

      it('scores all cases in one rerank call as it scores them one by one', async () => {
        const short = goldenCases.filter((c) => c.instruction === null && c.max_length === 8192 && c.expected.input_tokens < 1000);
        const query = short[0]!.query;
        const single = await Promise.all(short.map(async (c) => (await ranker.score([{ query, document: c.document }]))[0]!));
        const together = await ranker.rerank(query, short.map((c) => c.document));
        for (const r of together.results) assert.ok(Math.abs(r.score - single[r.index]!.score) < 1e-4, `document ${r.index}`);
      });
    });
  }
}
