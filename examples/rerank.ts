// Rerank first-stage candidates and keep the best three.
// Run: npx tsx examples/rerank.ts [MODEL]   (MODEL: a GGUF path or hf: URI; default Qwen3-Reranker-0.6B Q8_0,
// downloaded on first use; offline, pass a local GGUF, e.g. the random-weight demo from `npm run demo-model`).
import { createReranker } from '../src/index.js';

await using ranker = await createReranker({ model: process.argv[2] });
const candidates = [
  'PyTorch is an open source machine learning framework based on the Torch library.',
  'The Eiffel Tower is in Paris.',
  { id: 'tf', text: 'TensorFlow is an end-to-end open source platform for machine learning.', metadata: { source: 'tf.org' } },
  'To install PyTorch with pip, run: pip install torch torchvision.',
];
const { results, usage } = await ranker.rerank('How do I install PyTorch?', candidates, { topN: 3 });
for (const r of results) console.log(r.score.toFixed(4), `#${r.index}`, r.document.id ?? '', r.document.text);
console.log(`${usage.documents} documents, ${usage.inputTokens} tokens${ranker.info.demo ? ' (random-weight DEMO model: scores are meaningless)' : ''}`);
