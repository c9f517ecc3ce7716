// examples/rerank.mjs: rerank candidates, then score pairs. Run: node examples/rerank.mjs [MODEL]
// MODEL: a GGUF path or hf: URI (default: Qwen3-Reranker-0.6B Q8_0, downloaded on first use; offline, pass a local
// GGUF, e.g. the random-weight demo model printed by `npm run demo-model`).
import { createReranker } from 'qwen-ranker';

const ranker = await createReranker({ model: process.argv[2] ?? 'hf:giladgd/Qwen3-Reranker-0.6B-GGUF:Q8_0' });
try {
  const { results, usage } = await ranker.rerank('How do I install PyTorch?', [
    'PyTorch is an open source machine learning framework.',
    { id: 'pip', text: 'To install PyTorch with pip, run: pip install torch.', metadata: { source: 'docs' } },
    'The Eiffel Tower is in Paris.',
  ], { topN: 2, instruction: 'Given a question, retrieve passages that answer it' });
  for (const r of results) console.log(r.score.toFixed(4), r.logit.toFixed(3), `#${r.index}`, r.inputTokens, r.document.id ?? '', r.document.text);
  console.log(`${usage.documents} documents, ${usage.inputTokens} tokens${ranker.info.demo ? ' (random-weight DEMO model: scores are meaningless)' : ''}`);
  const pairs = await ranker.score([{ query: 'capital of France', document: 'Paris is the capital of France.' }]);
  console.log('pair:', pairs[0].score.toFixed(4));
} finally {
  await ranker.close();
}
