import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { createReranker } from '../src/index.js';
import { physicalCoreCount } from '../src/engines/local/local-model.js';
import { scifactWorkload, type Workload } from './workloads.js';
import { median } from './engine-bench.js';

export interface HeadBenchRow {
  workload: string;
  /** Per file kind: median seconds and evaluated tokens per second over the rounds. */
  logits: { seconds: number; tokensPerSecond: number };
  rankingOutput: { seconds: number; tokensPerSecond: number };
}

const ROUNDS = 2;
const log = (message: string) => process.stderr.write(`${message}\n`);

/**
 * The llama.cpp engine on the two kinds of ranking-layout file: `cls.output.weight` equal to the language-model
 * head's yes/no rows (read from llama.cpp's logits, as before) and an untied head (read from llama.cpp's ranking
 * output: one sequence per context, the language-model head computed for every token). Same shape, weights and
 * documents; the two alternate for `ROUNDS` rounds.
 */
export async function runHeadBench(tiedPath: string, untiedPath: string): Promise<string> {
  const threads = physicalCoreCount();
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: threads });
  const model = await llama.loadModel({ modelPath: tiedPath });
  const workloads: Workload[] = [scifactWorkload(model, '(a) 20 docs × 200 tokens', 20, 200), scifactWorkload(model, '(b) 60 docs × 40 tokens', 60, 40)];
  await model.dispose();
  await llama.dispose();
  const rankers = {
    logits: await createReranker({ model: tiedPath, engine: 'llama-cpp', cacheSize: 0, threads }),
    rankingOutput: await createReranker({ model: untiedPath, engine: 'llama-cpp', cacheSize: 0, threads }),
  };
  const rows: HeadBenchRow[] = [];
  try {
    for (const ranker of Object.values(rankers)) await ranker.rerank('warm up', ['warm up document']);
    for (const w of workloads) {
      const runs = { logits: [] as Array<[number, number]>, rankingOutput: [] as Array<[number, number]> };
      for (let round = 1; round <= ROUNDS; round++) {
        for (const kind of ['logits', 'rankingOutput'] as const) {
          log(`bench: ${w.name}: llama.cpp engine, ${kind === 'logits' ? 'tied head (logits)' : 'untied head (ranking output)'}, round ${round} of ${ROUNDS}…`);
          const before = rankers[kind].stats().evaluatedTokens;
          const t = performance.now();
          await rankers[kind].rerank(w.query, w.documents);
          const seconds = (performance.now() - t) / 1000;
          runs[kind].push([seconds, (rankers[kind].stats().evaluatedTokens - before) / seconds]);
          log(`  ${seconds.toFixed(2)} s`);
        }
      }
      const summary = (list: Array<[number, number]>) => ({ seconds: median(list.map(([s]) => s)), tokensPerSecond: median(list.map(([, r]) => r)) });
      rows.push({ workload: w.name, logits: summary(runs.logits), rankingOutput: summary(runs.rankingOutput) });
    }
  } finally {
    for (const ranker of Object.values(rankers)) await ranker.close();
  }
  const lines = [
    `The llama.cpp engine (threads = ${threads}) on two generated Qwen3-0.6B-shaped Q8_0 files in the ranking layout: \`full-q8\`, whose`,
    "`cls.output.weight` holds the same bytes as the embedding's yes/no rows (scores read from llama.cpp's logits for",
    'the two answer tokens, 4 sequences batched into one decode), and `full-q8-untied`, whose head is its own (scores',
    "read from llama.cpp's ranking output: a context per sequence, one on a CPU, and the language-model head computed",
    `for every prompt token). Medians of ${ROUNDS} alternating rounds.`,
    '',
    '| workload | tied head (logits) | evaluated tok/s | untied head (ranking output) | evaluated tok/s | untied ÷ tied time |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.workload} | ${r.logits.seconds.toFixed(1)} s | ${r.logits.tokensPerSecond.toFixed(0)} | ${r.rankingOutput.seconds.toFixed(1)} s | ${r.rankingOutput.tokensPerSecond.toFixed(0)} | ${(r.rankingOutput.seconds / r.logits.seconds).toFixed(2)}× |`,
    ),
  ];
  return lines.join('\n');
}

