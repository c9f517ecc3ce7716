import { createLlamaCppEngine } from '../src/engines/llama-cpp/index.js';
import { createRerankerFromEngine } from '../src/core/reranker.js';
const r = createRerankerFromEngine(await createLlamaCppEngine({ modelPath: '.scratch/tiny.gguf' }), { cacheSize: 0 });
const docs = Array.from({ length: 12 }, (_, i) => `document ${i} says ${'word '.repeat(i * 3)} end`);
for (const q of ['first brand new query', 'second brand new query']) {
  const s0 = r.stats();
  const res = await r.rerank(q, docs);
  const s1 = r.stats();
  console.log(q, 'evaluated', s1.evaluatedTokens - s0.evaluatedTokens, 'prompt', s1.promptTokens - s0.promptTokens);
}
const single: number[] = [];
for (const d of docs) single.push((await r.score([{ query: 'third query', document: d }]))[0]!.score);
const fresh = createRerankerFromEngine(await createLlamaCppEngine({ modelPath: '.scratch/tiny.gguf' }), { cacheSize: 0 });
const together = await fresh.rerank('third query', docs);
console.log('worst', Math.max(...together.results.map((x) => Math.abs(x.score - single[x.index]!))));
await r.close(); await fresh.close();
