// Score arbitrary (query, document) pairs, each with its own instruction, and read a long document in windows.
// Run: npx tsx examples/score-pairs.ts [MODEL]
import { createReranker } from '../src/index.js';

await using ranker = await createReranker({ model: process.argv[2] });
const scores = await ranker.score([
  { query: 'capital of France', document: 'Paris is the capital of France.' },
  { query: 'sort a list in Python', document: 'sorted(xs, key=len)', instruction: 'Given a programming question, retrieve code snippets that answer it' },
]);
console.log(scores.map((s) => ({ score: s.score, logit: s.logit, tokens: s.inputTokens })));

const manual = Array.from({ length: 300 }, (_, i) => `Section ${i}: ${i === 250 ? 'to reset the device, hold the power button for ten seconds.' : 'general safety information.'}`).join(' ');
const { results } = await ranker.rerank('how do I reset the device?', [manual], { maxLength: 512, longDocuments: 'windows' });
console.log(`best window ${results[0]!.window!.index + 1}/${results[0]!.window!.count}:`, results[0]!.window!.text?.slice(0, 120));
