import { readFileSync } from 'node:fs';
import { createLlamaCppEngine } from '../src/engines/llama-cpp/index.js';
import { createRerankerFromEngine } from '../src/core/reranker.js';
const cases = JSON.parse(readFileSync('../shared/fixtures/qwen3-tiny-reference/reference.json', 'utf8'));
const path = process.argv[2]!;
const t0 = performance.now();
const ranker = createRerankerFromEngine(await createLlamaCppEngine({ modelPath: path, sequences: Number(process.env.SEQ ?? 4), sequenceContextSize: Number(process.env.CTX ?? 1024), ...(process.env.FA ? { flashAttention: process.env.FA === "1" } : {}) }), { cacheSize: 0 });
console.log('loaded', ranker.info, (performance.now() - t0).toFixed(0), 'ms');
let worst = 0, tokMismatch = 0;
for (const [i, c] of cases.entries()) {
  const t = performance.now();
  const [r] = await ranker.score([{ query: c.query, document: c.document, instruction: c.instruction }], { maxLength: c.max_length });
  const err = Math.abs(r!.score - c.expected.score);
  worst = Math.max(worst, c.expected.input_tokens <= 2048 ? err : 0);
  if (r!.inputTokens !== c.expected.input_tokens) tokMismatch++;
  console.log(i, r!.inputTokens, c.expected.input_tokens, r!.score.toFixed(6), c.expected.score, err.toExponential(2), (performance.now() - t).toFixed(0) + 'ms');
}
console.log({ worst, tokMismatch, stats: ranker.stats() });
await ranker.close();
