// Ingest a folder, search it (BM25 first stage + rerank), and evaluate BM25 + rerank on a slice of SciFact.
// Run: npx tsx examples/knowledge-base.ts [MODEL] [FOLDER]   (MODEL as in examples/rerank.ts; FOLDER default: docs/)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReranker } from '../src/index.js';
import { createKnowledgeBase } from '../src/kb/index.js';
import { loadBeirDataset, runEvaluation } from '../src/eval/index.js';

await using reranker = await createReranker({ model: process.argv[2] });
await using kb = await createKnowledgeBase({ path: join(mkdtempSync(join(tmpdir(), 'kb-')), 'docs.sqlite'), create: true, reranker });
const report = await kb.ingest([process.argv[3] ?? 'docs']);
console.log(report);
const { results } = await kb.search('how do I point qwen-ranker at a vLLM fleet?', { k: 20, topN: 3 });
for (const hit of results) console.log(hit.score?.toFixed(3), `(first stage #${hit.firstStageRank})`, hit.chunk.path, hit.chunk.heading ?? '', hit.chunk.text.slice(0, 80));

const dataset = await loadBeirDataset('../shared/data/scifact');
const evaluation = await runEvaluation(dataset, { reranker, k: 20, queries: 10 });
console.log({ firstStage: evaluation.stages.first_stage.metrics, reranked: evaluation.stages.reranked?.metrics });
