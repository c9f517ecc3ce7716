// examples/cohere-client.mjs: Cohere's own client against `qwen-ranker serve`. Run: node examples/cohere-client.mjs
// (the server at QWEN_RANKER_URL, default http://127.0.0.1:8000; `npm install cohere-ai` outside this checkout).
import { CohereClientV2 } from 'cohere-ai';

const cohere = new CohereClientV2({
  token: process.env.QWEN_RANKER_API_KEY ?? 'unused-without---api-key',
  environment: process.env.QWEN_RANKER_URL ?? 'http://127.0.0.1:8000',
});
const { results } = await cohere.rerank({ model: 'qwen3-reranker', query: 'what is a reranker?', documents: ['A reranker scores pairs.', 'Bananas.'] });
for (const r of results) console.log(r.index, r.relevanceScore.toFixed(4));
