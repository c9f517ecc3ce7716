import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { createReranker, type RerankOptions } from '../src/index.js';
import { median } from './engine-bench.js';
import { scifactWorkload } from './workloads.js';

const ROUNDS = 3;
const TOP_N = 5;
const EVIDENCE = 3;
const log = (message: string) => process.stderr.write(`${message}\n`);

/**
 * Issue 19's cost of evidence: 20 SciFact abstracts of 200 tokens, `topN: 5`, with and without `evidence: 3`, on
 * the default CPU engine (ONNX Runtime) with the score cache off, the two alternating for `ROUNDS` rounds. Goal: the
 * run with evidence takes at most 1.5× the time of the run without.
 */
export async function runEvidenceBench(modelPath: string): Promise<{ markdown: string; ratio: number }> {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const workload = scifactWorkload(model, '20 docs × 200 tokens', 20, 200);
  await model.dispose();
  await llama.dispose();

  const ranker = await createReranker({ model: modelPath, engine: 'onnx', cacheSize: 0 });
  const runs = { plain: [] as number[], evidence: [] as number[] };
  const usage = { plain: { tokens: 0, evaluated: 0 }, evidence: { tokens: 0, evaluated: 0, spans: 0 } };
  try {
    await ranker.rerank('warm up', ['warm up document']);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of ['plain', 'evidence'] as const) {
        const options: RerankOptions = kind === 'plain' ? { topN: TOP_N } : { topN: TOP_N, evidence: EVIDENCE };
        log(`bench: evidence: ${workload.name}, ${kind === 'plain' ? 'without' : 'with'} evidence, round ${round} of ${ROUNDS}…`);
        const before = ranker.stats().evaluatedTokens;
        const started = performance.now();
        const response = await ranker.rerank(workload.query, workload.documents, options);
        runs[kind].push((performance.now() - started) / 1000);
        usage[kind].tokens = response.usage.inputTokens;
        usage[kind].evaluated = ranker.stats().evaluatedTokens - before;
        if (kind === 'evidence') usage.evidence.spans = response.usage.evidenceSpans ?? 0;
        log(`  ${runs[kind].at(-1)!.toFixed(1)} s`);
      }
    }
  } finally {
    await ranker.close();
  }
  const plain = median(runs.plain);
  const evidence = median(runs.evidence);
  const ratio = evidence / plain;
  const roundRatios = runs.evidence.map((seconds, i) => (seconds / runs.plain[i]!).toFixed(2));
  const markdown = [
    `The ONNX engine (the default on a CPU), score cache off: ${workload.name} (SciFact abstracts, a SciFact query),`,
    `\`topN: ${TOP_N}\`, with and without \`evidence: ${EVIDENCE}\` (every span of the ${TOP_N} returned documents is scored:`,
    `one group, the query's prefix reused, short spans packed). Medians of ${ROUNDS} alternating rounds. Goal: ≤ 1.5×.`,
    '',
    '| run | median time | rounds | prompt tokens (usage) | tokens evaluated | spans scored |',
    '|---|---:|---|---:|---:|---:|',
    `| without evidence | ${plain.toFixed(1)} s | ${runs.plain.map((s) => s.toFixed(1)).join(', ')} | ${usage.plain.tokens} | ${usage.plain.evaluated} | — |`,
    `| \`evidence: ${EVIDENCE}\` | ${evidence.toFixed(1)} s | ${runs.evidence.map((s) => s.toFixed(1)).join(', ')} | ${usage.evidence.tokens} | ${usage.evidence.evaluated} | ${usage.evidence.spans} |`,
    '',
    `With evidence ÷ without: **${ratio.toFixed(2)}×** in median time ${ratio <= 1.5 ? '(within the 1.5× goal)' : '(over the 1.5× goal)'};`,
    `round by round ${roundRatios.join('×, ')}×; tokens evaluated ${(usage.evidence.evaluated / usage.plain.evaluated).toFixed(2)}× (the spans'`,
    "prompts share the documents' prefix, so only their bodies and the answer suffix are evaluated).",
  ];
  return { markdown: markdown.join('\n'), ratio };
}
