// Score on a fleet of remote rerank servers instead of the local llama.cpp engine.
// Run: npx tsx examples/remote-fleet.ts http://gpu1:8000 http://gpu2:8000
// (any qwen-ranker server works as a peer: `npx qwen-ranker serve --port 8001` and pass http://127.0.0.1:8001).
import { createReranker } from '../src/index.js';

const endpoints = process.argv.slice(2);
if (endpoints.length === 0) throw new Error('pass one or more endpoint URLs');
await using ranker = await createReranker({ engine: 'cohere', endpoints, maxDocumentsPerRequest: 16 });
const { results } = await ranker.rerank('what is a reranker?', ['A reranker scores query-document pairs.', 'Bananas are yellow.']);
console.log(results.map((r) => ({ index: r.index, score: r.score })));
console.log(JSON.stringify(ranker.status(), null, 2));
